import { Construct } from 'constructs';
import { IMAGE } from './profiles.js';
import { operatorMemoryEnv } from './runtime-memory.js';
import { k8s } from 'cdk8s-plus-28';
import { requireImageRepository, requireImageTag, requireInt, requireLabel, requireOneOf, requireQuantity, requireSubdomain } from './validation.js';

/** ImagePullPolicy is the container image pull policy. */
export type ImagePullPolicy = 'Always' | 'IfNotPresent' | 'Never';
/** LogLevel is a pino level accepted by `LOG_LEVEL`. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

/** LeaderElectionProps configures the Lease-based election (SPEC §1, §2). */
export interface LeaderElectionProps {
  /** Run leader election. Must stay on with more than one replica. @default true */
  readonly enabled?: boolean;
  /** Name of the Lease. @default "bindy-leader" */
  readonly leaseName?: string;
  /** Namespace of the Lease; may differ from the operator's. @default - the operator namespace */
  readonly leaseNamespace?: string;
  /** @default 15 */
  readonly durationSeconds?: number;
  /** Must be < durationSeconds and > 1.2 × retryPeriodSeconds. @default 10 */
  readonly renewDeadlineSeconds?: number;
  /** @default 2 */
  readonly retryPeriodSeconds?: number;
}

/** OperatorDeploymentProps configures the bindy operator Deployment. */
export interface OperatorDeploymentProps {
  /** Namespace of the Deployment. */
  readonly namespace: string;
  /** Deployment name and value of the `app` label. @default "bindy" */
  readonly name?: string;
  /** Image repository, without tag. @default "ghcr.io/firestoned/bindy-ts" */
  readonly imageRepository?: string;
  /** Image tag; pin a version, not `latest`. @default - IMAGE.tag, the version this package releases with */
  readonly imageTag?: string;
  /** @default "IfNotPresent" */
  readonly imagePullPolicy?: ImagePullPolicy;
  /** Number of operator pods; one leads, the others stand by. @default 1 */
  readonly replicas?: number;
  /** ServiceAccount the pods run as. @default - the name */
  readonly serviceAccountName?: string;
  /** @default { cpu: "50m", memory: "64Mi" } */
  readonly requests?: { readonly cpu: string; readonly memory: string };
  /** The memory limit also sizes V8's heap (NODE_OPTIONS, runtime-memory.ts). @default { cpu: "200m", memory: "256Mi" } */
  readonly limits?: { readonly cpu: string; readonly memory: string };
  /** @default - enabled with SPEC §1 defaults */
  readonly leaderElection?: LeaderElectionProps;
  /**
   * `LOG_LEVEL` of the operator. Left unset by default, so the operator logs at `info` and the
   * seed guide's `kubectl set env deployment/bindy RUST_LOG=debug` takes effect (an explicit
   * `LOG_LEVEL` wins over `RUST_LOG`).
   * @default - unset (the operator's default, info)
   */
  readonly logLevel?: LogLevel;
  /** Port of `/metrics`. @default 8080 */
  readonly metricsPort?: number;
  /** Port of `/healthz` and `/readyz`. @default 8081 */
  readonly healthPort?: number;
  /**
   * Preferred pod anti-affinity on `kubernetes.io/hostname` (weight 100).
   * @default - true when replicas > 1
   */
  readonly hostnameAntiAffinity?: boolean;
  /**
   * Spread replicas across `topology.kubernetes.io/zone` with `maxSkew: 1`, `DoNotSchedule`.
   * Only for clusters whose nodes carry the zone label; otherwise pods stay Pending.
   * @default false
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
   */
  readonly zoneSpread?: boolean;
  /**
   * Time the pod gets between SIGTERM and SIGKILL: enough to finish reconciles, release the
   * Lease and wait for a successor. Must be ≥ renewDeadlineSeconds + 10.
   * @default - durationSeconds + 15
   */
  readonly terminationGracePeriodSeconds?: number;
  /** Numeric user and group the container runs as (must match the image's user). @default 10001 */
  readonly runAsUser?: number;
}

/** SELECTOR_LABELS are the labels the Deployment selects its pods by (immutable once applied). */
export function selectorLabels(name: string): Record<string, string> {
  return { app: name, 'app.kubernetes.io/component': 'operator' };
}

