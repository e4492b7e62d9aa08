import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import { GROUP, KINDS, RESOURCES } from './crd-source.js';
import { requireLabel, requireSubdomain } from './validation.js';

/** OperatorRbacProps configures the operator's permissions. */
export interface OperatorRbacProps {
  /** Namespace of the operator's ServiceAccount. */
  readonly namespace: string;
  /** ServiceAccount the permissions are granted to. @default "bindy" */
  readonly serviceAccountName?: string;
  /** Name of the ClusterRole, Role and bindings. @default "bindy" */
  readonly name?: string;
  /** Name of the leader-election Lease. @default "bindy-leader" */
  readonly leaseName?: string;
  /** Namespace of the Lease. @default - the operator namespace */
  readonly leaseNamespace?: string;
  /** Labels added to every object. @default {} */
  readonly labels?: Record<string, string>;
}

/**
 * CLUSTER_RULES are exactly what the controllers use in every namespace, as proven by
 * test/integration/rbac-audit.test.ts from the apiserver's audit log (docs/security.md):
 * - bindy resources: list/watch (informers), status patch; instances and zones also patch (finalizers);
 * - per-instance objects: create, get and a resourceVersion-guarded update, never delete (the
 *   garbage collector deletes them through owner references);
 * - Secrets: create once, get, list/watch by label (RBAC cannot scope by label: see docs/security.md);
 * - Bind9Clusters (made by a ClusterBind9Provider) and Bind9Instances (made by a Bind9Cluster):
 *   create and a guarded update; surplus instances are deleted;
 * - `clusterbind9providers`, `bind9clusters` and `bind9instances` `/finalizers` update: asked by the
 *   OwnerReferencesPermissionEnforcement admission plugin before an owner reference with
 *   blockOwnerDeletion is set (an admission check, not a request).
 */
export const CLUSTER_RULES: k8s.PolicyRule[] = [
  { apiGroups: [GROUP], resources: KINDS.map((k) => RESOURCES[k].plural), verbs: ['list', 'watch'] },
  // Only instances and zones carry a finalizer (cleanup of cross-namespace RBAC and of zones in BIND).
  { apiGroups: [GROUP], resources: [RESOURCES.Bind9Instance.plural, RESOURCES.DNSZone.plural], verbs: ['patch'] },
  { apiGroups: [GROUP], resources: KINDS.map((k) => `${RESOURCES[k].plural}/status`), verbs: ['patch'] },
  // A ClusterBind9Provider keeps a Bind9Cluster, which keeps its Bind9Instances (as upstream):
  // created, replaced when they drift, surplus instances deleted.
  { apiGroups: [GROUP], resources: [RESOURCES.Bind9Cluster.plural], verbs: ['create', 'update'] },
  { apiGroups: [GROUP], resources: [RESOURCES.Bind9Instance.plural], verbs: ['create', 'update', 'delete'] },
  { apiGroups: [GROUP], resources: [RESOURCES.ClusterBind9Provider.plural, RESOURCES.Bind9Cluster.plural, RESOURCES.Bind9Instance.plural].map((r) => `${r}/finalizers`), verbs: ['update'] },
  { apiGroups: [''], resources: ['configmaps', 'serviceaccounts', 'services'], verbs: ['create', 'get', 'update'] },
  { apiGroups: [''], resources: ['secrets'], verbs: ['create', 'get', 'list', 'watch'] },
  { apiGroups: ['apps'], resources: ['deployments'], verbs: ['create', 'get', 'update', 'list', 'watch'] },
  // Each instance's NetworkPolicy: only the operator's pods reach the agent port.
  { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['create', 'get', 'update'] },
  // bindy's pods and ReplicaSets by label: why a rollout is not ready (instance-health.ts), and
  // pushing only to pods the instance's own Deployment made (owned-pods.ts).
  { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
  { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['list', 'watch'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create'] },
];

/**
 * leaseRules are the Role rules in the lease namespace: the Lease itself (SPEC §7: get, create,
 * update, patch, plus watch by name; get/update/patch are not limited by name so that the seed
 * guide's `kubectl auth can-i get leases` check answers yes for a working operator, and create
 * cannot be), and the per-instance Role + RoleBinding that let each instance's agents `get` the Lease,
 * which live here and nowhere else. Their names carry a hash, so no resourceNames; RBAC's
 * escalation check still lets the operator grant only what it holds itself (`get` on this Lease).
 */
export function leaseRules(leaseName: string): k8s.PolicyRule[] {
  return [
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update', 'patch'] },
    // watch with resourceNames authorizes only fieldSelector metadata.name=<lease>: how the standbys watch it.
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [leaseName], verbs: ['watch'] },
    { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: ['create', 'get', 'update', 'delete'] },
  ];
}

/**
 * OWN_POD_RULES are the Role rules in the operator's namespace: `get` on pods, to read its own
 * Pod's image for the agent sidecar (src/controllers/agent-image.ts). Pod names are generated, so
 * no resourceNames; the Role is confined to the operator's namespace.
 */
export const OWN_POD_RULES: k8s.PolicyRule[] = [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }];

/**
 * OperatorRbac grants the operator least privilege: a ClusterRole (+ binding) for the
 * controllers, a Role (+ binding) in the Lease namespace for leader election, and a Role
 * (+ binding) in its own namespace to read its own Pod. Namespaced
 * objects carry their namespace explicitly and cluster-scoped ones none, so this construct can
 * live in a chart without a namespace.
 */
export class OperatorRbac extends Construct {
  readonly clusterRole: k8s.KubeClusterRole;
  readonly leaseRole: k8s.KubeRole;
  readonly ownPodRole: k8s.KubeRole;

  constructor(scope: Construct, id: string, props: OperatorRbacProps) {
    super(scope, id);
    const o = 'OperatorRbac';
    const name = props.name ?? 'bindy';
    const sa = props.serviceAccountName ?? 'bindy';
    const leaseName = props.leaseName ?? 'bindy-leader';
    const leaseNamespace = props.leaseNamespace ?? props.namespace;
    requireLabel(o, 'namespace', props.namespace);
    requireLabel(o, 'leaseNamespace', leaseNamespace);
    requireSubdomain(o, 'leaseName', leaseName);
    requireSubdomain(o, 'name', name);
    requireSubdomain(o, 'serviceAccountName', sa);

    const labels = { 'app.kubernetes.io/name': 'bindy', 'app.kubernetes.io/part-of': 'bindy', ...props.labels };
    const subjects: k8s.Subject[] = [{ kind: 'ServiceAccount', name: sa, namespace: props.namespace }];

    this.clusterRole = new k8s.KubeClusterRole(this, 'ClusterRole', { metadata: { name, labels }, rules: CLUSTER_RULES });
    new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects,
    });
    const leaseRoleName = `${name}-leader-election`;
    this.leaseRole = new k8s.KubeRole(this, 'LeaseRole', {
      metadata: { name: leaseRoleName, namespace: leaseNamespace, labels },
      rules: leaseRules(leaseName),
    });
    new k8s.KubeRoleBinding(this, 'LeaseRoleBinding', {
      metadata: { name: leaseRoleName, namespace: leaseNamespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: leaseRoleName },
      subjects,
    });
    const ownPodRoleName = `${name}-own-pod`;
    this.ownPodRole = new k8s.KubeRole(this, 'OwnPodRole', { metadata: { name: ownPodRoleName, namespace: props.namespace, labels }, rules: OWN_POD_RULES });
    new k8s.KubeRoleBinding(this, 'OwnPodRoleBinding', {
      metadata: { name: ownPodRoleName, namespace: props.namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: ownPodRoleName },
      subjects,
    });
  }
}
