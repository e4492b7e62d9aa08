/**
 * A frozen leader cannot change what BIND serves. Operator replicas are real processes of
 * src/main.ts; pods are real named + agent (testbed/node). In each run the leader's next push is
 * held in flight (AgentGate), the leader is frozen with SIGSTOP past the lease duration, the
 * standby takes over and pushes newer data, then the held push is delivered and the old leader
 * resumed with SIGCONT. The agent must refuse the held push (409), `dig` must keep answering the
 * new leader's data, and the old leader must end up a standby.
 */
import { pino } from 'pino';
import type { KubeClient } from '../../src/kube/api-client.js';
import type { PodRuntime, TestNode } from '../../testbed/node/node.js';
import { loadTestbed } from '../../testbed/state.js';
import { ReplicaGroup, type Member } from '../support/leader-cluster.js';
import { deleteDnsObjects, dig, eventually, LEASE_NS, prepareDnsTest, startNode } from './dns-support.js';

const NS = 'dns-frozen';
const LEASE = 'bindy-frozen-leader';
const API = `/apis/bindy.firestoned.io/v1beta1/namespaces/${NS}`;
const RUNS = Number(process.env.FROZEN_RUNS ?? 3);
const LEASE_SECONDS = 4;

describe('a leader frozen past its lease (SIGSTOP) cannot write after the takeover', () => {
  let admin: KubeClient;
  let node: TestNode;
  let group: ReplicaGroup;
  const stopNode = new AbortController();
  let nodeRun: Promise<void> = Promise.resolve();
  let unlock: () => void = () => undefined;

  beforeAll(async () => {
    ({ admin, unlock } = await prepareDnsTest(NS));
    await admin.delete(`/apis/coordination.k8s.io/v1/namespaces/${LEASE_NS}/leases/${LEASE}`).catch(() => undefined);
    node = startNode(admin, pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), LEASE, 60, NS, true);
    nodeRun = node.start(stopNode.signal);
    const tb = loadTestbed();
    group = new ReplicaGroup({
      kubeconfig: tb.kubeconfigs.admin,
      server: tb.server,
      env: {
        LEASE_NAME: LEASE,
        LEASE_NAMESPACE: LEASE_NS,
        LEASE_DURATION_SECONDS: String(LEASE_SECONDS),
        LEASE_RENEW_DEADLINE_SECONDS: '3',
        LEASE_RETRY_PERIOD_SECONDS: '1',
        WATCH_NAMESPACE: NS,
        LOG_LEVEL: 'info',
      },
    });
  }, 240_000);

  afterAll(async () => {
    for (const m of group?.members ?? []) m.replica.kill('SIGCONT');
    await deleteDnsObjects(admin, API, [`${API}/dnszones/frozen`, `${API}/bind9instances/dns`]);
    await group?.stopAll();
    stopNode.abort();
    await nodeRun;
    admin.close();
    unlock();
  }, 60_000);

  /** Fault cuts the leader off (frozen process or partitioned link) and later restores it. */
  interface Fault {
    readonly name: string;
    cut(m: Member): void;
    restore(m: Member): void;
  }
  const faults: Fault[] = [
    { name: 'frozen (SIGSTOP)', cut: (m) => m.replica.kill('SIGSTOP'), restore: (m) => m.replica.kill('SIGCONT') },
    // The agent stays reachable: only the link to the apiserver is blackholed (no FIN), as in a partition.
    { name: 'partitioned from the apiserver', cut: (m) => m.proxy.blackhole(), restore: (m) => m.proxy.heal() },
  ];
  let leader: Member;
  let standby: Member;
  let pod: PodRuntime;
  let lastIp = '192.0.2.1';

  it('serves the zone with one leader and one standby', async () => {
    leader = await group.add('frozen-a');
    await leader.replica.waitForLog('Lease acquired, this instance is now the leader', 30_000);
    standby = await group.add('frozen-b');
    await standby.replica.waitForLog(/^Lease already held by/, 30_000);
    await createDnsObjects(admin);
    pod = await eventually(() => node.runtimes()[0] ?? Promise.reject(new Error('no pod yet')), 60_000);
    await eventually(() => expect(dig(pod.address, 'www.frozen.test', 'A')).toBe(lastIp), 60_000);
  }, 120_000);

  it.each(faults)(`refuses every stale write of a leader $name, over ${RUNS} runs, and the serial only rises`, async (fault) => {
    let staleAccepted = 0;
    const fencedBefore = await agentFenced();
    for (let run = 1; run <= RUNS; run++) {
      const serialBefore = soaSerial(pod.address);
      // 1. Hold the leader's next write in flight, then make it write.
      const held = pod.gate!.hold((req) => req.method === 'PUT' && req.headers['x-bindy-epoch-holder'] === leader.name);
      await setAddress(admin, `192.0.2.${100 + run}`);
      await held.held;
      // 2. Cut it off with the write pending; the standby takes over and writes newer data.
      const mark = standby.replica.logs.length;
      fault.cut(leader);
      lastIp = `192.0.2.${200 + run}`;
      await setAddress(admin, lastIp);
      await standby.replica.waitForLog('Lease acquired, this instance is now the leader', (LEASE_SECONDS + 10) * 1000, mark);
      await eventually(() => expect(dig(pod.address, 'www.frozen.test', 'A')).toBe(lastIp), 20_000);
      // 3. The old write arrives late: it must be refused and change nothing.
      const status = await held.release();
      if (status < 300) staleAccepted++;
      expect(status).toBe(409);
      expect(dig(pod.address, 'www.frozen.test', 'A')).toBe(lastIp);
      expect(soaSerial(pod.address)).toBeGreaterThan(serialBefore);
      // 4. The old leader comes back and must end up a standby.
      fault.restore(leader);
      await eventually(async () => expect((await leader.replica.metrics()).get('bindy_is_leader')).toBe(0), 20_000);
      expect((await standby.replica.metrics()).get('bindy_is_leader')).toBe(1);
      [leader, standby] = [standby, leader];
    }
    const refused = (await agentFenced()) - fencedBefore;
    expect(refused).toBeGreaterThanOrEqual(RUNS);
    process.stderr.write(`${fault.name}: stale writes accepted after takeover: ${staleAccepted} over ${RUNS} runs (agent refused ${refused})\n`);
    expect(staleAccepted).toBe(0);
  }, 60_000 + RUNS * 40_000);

  async function agentFenced(): Promise<number> {
    const text = await node.runtimes()[0]!.agent.registry.getSingleMetricAsString('bindy_fenced_writes_total');
    return Number(/component="agent"} (\d+)/.exec(text)?.[1] ?? 0);
  }
});

