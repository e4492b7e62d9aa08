import { renderDnssecPolicy, signingOf } from '../dns/dnssec-policy.js';
import { createHash } from 'node:crypto';
import { AGENT_PATHS } from '../agent/cli.js';
import { AGENT_PORT } from '../agent/client.js';
import { DEFAULTS, type Bind9Instance } from '../crds/types.js';
import { POD_PATHS, renderNamedConf } from '../dns/named-conf.js';
import { ownerReferenceTo, type KubeObject } from '../kube/objects.js';

/** INSTANCE_LABEL marks every object made for a Bind9Instance (and its pods). */
export const INSTANCE_LABEL = 'bindy.firestoned.io/instance';
/** INSTANCE_NAMESPACE_LABEL names the owning instance's namespace (objects outside it have no owner reference). */
export const INSTANCE_NAMESPACE_LABEL = 'bindy.firestoned.io/instance-namespace';
/** OWNER_ANNOTATION holds the exact `namespace/name` of the owning instance (labels cap values at 63 characters). */
export const OWNER_ANNOTATION = 'bindy.firestoned.io/owner';
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'bindy' } as const;

/** ownerKey is the `namespace/name` an object made for this instance carries in OWNER_ANNOTATION. */
export function ownerKey(instance: Bind9Instance): string {
  return `${instance.metadata.namespace}/${instance.metadata.name}`;
}

/**
 * isOwnedBy tells whether an existing object was made for this instance. An object with an owner
 * annotation must name exactly this instance; one without (made before the annotation existed)
 * counts only inside the instance's namespace with its instance label, where names cannot collide.
 */
export function isOwnedBy(object: KubeObject, instance: Bind9Instance): boolean {
  const owner = object.metadata.annotations?.[OWNER_ANNOTATION];
  if (owner !== undefined) return owner === ownerKey(instance);
  return object.metadata.namespace === instance.metadata.namespace && object.metadata.labels?.[INSTANCE_LABEL] === instance.metadata.name;
}

/**
 * crossNamespaceName names an object made for an instance in another namespace. A plain
 * `<namespace>-<name>` collides (`adv`/`b-c` and `adv-b`/`c`), so the name ends in a hash of the
 * pair (the separator cannot occur in either part); the readable prefix is cut so the whole stays
 * a valid 63-character DNS label, which every RBAC and Kubernetes name accepts.
 */
export function crossNamespaceName(prefix: string, instance: Bind9Instance): string {
  const hash = createHash('sha256').update(ownerKey(instance)).digest('hex').slice(0, 12);
  const readable = `${prefix}-${instance.metadata.namespace}-${instance.metadata.name}`.slice(0, 63 - hash.length - 1).replace(/[-.]+$/, '');
  return `${readable}-${hash}`;
}

/**
 * Cached per instance object (the caches replace an object on every change, never edit it): every
 * zone reconcile asks for its instances' names, and the lease reader's hash was 8% of a leader's zone
 * reconciles (CPU profile of a 1,000-zone import).
 */
const namesOf = new WeakMap<Bind9Instance, ReturnType<typeof deriveNames>>();

/** InstanceNames are the names of an instance's objects, derived once so every reader agrees. */
export function instanceNames(instance: Bind9Instance): ReturnType<typeof deriveNames> {
  let names = namesOf.get(instance);
  if (!names) namesOf.set(instance, (names = deriveNames(instance)));
  return names;
}

function deriveNames(instance: Bind9Instance) {
  const name = instance.metadata.name;
  return {
    deployment: name,
    service: name,
    serviceAccount: name,
    config: `${name}-config`,
    rndcSecret: `${name}-rndc`,
    agentSecret: `${name}-agent`,
    networkPolicy: name,
    // In the lease namespace, shared by every instance: a hash of namespace and name keeps it unique.
    leaseReader: crossNamespaceName('bindy-lease-reader', instance),
  };
}

export interface InstanceSettings {
  /** Image of the agent sidecar (the operator's own image, `bindy agent`). */
  readonly agentImage: string;
  readonly leaseNamespace: string;
  /** The operator's own namespace: only its pods (label `app: bindy`) may reach the agents. */
  readonly operatorNamespace: string;
  readonly leaseName: string;
  readonly leaderElection: boolean;
}

/** ownerLabels mark an object as bindy's and name its instance. */
export function ownerLabels(instance: Bind9Instance): Record<string, string> {
  return { ...MANAGED_BY, [INSTANCE_LABEL]: instance.metadata.name, [INSTANCE_NAMESPACE_LABEL]: instance.metadata.namespace ?? '' };
}

