import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeClient } from '../../src/kube/api-client.js';
import { kubeconfigVia, startReplica, type Replica } from './replica.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/** Member is one replica with its own cuttable link to the apiserver. */
export interface Member {
  readonly name: string;
  readonly replica: Replica;
  readonly proxy: TcpProxy;
}

export interface ReplicaGroupOptions {
  /** kubeconfig whose user the replicas act as (admin, or a ServiceAccount's). */
  readonly kubeconfig: string;
  readonly server: string;
  readonly env: Readonly<Record<string, string>>;
  readonly echo?: boolean;
  /** entry is passed to startReplica (e.g. BUILT_ENTRY). */
  readonly entry?: readonly string[];
}

/**
 * ReplicaGroup runs operator replicas as real child processes, each through its own TCP proxy,
 * so a test can partition one replica from the apiserver without touching the others.
 */
export class ReplicaGroup {
  readonly members: Member[] = [];
  private readonly dir = mkdtempSync(join(tmpdir(), 'bindy-replicas-'));

  constructor(private readonly options: ReplicaGroupOptions) {}

  async add(name: string, env: Readonly<Record<string, string>> = {}): Promise<Member> {
    const proxy = await startTcpProxy(this.options.server);
    const kubeconfig = kubeconfigVia(this.options.kubeconfig, proxy.url, join(this.dir, `${name}.kubeconfig`));
    const replica = startReplica({ name, kubeconfig, env: { ...this.options.env, ...env }, echo: this.options.echo, entry: this.options.entry });
    const member = { name, replica, proxy };
    this.members.push(member);
    return member;
  }

  get(name: string): Member {
    const member = this.members.find((m) => m.name === name);
    if (!member) throw new Error(`no replica ${name}`);
    return member;
  }

  /** running lists members whose process has not exited. */
  running(): Member[] {
    return this.members.filter((m) => m.replica.proc.exitCode === null && m.replica.proc.signalCode === null);
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.members.map(async (m) => {
      await m.replica.stop();
      await m.proxy.close();
    }));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** LeaseView is what the tests read of the Lease (as the admin, not through any proxy). */
export interface LeaseSpec {
  holderIdentity?: string;
  leaseTransitions?: number;
  leaseDurationSeconds?: number;
  renewTime?: string;
  acquireTime?: string;
  preferredHolder?: string;
  strategy?: string;
}

export async function readLease(admin: KubeClient, namespace: string, name: string): Promise<{ metadata: { resourceVersion: string }; spec: LeaseSpec } | undefined> {
  return admin.get<{ metadata: { resourceVersion: string }; spec: LeaseSpec }>(`/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${name}`).catch(() => undefined);
}

/** waitFor polls fn until it returns a truthy value or the timeout passes. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** createNamespace makes a fresh namespace for one test file. */
export async function createNamespace(admin: KubeClient, prefix: string): Promise<string> {
  const name = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
  await admin.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

/** sumMetric adds a metric across replicas (e.g. sum(bindy_is_leader)). */
export async function sumMetric(members: readonly Member[], key: string): Promise<number> {
  const values = await Promise.all(members.map(async (m) => (await m.replica.metrics()).get(key) ?? 0));
  return values.reduce((a, b) => a + b, 0);
}

/** grantLeaseRole creates the Role + RoleBinding of SPEC §7 for dns-system/bindy in `ns`. */
export async function grantLeaseRole(admin: KubeClient, ns: string, lease: string): Promise<void> {
  const rbac = `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}`;
  await admin.create(`${rbac}/roles`, {
    metadata: { name: 'bindy-leader-election' },
    rules: [
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update', 'patch'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['watch'], resourceNames: [lease] },
    ],
  });
  await admin.create(`${rbac}/rolebindings`, {
    metadata: { name: 'bindy-leader-election' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'bindy-leader-election' },
    subjects: [{ kind: 'ServiceAccount', name: 'bindy', namespace: 'dns-system' }],
  });
}
