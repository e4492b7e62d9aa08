/**
 * Someone else touches the Lease: it is deleted, overwritten by a stranger, or annotated /
 * given a preferredHolder. The leader must step down at once when the Lease no longer names
 * its term, and must never delete fields others wrote.
 */
import type { KubeClient } from '../../src/kube/api-client.js';
import { microTime } from '../../src/leader/clock.js';
import { adminClient, loadTestbed } from '../../testbed/state.js';
import { ReplicaGroup, createNamespace, readLease, sumMetric, waitFor, type Member } from '../support/leader-cluster.js';

const LEASE = 'bindy-leader';

describe('a Lease changed behind the leader', () => {
  let admin: KubeClient;
  let ns: string;
  let group: ReplicaGroup;
  const path = (): string => `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/${LEASE}`;
  const holder = async (): Promise<string | undefined> => (await readLease(admin, ns, LEASE))?.spec.holderIdentity || undefined;
  const leaderMember = async (): Promise<Member> => group.get(await waitFor('a lease holder', async () => {
    const h = await holder();
    return h && h !== 'stranger' ? h : undefined;
  }));

  beforeAll(async () => {
    const bed = loadTestbed();
    admin = adminClient();
    ns = await createNamespace(admin, 'leader-tamper');
    group = new ReplicaGroup({
      kubeconfig: bed.kubeconfigs.admin,
      server: bed.server,
      env: { LEASE_NAMESPACE: ns, BINDY_DNS_CONTROLLERS: 'false', LEASE_DURATION_SECONDS: '4', LEASE_RENEW_DEADLINE_SECONDS: '3', LEASE_RETRY_PERIOD_SECONDS: '1' },
    });
    await Promise.all(['tamper-a', 'tamper-b'].map((n) => group.add(n)));
    await Promise.any(group.members.map((m) => m.replica.waitForLog('Lease acquired, this instance is now the leader', 30_000)));
  });

  afterAll(async () => {
    await group?.stopAll();
    await admin?.delete(`/api/v1/namespaces/${ns}`).catch(() => undefined);
    admin?.close();
  });

  it('keeps annotations and coordinated-election fields that others wrote', async () => {
    const leader = await leaderMember();
    await admin.mergePatch(path(), { metadata: { annotations: { 'example.com/owner': 'dns-team' } }, spec: { preferredHolder: leader.name, strategy: 'OldestEmulationVersion' } });
    const patched = await readLease(admin, ns, LEASE);
    await new Promise((r) => setTimeout(r, 3000));
    const later = await admin.get<{ metadata: { annotations?: Record<string, string> }; spec: Record<string, unknown> }>(path());
    expect(later.metadata.annotations?.['example.com/owner']).toBe('dns-team');
    if (patched?.spec.preferredHolder) {
      expect(later.spec).toMatchObject({ preferredHolder: leader.name, strategy: 'OldestEmulationVersion' });
    } else {
      console.log('apiserver drops spec.preferredHolder/strategy (CoordinatedLeaderElection feature gate off): only annotations checked');
    }
    expect(later.spec.holderIdentity).toBe(leader.name);
    expect(leader.replica.count((l) => l.msg.startsWith('Leadership lost'))).toBe(0);
  });

  it('steps down at once when a stranger overwrites the Lease, and takes it back after it expires', async () => {
    const leader = await leaderMember();
    const mark = leader.replica.logs.length;
    const current = (await readLease(admin, ns, LEASE))!;
    const now = microTime(Date.now() * 1000);
    const writtenAt = Date.now();
    await admin.mergePatch(path(), {
      metadata: { resourceVersion: current.metadata.resourceVersion },
      spec: { holderIdentity: 'stranger', renewTime: now, acquireTime: now, leaseTransitions: (current.spec.leaseTransitions ?? 0) + 1 },
    });
    const lost = await leader.replica.waitForLog((l) => l.msg === 'Leadership lost! Stopping all operators...', 5000, mark);
    console.log(`stranger overwrite: ${leader.name} stopped ${lost.receivedAt - writtenAt} ms after the write (${String(lost.reason)})`);
    expect(lost.reason).toBe('lease is held by stranger');
    expect(lost.receivedAt - writtenAt).toBeLessThan(1500);
    for (const m of group.members) await m.replica.waitForLog('Lease already held by stranger', 5000, m === leader ? mark : 0);
    const back = await leaderMember();
    const acquired = await back.replica.waitForLog((l) => l.msg === 'Lease acquired, this instance is now the leader' && l.receivedAt > writtenAt, 10_000);
    expect(acquired.receivedAt - writtenAt).toBeGreaterThanOrEqual(3500);
    expect(Number(acquired.transitions)).toBe((current.spec.leaseTransitions ?? 0) + 2);
  });

  it('steps down when the Lease is deleted; a new Lease continues the epochs', async () => {
    const leader = await leaderMember();
    const before = (await readLease(admin, ns, LEASE))!.spec.leaseTransitions ?? 0;
    const mark = leader.replica.logs.length;
    await admin.delete(path());
    const lost = await leader.replica.waitForLog((l) => l.msg === 'Leadership lost! Stopping all operators...', 5000, mark);
    expect(lost.reason).toBe('lease was deleted');
    const lease = await waitFor('a recreated lease', async () => {
      const l = await readLease(admin, ns, LEASE);
      return l?.spec.holderIdentity ? l : undefined;
    }, 10_000);
    expect(lease.spec.leaseTransitions).toBeGreaterThan(before);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await sumMetric(group.running(), 'bindy_is_leader')).toBe(1);
    const elections = await sumMetric(group.running(), 'bindy_leader_elections_total');
    expect(elections).toBeGreaterThanOrEqual(3);
  });
});