/**
 * OperatorDeployment is the bindy operator Deployment: a stable name, explicit selector, pinned
 * image, env of SPEC §1, probes on the health port and a hardened security context. It is a typed
 * L1 `KubeDeployment`, so none of cdk8s-plus's defaults (2 replicas, 1000m requests, `Always`
 * pulls, no SA token, required anti-affinity, hashed names) leak in.
 */
export class OperatorDeployment extends Construct {
  /** The Deployment API object. */
  readonly deployment: k8s.KubeDeployment;
  /** Labels on the pods (selector labels plus recommended labels). */
  readonly podLabels: Record<string, string>;
  /** The resolved replica count. */
  readonly replicas: number;

  constructor(scope: Construct, id: string, props: OperatorDeploymentProps) {
    super(scope, id);
    // Defaults, in the order of the @default docs above.
    const name = props.name ?? 'bindy';
    const tag = props.imageTag ?? IMAGE.tag;
    const repository = props.imageRepository ?? IMAGE.repository;
    const image = `${repository}:${tag}`;
    const replicas = props.replicas ?? 1;
    const requests = props.requests ?? { cpu: '50m', memory: '64Mi' };
    const limits = props.limits ?? { cpu: '200m', memory: '256Mi' };
    const le = props.leaderElection ?? {};
    const election = {
      enabled: le.enabled ?? true,
      leaseName: le.leaseName ?? 'bindy-leader',
      leaseNamespace: le.leaseNamespace ?? props.namespace,
      duration: le.durationSeconds ?? 15,
      renew: le.renewDeadlineSeconds ?? 10,
      retry: le.retryPeriodSeconds ?? 2,
    };
    const metricsPort = props.metricsPort ?? 8080;
    const healthPort = props.healthPort ?? 8081;
    const antiAffinity = props.hostnameAntiAffinity ?? replicas > 1;
    const grace = props.terminationGracePeriodSeconds ?? election.duration + 15;
    const uid = props.runAsUser ?? 10001;

    validate({ ...props, name, replicas, election, metricsPort, healthPort, grace, requests, limits, tag, repository });

    this.replicas = replicas;
    const selector = selectorLabels(name);
    this.podLabels = {
      ...selector,
      'app.kubernetes.io/name': 'bindy',
      'app.kubernetes.io/instance': name,
      'app.kubernetes.io/part-of': 'bindy',
      'app.kubernetes.io/version': tag,
    };
    const env = operatorEnv({ election, logLevel: props.logLevel, metricsPort, healthPort, memoryLimit: limits.memory });
    const probe = (path: string, period: number): k8s.Probe => ({
      httpGet: { path, port: k8s.IntOrString.fromString('health') },
      periodSeconds: period,
      timeoutSeconds: 2,
      failureThreshold: 3,
    });

    this.deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name, namespace: props.namespace, labels: this.podLabels },
      spec: {
        replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: selector },
        // Never drop below the desired count during a rollout: a standby is always warm.
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) },
        },
        template: {
          metadata: { labels: this.podLabels },
          spec: {
            serviceAccountName: props.serviceAccountName ?? name,
            automountServiceAccountToken: true,
            terminationGracePeriodSeconds: grace,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: uid,
              runAsGroup: uid,
              fsGroup: uid,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            ...placement(selector, antiAffinity, props.zoneSpread ?? false),
            containers: [
              {
                name: 'operator',
                image,
                imagePullPolicy: props.imagePullPolicy ?? 'IfNotPresent',
                env,
                ports: [
                  { name: 'metrics', containerPort: metricsPort, protocol: 'TCP' },
                  { name: 'health', containerPort: healthPort, protocol: 'TCP' },
                ],
                livenessProbe: { ...probe('/healthz', 10), initialDelaySeconds: 10 },
                readinessProbe: probe('/readyz', 5),
                resources: {
                  requests: { cpu: k8s.Quantity.fromString(requests.cpu), memory: k8s.Quantity.fromString(requests.memory) },
                  limits: { cpu: k8s.Quantity.fromString(limits.cpu), memory: k8s.Quantity.fromString(limits.memory) },
                },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                  privileged: false,
                  capabilities: { drop: ['ALL'] },
                  seccompProfile: { type: 'RuntimeDefault' },
                },
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } }],
          },
        },
      },
    });
  }
}

interface Election {
  enabled: boolean;
  leaseName: string;
  leaseNamespace: string;
  duration: number;
  renew: number;
  retry: number;
}

