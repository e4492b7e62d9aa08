/**
 * addBindyCharts composes every bindy construct into four charts of an App — `crds`, `cluster`,
 * `operator`, `monitoring` (in apply order; with `yamlOutputType: FILE_PER_CHART` each becomes
 * `<id>.yaml`). Cluster-scoped objects (CRDs, ClusterRoles, Namespaces) live in charts without a
 * namespace, and every namespaced object names its namespace explicitly, so no chart default can
 * leak onto the wrong object. The repository's dist/<profile>/ is this function applied to PROFILES.
 */
import { App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { BindyCrds } from './crds.js';
import { OperatorDeployment, type LogLevel } from './operator-deployment.js';
import { OperatorDisruptionBudget } from './disruption.js';
import { OperatorMonitoring } from './monitoring.js';
import { OperatorRbac } from './rbac.js';
import { OperatorServiceAccount } from './service-account.js';
import { IMAGE, SPREADS, type ImageSettings, type LeaseTiming, type ResourceList, type Spread } from './profiles.js';
import { requireImageRepository, requireOneOf } from './validation.js';

/** CHART_IDS are the charts addBindyCharts adds, in apply order; each becomes `<id>.yaml`. */
export const CHART_IDS = ['crds', 'cluster', 'operator', 'monitoring'] as const;
export type ChartId = (typeof CHART_IDS)[number];

/** LeaseSettings places and times the leader-election Lease (SPEC §1 rules apply). */
export interface LeaseSettings extends Partial<LeaseTiming> {
  /** @default "bindy-leader" */
  readonly name?: string;
  /** May differ from the operator's namespace (a Role + RoleBinding go there). @default - the operator namespace */
  readonly namespace?: string;
}

/** BindyInstallProps is a whole install; spread a PROFILES entry into it and override. */
export interface BindyInstallProps {
  /** Namespace of the operator's Deployment, ServiceAccount, PDB and metrics Service. @default "dns-system" */
  readonly namespace?: string;
  /** Name of the Deployment, ServiceAccount, ClusterRole and bindings. @default "bindy" */
  readonly name?: string;
  /** @default 1 */
  readonly replicas?: number;
  /** @default IMAGE (ghcr.io/firestoned/bindy-ts, this package's version) */
  readonly image?: ImageSettings;
  /** @default { name: "bindy-leader", namespace: the operator namespace, 15/10/2 s } */
  readonly lease?: LeaseSettings;
  /** @default { cpu: "50m", memory: "64Mi" } */
  readonly requests?: ResourceList;
  /** @default { cpu: "200m", memory: "256Mi" } */
  readonly limits?: ResourceList;
  /** @default "none" with one replica, else "hostname" */
  readonly spread?: Spread;
  /** `LOG_LEVEL` of the operator. @default - unset (info; `RUST_LOG` then works) */
  readonly logLevel?: LogLevel;
  /** @default 8080 */
  readonly metricsPort?: number;
  /** @default 8081 */
  readonly healthPort?: number;
  /** Create the Namespace objects (operator and lease namespace). @default true */
  readonly createNamespaces?: boolean;
  /** Labels your Prometheus selects ServiceMonitors/PrometheusRules by. @default {} */
  readonly prometheusLabels?: Record<string, string>;
}

/** BindyCharts is what addBindyCharts added. */
export interface BindyCharts {
  readonly charts: Readonly<Record<ChartId, Chart>>;
  readonly deployment: OperatorDeployment;
}

/** addBindyCharts adds the four bindy charts to `app`; invalid props throw, naming prop and value. */
export function addBindyCharts(app: App, props: BindyInstallProps = {}): BindyCharts {
  // Defaults, in the order of the @default docs above.
  const namespace = props.namespace ?? 'dns-system';
  const name = props.name ?? 'bindy';
  const replicas = props.replicas ?? 1;
  const image = props.image ?? IMAGE;
  const lease = { name: 'bindy-leader', namespace, ...props.lease };
  const spread = props.spread ?? (replicas > 1 ? 'hostname' : 'none');
  const metricsPort = props.metricsPort ?? 8080;
  requireOneOf('addBindyCharts', 'spread', spread, SPREADS);

  const charts = Object.fromEntries(
    CHART_IDS.map((id) => [id, new Chart(app, id, { disableResourceNameHashes: true })]),
  ) as Record<ChartId, Chart>;
  new BindyCrds(charts.crds, 'Crds');
  if (props.createNamespaces ?? true) {
    for (const ns of new Set([namespace, lease.namespace])) {
      new k8s.KubeNamespace(charts.cluster, `Namespace-${ns}`, {
        metadata: { name: ns, labels: { 'app.kubernetes.io/part-of': 'bindy' } },
      });
    }
  }
  new OperatorRbac(charts.cluster, 'Rbac', { namespace, serviceAccountName: name, name, leaseName: lease.name, leaseNamespace: lease.namespace });
  const sa = new OperatorServiceAccount(charts.operator, 'ServiceAccount', {
    namespace,
    name,
    labels: { 'app.kubernetes.io/name': 'bindy', 'app.kubernetes.io/part-of': 'bindy' },
  });
  const deployment = new OperatorDeployment(charts.operator, 'Deployment', {
    namespace,
    name,
    imageRepository: image.repository,
    imageTag: image.tag,
    imagePullPolicy: image.pullPolicy,
    replicas,
    serviceAccountName: sa.name,
    requests: props.requests,
    limits: props.limits,
    leaderElection: {
      enabled: true,
      leaseName: lease.name,
      leaseNamespace: lease.namespace,
      durationSeconds: lease.durationSeconds,
      renewDeadlineSeconds: lease.renewDeadlineSeconds,
      retryPeriodSeconds: lease.retryPeriodSeconds,
    },
    logLevel: props.logLevel,
    metricsPort,
    healthPort: props.healthPort,
    hostnameAntiAffinity: spread !== 'none',
    zoneSpread: spread === 'hostname-and-zone',
  });
  const selector = { ...deployment.deployment.toJson().spec.selector.matchLabels } as Record<string, string>;
  new OperatorDisruptionBudget(charts.operator, 'DisruptionBudget', { namespace, name, selector, replicas });
  new OperatorMonitoring(charts.monitoring, 'Monitoring', { namespace, selector, metricsPort, prometheusLabels: props.prometheusLabels });
  return { charts, deployment };
}

/** ImageDigestPin pins an image to a released digest through kustomize's `images` (the tag stays readable in the charts). */
export interface ImageDigestPin {
  /** The image as the charts name it, without tag, e.g. `ghcr.io/firestoned/bindy-ts`. */
  readonly name: string;
  /** `sha256:` and 64 hex digits. */
  readonly digest: string;
}

/** DIGEST is the form of an OCI content digest kustomize accepts. */
export const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * kustomization returns a kustomization.yaml listing the chart files, for GitOps tools; with
 * `images`, every use of those images is rewritten to `<name>@<digest>` when kustomize builds it.
 */
export function kustomization(header = '# Generated by cdk8s synth; do not edit.', images: readonly ImageDigestPin[] = []): string {
  for (const i of images) {
    requireImageRepository('kustomization', 'images[].name', i.name);
    if (!DIGEST.test(i.digest)) throw new Error(`kustomization: images[].digest must be sha256:<64 hex digits>, got ${JSON.stringify(i.digest)}`);
  }
  const lines = [header, '---', 'apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', 'resources:', ...CHART_IDS.map((id) => `  - ${id}.yaml`)];
  if (images.length > 0) lines.push('images:', ...images.flatMap((i) => [`  - name: ${i.name}`, `    digest: ${i.digest}`]));
  return `${lines.join('\n')}\n`;
}