function meta(instance: Bind9Instance, name: string, namespace = instance.metadata.namespace, owned = true): KubeObject['metadata'] {
  return {
    name,
    namespace,
    labels: ownerLabels(instance),
    annotations: { [OWNER_ANNOTATION]: ownerKey(instance) },
    ...(owned ? { ownerReferences: [ownerReferenceTo(instance as Bind9Instance & { apiVersion: string; kind: string })] } : {}),
  };
}

/** namedConfFor renders the instance's named.conf; absent or null options take DEFAULTS. */
export function namedConfFor(instance: Bind9Instance): string {
  const c = instance.spec.config ?? {};
  const d = DEFAULTS.bind9Instance.config;
  // version.bind is always hidden: upstream has no option for it, and revealing it helps attackers.
  const signing = signingOf(instance);
  return renderNamedConf({ recursion: c.recursion ?? d.recursion, allowQuery: c.allowQuery ?? [...d.allowQuery], allowTransfer: c.allowTransfer ?? [...d.allowTransfer], hideVersion: true, dnssecPolicies: signing ? renderDnssecPolicy(signing) : '' });
}

/** NAMED_IMAGE is the named image when spec.image.image is absent (tagged by spec.version). */
export function namedImage(instance: Bind9Instance): string {
  return instance.spec.image?.image ?? `internetsystemsconsortium/bind9:${instance.spec.version ?? DEFAULTS.bind9Instance.version}`;
}

/** podLabels select the instance's pods (Deployment selector, Service selector). */
export function podLabels(instance: Bind9Instance): Record<string, string> {
  return { 'app.kubernetes.io/name': 'bind9', [INSTANCE_LABEL]: instance.metadata.name };
}

/** ownedObjects are the objects the instance reconciler keeps equal to this description (Secrets excluded: generated once; `agentTlsSecret` holds the agent's certificate). */
export function ownedObjects(instance: Bind9Instance, s: InstanceSettings, agentTlsSecret: string): Array<{ plural: string; apiVersion: string; object: KubeObject & Record<string, unknown> }> {
  const n = instanceNames(instance);
  // In this order: what the pods need (their Lease permission) and what guards them (the
  // NetworkPolicy) exist before the Deployment starts any pod.
  return [
    { plural: 'serviceaccounts', apiVersion: 'v1', object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(instance, n.serviceAccount) } },
    { plural: 'configmaps', apiVersion: 'v1', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(instance, n.config), data: { 'named.conf': namedConfFor(instance) } } },
    { plural: 'services', apiVersion: 'v1', object: service(instance) },
    { plural: 'networkpolicies', apiVersion: 'networking.k8s.io/v1', object: agentNetworkPolicy(instance, s) },
    ...(s.leaderElection ? leaseReaderRbac(instance, s) : []),
    { plural: 'deployments', apiVersion: 'apps/v1', object: deployment(instance, s, agentTlsSecret) },
  ];
}

function service(instance: Bind9Instance) {
  const n = instanceNames(instance);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(instance, n.service),
    spec: {
      selector: podLabels(instance),
      ports: [
        { name: 'dns-udp', port: 53, targetPort: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, targetPort: 53, protocol: 'TCP' },
      ],
    },
  };
}

/**
 * agentNetworkPolicy lets anyone query DNS (53/UDP+TCP) and only the operator's pods reach the
 * agent port. It needs a CNI that enforces NetworkPolicy; the agent's TLS certificate and token
 * protect the channel either way (docs/security.md). The kubelet's probes come from the node,
 * which NetworkPolicy always allows.
 */
function agentNetworkPolicy(instance: Bind9Instance, s: InstanceSettings) {
  const operatorPods = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': s.operatorNamespace } }, podSelector: { matchLabels: { app: 'bindy' } } };
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(instance, instanceNames(instance).networkPolicy),
    spec: {
      podSelector: { matchLabels: podLabels(instance) },
      policyTypes: ['Ingress'],
      ingress: [
        { ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] },
        { from: [operatorPods], ports: [{ protocol: 'TCP', port: AGENT_PORT }] },
      ],
    },
  };
}

/** leaseReaderRbac lets the instance's agents read exactly the leader Lease (to learn the fencing epoch). */
function leaseReaderRbac(instance: Bind9Instance, s: InstanceSettings) {
  const n = instanceNames(instance);
  const metadata = meta(instance, n.leaseReader, s.leaseNamespace, instance.metadata.namespace === s.leaseNamespace);
  return [
    {
      plural: 'roles',
      apiVersion: 'rbac.authorization.k8s.io/v1',
      object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata, rules: [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [s.leaseName], verbs: ['get'] }] },
    },
    {
      plural: 'rolebindings',
      apiVersion: 'rbac.authorization.k8s.io/v1',
      object: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata,
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: n.leaseReader },
        subjects: [{ kind: 'ServiceAccount', name: n.serviceAccount, namespace: instance.metadata.namespace }],
      },
    },
  ];
}

const HARDENED = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
};