async function createDnsObjects(admin: KubeClient): Promise<void> {
  const base = { apiVersion: 'bindy.firestoned.io/v1beta1' };
  await admin.create(`${API}/bind9instances`, { ...base, kind: 'Bind9Instance', metadata: { name: 'dns', namespace: NS, labels: { dns: 'frozen' } }, spec: { clusterRef: 'frozen', role: 'primary', replicas: 1 } });
  await admin.create(`${API}/dnszones`, {
    ...base,
    kind: 'DNSZone',
    metadata: { name: 'frozen', namespace: NS },
    spec: { zoneName: 'frozen.test', clusterRef: 'frozen', recordsFrom: [{ selector: { matchLabels: { zone: 'frozen' } } }], ttl: 30, soaRecord: { primaryNs: 'ns1.frozen.test.', adminEmail: 'h.frozen.test.', serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 } },
  });
  for (const [name, ip] of [['ns1', '192.0.2.53'], ['www', '192.0.2.1']]) {
    await admin.create(`${API}/arecords`, { ...base, kind: 'ARecord', metadata: { name, namespace: NS, labels: { zone: 'frozen' } }, spec: { name, ipv4Addresses: [ip] } });
  }
}

function soaSerial(address: string): number {
  return Number(dig(address, 'frozen.test', 'SOA').split(/\s+/)[2]);
}

async function setAddress(admin: KubeClient, ip: string): Promise<void> {
  await admin.mergePatch(`${API}/arecords/www`, { spec: { ipv4Addresses: [ip] } });
}