function operatorEnv(o: { election: Election; logLevel: LogLevel | undefined; metricsPort: number; healthPort: number; memoryLimit: string }): k8s.EnvVar[] {
  const e = o.election;
  return [
    { name: 'ENABLE_LEADER_ELECTION', value: String(e.enabled) },
    { name: 'LEASE_NAME', value: e.leaseName },
    { name: 'LEASE_NAMESPACE', value: e.leaseNamespace },
    { name: 'LEASE_DURATION_SECONDS', value: String(e.duration) },
    { name: 'LEASE_RENEW_DEADLINE_SECONDS', value: String(e.renew) },
    { name: 'LEASE_RETRY_PERIOD_SECONDS', value: String(e.retry) },
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    ...(o.logLevel === undefined ? [] : [{ name: 'LOG_LEVEL', value: o.logLevel }]),
    { name: 'METRICS_PORT', value: String(o.metricsPort) },
    { name: 'HEALTH_PORT', value: String(o.healthPort) },
    ...Object.entries(operatorMemoryEnv(o.memoryLimit)).map(([name, value]) => ({ name, value })),
  ];
}

function placement(selector: Record<string, string>, antiAffinity: boolean, zoneSpread: boolean): Partial<k8s.PodSpec> {
  const out: { affinity?: k8s.Affinity; topologySpreadConstraints?: k8s.TopologySpreadConstraint[] } = {};
  if (antiAffinity) {
    out.affinity = {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } } },
        ],
      },
    };
  }
  if (zoneSpread) {
    out.topologySpreadConstraints = [
      {
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: { matchLabels: selector },
        // Count only pods of the same ReplicaSet, so a rollout is not blocked by old pods.
        matchLabelKeys: ['pod-template-hash'],
      },
    ];
  }
  return out;
}

interface Resolved extends OperatorDeploymentProps {
  name: string;
  replicas: number;
  election: Election;
  metricsPort: number;
  healthPort: number;
  grace: number;
  tag: string;
  repository: string;
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

function validate(p: Resolved): void {
  const o = 'OperatorDeployment';
  const e = p.election;
  requireLabel(o, 'namespace', p.namespace);
  requireLabel(o, 'name', p.name);
  requireLabel(o, 'leaderElection.leaseNamespace', e.leaseNamespace);
  requireSubdomain(o, 'leaderElection.leaseName', e.leaseName);
  requireInt(o, 'replicas', p.replicas, 1, 100);
  requireInt(o, 'metricsPort', p.metricsPort, 1, 65535);
  requireInt(o, 'healthPort', p.healthPort, 1, 65535);
  if (p.metricsPort === p.healthPort) throw new Error(`${o}: metricsPort and healthPort must differ, both are ${p.metricsPort}`);
  requireImageRepository(o, 'imageRepository', p.repository);
  requireImageTag(o, 'imageTag', p.tag);
  requireOneOf(o, 'imagePullPolicy', p.imagePullPolicy ?? 'IfNotPresent', ['Always', 'IfNotPresent', 'Never']);
  if (p.logLevel !== undefined) requireOneOf(o, 'logLevel', p.logLevel, LOG_LEVELS);
  if (!e.enabled && p.replicas > 1) {
    throw new Error(`${o}: replicas is ${p.replicas} but leaderElection.enabled is false; more than one replica needs leader election`);
  }
  requireInt(o, 'leaderElection.durationSeconds', e.duration, 1);
  requireInt(o, 'leaderElection.renewDeadlineSeconds', e.renew, 1);
  requireInt(o, 'leaderElection.retryPeriodSeconds', e.retry, 1);
  if (e.renew >= e.duration) {
    throw new Error(`${o}: leaderElection.renewDeadlineSeconds (${e.renew}) must be < durationSeconds (${e.duration})`);
  }
  if (e.renew <= 1.2 * e.retry) {
    throw new Error(`${o}: leaderElection.renewDeadlineSeconds (${e.renew}) must be > 1.2 × retryPeriodSeconds (${e.retry})`);
  }
  if (p.grace < e.renew + 10) {
    throw new Error(`${o}: terminationGracePeriodSeconds (${p.grace}) must be ≥ renewDeadlineSeconds + 10 (${e.renew + 10})`);
  }
  for (const [k, v] of Object.entries({ ...prefix('requests', p.requests), ...prefix('limits', p.limits) })) requireQuantity(o, k, v);
}

function prefix(p: string, r: { cpu: string; memory: string }): Record<string, string> {
  return { [`${p}.cpu`]: r.cpu, [`${p}.memory`]: r.memory };
}
