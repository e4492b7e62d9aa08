/**
 * The operator as the real ServiceAccount (system:serviceaccount:dns-system:bindy): with only the
 * Role of SPEC §7 it elects; without it, it says "forbidden" clearly and keeps retrying. Plus the
 * startup contract: a bad variable exits 2, and disabled election warns and runs at once.
 */
import type { KubeClient } from '../../src/kube/api-client.js';
import { adminClient, loadTestbed } from '../../testbed/state.js';
import { eventually } from '../support/eventually.js';
import { startReplica } from '../support/replica.js';
import { ReplicaGroup, createNamespace, grantLeaseRole, readLease } from '../support/leader-cluster.js';

const LEASE = 'bindy-leader';
const TIMING = { BINDY_DNS_CONTROLLERS: 'false', LEASE_DURATION_SECONDS: '4', LEASE_RENEW_DEADLINE_SECONDS: '3', LEASE_RETRY_PERIOD_SECONDS: '1' };

describe('leader election as the bindy ServiceAccount', () => {
  let admin: KubeClient;
  let ns: string;
  let group: ReplicaGroup;

  beforeAll(async () => {
    const bed = loadTestbed();
    admin = adminClient();
    ns = await createNamespace(admin, 'leader-rbac');
    group = new ReplicaGroup({ kubeconfig: bed.kubeconfigs.bindy, server: bed.server, env: { LEASE_NAMESPACE: ns, ...TIMING } });
  });

  afterAll(async () => {
    await group?.stopAll();
    await admin?.delete(`/api/v1/namespaces/${ns}`).catch(() => undefined);
    admin?.close();
  });

  it('without the Role it logs forbidden and keeps retrying; once granted, it elects and watches', async () => {
    const { replica } = await group.add('rbac-0');
    const forbidden = await replica.waitForLog((l) => /forbidden/i.test(l.msg), 20_000);
    expect(forbidden.level).toBe('error');
    expect(forbidden.code).toBe(403);
    await new Promise((r) => setTimeout(r, 3000));
    expect(replica.proc.exitCode).toBeNull();
    expect(replica.count('Lease acquired, this instance is now the leader')).toBe(0);
    await grantLeaseRole(admin, ns, LEASE);
    const acquired = await replica.waitForLog('Lease acquired, this instance is now the leader', 20_000);
    expect(acquired.identity).toBe('rbac-0');
    expect((await readLease(admin, ns, LEASE))?.spec.holderIdentity).toBe('rbac-0');
    // A standby with the same Role sees the holder through its (name-scoped) watch.
    const standby = await group.add('rbac-1');
    await standby.replica.waitForLog('Lease already held by rbac-0', 20_000);
    // Ready once its watch is open, which may be a moment after the GET that found the holder.
    await eventually(async () => expect(await standby.replica.probe('/readyz')).toBe(200), 5_000);
    expect(standby.replica.count((l) => /forbidden/i.test(l.msg))).toBe(0);
  });
});

describe('startup contract', () => {
  it('exits 2 with one line naming the variable, value and rule before touching the cluster', async () => {
    const replica = startReplica({ name: 'bad-config', kubeconfig: '/nonexistent', env: { LEASE_RENEW_DEADLINE_SECONDS: '20' } });
    const { code } = await replica.exited;
    expect(code).toBe(2);
    expect(replica.logs).toHaveLength(1);
    expect(replica.logs[0]).toMatchObject({ level: 'fatal', variable: 'LEASE_RENEW_DEADLINE_SECONDS', value: '20' });
    expect(String(replica.logs[0]!.rule)).toMatch(/less than LEASE_DURATION_SECONDS \(15\)/);
  });

  it('with ENABLE_LEADER_ELECTION=false it warns and starts the controllers at once, without a Lease', async () => {
    const bed = loadTestbed();
    const admin = adminClient();
    const ns = await createNamespace(admin, 'leader-off');
    const replica = startReplica({ name: 'solo', kubeconfig: bed.kubeconfigs.admin, env: { ENABLE_LEADER_ELECTION: 'false', LEASE_NAMESPACE: ns, BINDY_DNS_CONTROLLERS: 'false' } });
    try {
      const warning = await replica.waitForLog((l) => l.level === 'warn' && /disabled/.test(l.msg), 20_000);
      expect(warning.msg).toMatch(/more than one replica/);
      await replica.waitForLog('Starting all operators');
      expect(await readLease(admin, ns, LEASE)).toBeUndefined();
      expect((await replica.metrics()).get('bindy_is_leader')).toBe(1);
      replica.kill('SIGTERM');
      expect((await replica.exited).code).toBe(0);
    } finally {
      await replica.stop();
      await admin.delete(`/api/v1/namespaces/${ns}`).catch(() => undefined);
      admin.close();
    }
  });
});
