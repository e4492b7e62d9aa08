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

const CRUD = ['create', 'get', 'list', 'watch', 'update', 'patch', 'delete'];
const READ = ['get', 'list', 'watch'];

/**
 * CLUSTER_RULES are what the controllers use, cluster-wide (bindy resources live in any namespace).
 * Note: `secrets` (and configmaps) are granted in every namespace, kube-system included, because
 * the Bind9Instance controller keeps per-instance rndc/agent Secrets next to the instances.
 */
export const CLUSTER_RULES: k8s.PolicyRule[] = [
  { apiGroups: [GROUP], resources: KINDS.map((k) => RESOURCES[k].plural), verbs: [...READ, 'update', 'patch'] },
  { apiGroups: [GROUP], resources: KINDS.map((k) => `${RESOURCES[k].plural}/status`), verbs: ['get', 'update', 'patch'] },
  { apiGroups: [GROUP], resources: KINDS.map((k) => `${RESOURCES[k].plural}/finalizers`), verbs: ['update'] },
  // A ClusterBind9Provider owns a Bind9Cluster, which owns its Bind9Instances (as upstream).
  { apiGroups: [GROUP], resources: [RESOURCES.Bind9Cluster.plural, RESOURCES.Bind9Instance.plural], verbs: ['create', 'delete'] },
  { apiGroups: [''], resources: ['configmaps', 'secrets', 'serviceaccounts', 'services'], verbs: CRUD },
  { apiGroups: ['apps'], resources: ['deployments'], verbs: CRUD },
  { apiGroups: [''], resources: ['pods'], verbs: READ },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
  { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
  // The Bind9Instance controller creates a Role + RoleBinding that lets each instance's agent
  // `get` the Lease (to check the leader's epoch); RBAC only lets it grant what it holds itself.
  { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: ['create', 'get', 'update', 'patch', 'delete'] },
];

/** leaseRules are the Role rules in the lease namespace. */
export function leaseRules(leaseName: string): k8s.PolicyRule[] {
  return [
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update', 'patch'] },
    // list/watch with resourceNames only authorizes requests with fieldSelector metadata.name=<lease>,
    // which is exactly how the standbys watch the Lease.
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [leaseName], verbs: ['list', 'watch'] },
  ];
}

/**
 * OperatorRbac grants the operator least privilege: a ClusterRole (+ binding) for the
 * controllers, and a Role (+ binding) in the Lease namespace for leader election. Namespaced
 * objects carry their namespace explicitly and cluster-scoped ones none, so this construct can
 * live in a chart without a namespace.
 */
export class OperatorRbac extends Construct {
  readonly clusterRole: k8s.KubeClusterRole;
  readonly leaseRole: k8s.KubeRole;

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
  }
}
