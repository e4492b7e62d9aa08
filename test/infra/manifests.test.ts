import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { PROFILES, PROFILE_NAMES, type ProfileName } from '../../packages/cdk8s-bindy/src/index.js';
import { KINDS } from '../../src/crds/index.js';
import { CLUSTER_SCOPED, find, synthAll, synthCharts, type Manifest } from './helpers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  Namespace,
  Service,
  ServiceAccount,
  Deployment,
  PodDisruptionBudget,
  ClusterRole,
  ClusterRoleBinding,
  Role,
  RoleBinding,
  CustomResourceDefinition,
  ServiceMonitor,
  PrometheusRule,
};

const env = (d: Manifest): Record<string, unknown> =>
  Object.fromEntries(
    (d.spec.template.spec.containers[0].env as Array<{ name: string; value?: string; valueFrom?: unknown }>).map((e) => [e.name, e.value ?? e.valueFrom]),
  );

/** Three quarters of each profile's memory limit, in MiB. */
const OLD_SPACE_MIB: Record<string, number> = { '256Mi': 192, '512Mi': 384 };

describe.each(PROFILE_NAMES)('profile %s', (name: ProfileName) => {
  const profile = PROFILES[name];
  const objects = synthAll(name);
  const deployment = find(objects, 'Deployment', 'bindy');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];

  it('matches the snapshot', () => {
    expect(synthCharts(name)).toMatchSnapshot();
  });

  it('validates every object against its offline schema', () => {
    for (const o of objects) {
      const Model = MODELS[o.kind];
      if (!Model) throw new Error(`no offline model for kind ${o.kind}`);
      expect(() => new Model(o).validate()).not.toThrow();
    }
  });

  it('puts a namespace on every namespaced object and none on cluster-scoped ones', () => {
    for (const o of objects) {
      if (CLUSTER_SCOPED.has(o.kind)) expect(o.metadata.namespace).toBeUndefined();
      else expect(o.metadata.namespace).toBe('dns-system');
    }
  });

  it('keeps cluster-scoped objects out of the namespaced charts', () => {
    const charts = synthCharts(name);
    for (const o of [...charts.operator, ...charts.monitoring]) expect(CLUSTER_SCOPED.has(o.kind)).toBe(false);
  });

  it('uses stable names without hashes', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      [
        ...KINDS.map((k) => `CustomResourceDefinition/${k.toLowerCase()}s.bindy.firestoned.io`),
        'ClusterRole/bindy',
        'ClusterRoleBinding/bindy',
        'Deployment/bindy',
        'Namespace/dns-system',
        'PodDisruptionBudget/bindy',
        'PrometheusRule/bindy',
        'Role/bindy-leader-election',
        'Role/bindy-own-pod',
        'RoleBinding/bindy-leader-election',
        'RoleBinding/bindy-own-pod',
        'Service/bindy-metrics',
        'ServiceAccount/bindy',
        'ServiceMonitor/bindy',
      ].sort(),
    );
  });

  it('runs the profile replicas, resources and pinned image', () => {
    expect(deployment.spec.replicas).toBe(profile.replicas);
    expect(container.resources).toEqual({ requests: profile.requests, limits: profile.limits });
    expect(container.image).toBe('ghcr.io/firestoned/bindy-ts:0.1.0');
    expect(container.imagePullPolicy).toBe('IfNotPresent');
    expect(deployment.spec.selector.matchLabels.app).toBe('bindy');
    expect(pod.serviceAccountName).toBe('bindy');
    expect(pod.automountServiceAccountToken).toBe(true);
  });

  it('sets the SPEC §1 environment with POD_NAME from metadata.name, leaving LOG_LEVEL unset so RUST_LOG=debug works, and V8\'s heap and malloc sized to the memory limit (NODE_OPTIONS, MALLOC_MMAP_THRESHOLD_)', () => {
    expect(env(deployment)).toEqual({
      ENABLE_LEADER_ELECTION: 'true',
      LEASE_NAME: 'bindy-leader',
      LEASE_NAMESPACE: 'dns-system',
      LEASE_DURATION_SECONDS: String(profile.lease.durationSeconds),
      LEASE_RENEW_DEADLINE_SECONDS: String(profile.lease.renewDeadlineSeconds),
      LEASE_RETRY_PERIOD_SECONDS: String(profile.lease.retryPeriodSeconds),
      POD_NAME: { fieldRef: { fieldPath: 'metadata.name' } },
      POD_NAMESPACE: { fieldRef: { fieldPath: 'metadata.namespace' } },
      METRICS_PORT: '8080',
      HEALTH_PORT: '8081',
      NODE_OPTIONS: `--max-semi-space-size=1 --max-old-space-size=${OLD_SPACE_MIB[profile.limits.memory]}`,
      MALLOC_MMAP_THRESHOLD_: '131072',
    });
  });

  it('gives the pod time to release the lease on shutdown', () => {
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(profile.lease.renewDeadlineSeconds + 10);
  });

  it('probes /healthz and /readyz on the health port', () => {
    const health = container.ports.find((p: { name: string }) => p.name === 'health');
    expect(health.containerPort).toBe(8081);
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'health' });
  });

  it('runs hardened: non-root, read-only root, no capabilities, RuntimeDefault seccomp', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  it('spreads replicas > 1 with preferred hostname anti-affinity, weight 100', () => {
    if (profile.replicas === 1) {
      expect(pod.affinity).toBeUndefined();
      return;
    }
    const terms = pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution;
    expect(terms).toEqual([
      { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: deployment.spec.selector.matchLabels } } },
    ]);
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
  });

  it('spreads across zones in prod only', () => {
    if (name !== 'prod') {
      expect(pod.topologySpreadConstraints).toBeUndefined();
      return;
    }
    expect(pod.topologySpreadConstraints).toEqual([
      expect.objectContaining({ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule' }),
    ]);
  });

  it('has a PodDisruptionBudget that keeps a candidate (or never blocks a single replica)', () => {
    const pdb = find(objects, 'PodDisruptionBudget');
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    if (profile.replicas > 1) expect(pdb.spec).toMatchObject({ minAvailable: 1 });
    else expect(pdb.spec).toMatchObject({ maxUnavailable: 1 });
  });

  it('keeps GitOps tools from pruning CRDs and from failing on missing Prometheus Operator CRDs', () => {
    for (const crd of objects.filter((o) => o.kind === 'CustomResourceDefinition')) {
      expect(crd.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-options': 'Prune=false', 'kustomize.toolkit.fluxcd.io/prune': 'disabled' });
    }
    for (const kind of ['ServiceMonitor', 'PrometheusRule']) {
      expect(find(objects, kind).metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' });
    }
  });

  it('scrapes the metrics port of every replica', () => {
    const svc = find(objects, 'Service', 'bindy-metrics');
    expect(svc.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    const sm = find(objects, 'ServiceMonitor');
    expect(sm.spec.selector.matchLabels).toEqual(svc.metadata.labels);
    expect(sm.spec.endpoints[0].port).toBe('metrics');
  });
});

describe('RBAC', () => {
  const objects = synthAll('prod');
  const clusterRole = find(objects, 'ClusterRole', 'bindy');
  const role = find(objects, 'Role', 'bindy-leader-election');
  type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
  const verbsFor = (rules: Rule[], group: string, resource: string): string[] =>
    rules.filter((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && !r.resourceNames).flatMap((r) => r.verbs).sort();

  it('binds the ClusterRole, the lease Role and the own-pod Role to ServiceAccount dns-system/bindy', () => {
    for (const [kind, name] of [['ClusterRoleBinding', undefined], ['RoleBinding', 'bindy-leader-election'], ['RoleBinding', 'bindy-own-pod']] as const) {
      expect(find(objects, kind, name).subjects).toEqual([{ kind: 'ServiceAccount', name: 'bindy', namespace: 'dns-system' }]);
    }
  });

  it('lets the operator get pods only in its own namespace (its own Pod\'s image for the agent sidecar)', () => {
    const role = find(objects, 'Role', 'bindy-own-pod');
    expect(role.metadata.namespace).toBe('dns-system');
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]);
  });

  it('lets the controllers read bindy resources and merge-patch them and their status only', () => {
    const rules = clusterRole.rules as Rule[];
    expect(verbsFor(rules, 'bindy.firestoned.io', 'dnszones')).toEqual(['list', 'patch', 'watch']);
    expect(verbsFor(rules, 'bindy.firestoned.io', 'dnszones/status')).toEqual(['patch']);
    expect(verbsFor(rules, 'bindy.firestoned.io', 'bind9instances/finalizers')).toEqual(['update']);
    expect(verbsFor(rules, 'bindy.firestoned.io', 'arecords')).toEqual(['list', 'watch']);
    expect(verbsFor(rules, 'bindy.firestoned.io', 'arecords/finalizers')).toEqual([]);
  });

  it('grants exactly the verbs the controllers use on built-in kinds, and nothing on RBAC cluster-wide', () => {
    const rules = clusterRole.rules as Rule[];
    for (const r of ['configmaps', 'serviceaccounts', 'services']) expect(verbsFor(rules, '', r)).toEqual(['create', 'get', 'update']);
    expect(verbsFor(rules, '', 'secrets')).toEqual(['create', 'get', 'list', 'watch']);
    expect(verbsFor(rules, 'apps', 'deployments')).toEqual(['create', 'get', 'list', 'update', 'watch']);
    expect(verbsFor(rules, '', 'pods')).toEqual(['list', 'watch']);
    expect(verbsFor(rules, 'apps', 'replicasets')).toEqual(['list', 'watch']);
    expect(verbsFor(rules, 'discovery.k8s.io', 'endpointslices')).toEqual(['list', 'watch']);
    expect(verbsFor(rules, '', 'events')).toEqual(['create']);
    expect(verbsFor(rules, 'rbac.authorization.k8s.io', 'roles')).toEqual([]);
    expect(verbsFor(rules, 'coordination.k8s.io', 'leases')).toEqual([]);
    expect(rules.some((r) => r.verbs.includes('*') || r.resources.includes('*') || r.apiGroups.includes('*'))).toBe(false);
  });

  it('lets the operator get, create, update and patch leases (SPEC §7; the guide\'s auth can-i check), watch only its own, and manage the agents\' lease-reader RBAC in the lease namespace', () => {
    expect(role.metadata.namespace).toBe('dns-system');
    expect(role.rules).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update', 'patch'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['bindy-leader'], verbs: ['watch'] },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: ['create', 'get', 'update', 'delete'] },
    ]);
  });
});