function deployment(instance: Bind9Instance, s: InstanceSettings, agentTlsSecret: string) {
  const n = instanceNames(instance);
  const labels = podLabels(instance);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(instance, n.deployment),
    spec: {
      replicas: instance.spec.replicas ?? DEFAULTS.bind9Instance.replicas,
      selector: { matchLabels: labels },
      template: {
        // A changed named.conf must restart named: the hash in the template rolls the pods.
        metadata: { labels: { ...labels, ...MANAGED_BY }, annotations: { 'bindy.firestoned.io/config-hash': createHash('sha256').update(namedConfFor(instance)).digest('hex').slice(0, 16) } },
        spec: {
          serviceAccountName: n.serviceAccount,
          automountServiceAccountToken: s.leaderElection,
          securityContext: {
            runAsNonRoot: true, runAsUser: 101, runAsGroup: 101, fsGroup: 101, seccompProfile: { type: 'RuntimeDefault' },
            // named binds :53 as a non-root user. An added NET_BIND_SERVICE does not work for that: for a
            // non-root process a capability lands only in the bounding set, and named fails with "creating
            // IPv4 interface eth0 failed". This safe sysctl (namespaced to the pod's network, allowed by
            // every kubelet without flags) makes every port unprivileged in the pod. Chosen over an
            // unprivileged container port behind the Service because clients, probes, NOTIFY and zone
            // transfers to pod IPs keep using 53, as BIND users expect.
            sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }],
          },
          containers: [namedContainer(instance), agentContainer(s)],
          volumes: [
            { name: 'data', emptyDir: {} },
            { name: 'run', emptyDir: { medium: 'Memory' } },
            { name: 'config', configMap: { name: n.config } },
            { name: 'rndc', secret: { secretName: n.rndcSecret, defaultMode: 0o440 } },
            { name: 'agent-token', secret: { secretName: n.agentSecret, defaultMode: 0o440 } },
            { name: 'agent-tls', secret: { secretName: agentTlsSecret, defaultMode: 0o440, items: [{ key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }] } },
          ],
        },
      },
    },
  };
}

function namedContainer(instance: Bind9Instance) {
  return {
    name: 'bind9',
    image: namedImage(instance),
    imagePullPolicy: instance.spec.image?.imagePullPolicy ?? 'IfNotPresent',
    command: ['named', '-g', '-c', `${POD_PATHS.configDir}/named.conf`],
    ports: [
      { name: 'dns-udp', containerPort: 53, protocol: 'UDP' },
      { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
    ],
    readinessProbe: { tcpSocket: { port: 53 }, periodSeconds: 5 },
    livenessProbe: { tcpSocket: { port: 53 }, initialDelaySeconds: 10, periodSeconds: 10 },
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    // No capability at all: port 53 is unprivileged in the pod (the sysctl in the pod's securityContext).
    securityContext: HARDENED,
    volumeMounts: [
      { name: 'data', mountPath: POD_PATHS.data },
      { name: 'run', mountPath: '/run/named' },
      { name: 'config', mountPath: POD_PATHS.configDir, readOnly: true },
      { name: 'rndc', mountPath: POD_PATHS.rndcKeyDir, readOnly: true },
    ],
  };
}

function agentContainer(s: InstanceSettings) {
  return {
    name: 'agent',
    image: s.agentImage,
    imagePullPolicy: 'IfNotPresent',
    args: ['agent'],
    env: [
      { name: 'AGENT_PORT', value: String(AGENT_PORT) },
      { name: 'AGENT_DATA_DIR', value: AGENT_PATHS.dataDir },
      { name: 'ENABLE_LEADER_ELECTION', value: String(s.leaderElection) },
      { name: 'LEASE_NAMESPACE', value: s.leaseNamespace },
      { name: 'LEASE_NAME', value: s.leaseName },
    ],
    ports: [{ name: 'agent', containerPort: AGENT_PORT, protocol: 'TCP' }],
    // The agent speaks only TLS; the kubelet's HTTPS probe does not verify the certificate.
    readinessProbe: { httpGet: { path: '/healthz', port: AGENT_PORT, scheme: 'HTTPS' }, periodSeconds: 5 },
    livenessProbe: { httpGet: { path: '/healthz', port: AGENT_PORT, scheme: 'HTTPS' }, initialDelaySeconds: 5, periodSeconds: 10 },
    resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
    securityContext: HARDENED,
    volumeMounts: [
      { name: 'data', mountPath: POD_PATHS.data },
      { name: 'rndc', mountPath: POD_PATHS.rndcKeyDir, readOnly: true },
      { name: 'agent-token', mountPath: '/etc/bindy/agent', readOnly: true },
      { name: 'agent-tls', mountPath: AGENT_PATHS.tlsDir, readOnly: true },
    ],
  };
}
