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
import type { TestNode } from '../../testbed/node/node.js';
import { adminClient, loadTestbed } from '../../testbed/state.js';
import { ReplicaGroup, type Member } from '../support/leader-cluster.js';
import { dig, ensureNamespace, eventually, installCrds, LEASE_NS, lockDnsOperator, startNode } from './dns-support.js';

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
    unlock = await lockDnsOperator();
    admin = adminClient();
    await installCrds(admin);
    await ensureNamespace(admin, NS);
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
    for (const path of [`${API}/dnszones/frozen`, `${API}/bind9instances/dns`]) await admin.delete(path).catch(() => undefined);
    await eventually(async () => {
      const list = await admin.get<{ items: unknown[] }>(`${API}/bind9instances`);
      if (list.items.length > 0) throw new Error('instance not gone');
    }, 20_000).catch(() => undefined);
    await group?.stopAll();
    stopNode.abort();
    await nodeRun;
    admin.close();
    unlock();
  }, 60_000);

  it(`refuses every stale write over ${RUNS} runs`, async () => {
    const a = await group.add('frozen-a');
    await a.replica.waitForLog('Lease acquired, this instance is now the leader', 30_000);
    const b = await group.add('frozen-b');
    await b.replica.waitForLog(/^Lease already held by/, 30_000);
    await createDnsObjects(admin);
    const pod = await eventually(() => node.runtimes()[0] ?? Promise.reject(new Error('no pod yet')), 60_000);
    await eventually(() => expect(dig(pod.address, 'www.frozen.test', 'A')).toBe('192.0.2.1'), 60_000);

    let leader: Member = a;
    let standby: Member = b;
    let staleAccepted = 0;
    for (let run = 1; run <= RUNS; run++) {
      // 1. Hold the leader's next write in flight, then make it write.
      const held = pod.gate!.hold((req) => req.method === 'PUT' && req.headers['x-bindy-epoch-holder'] === leader.name);
      await setAddress(admin, `192.0.2.${100 + run}`);
      await held.held;
      // 2. Freeze it with the write pending; the standby takes over and writes newer data.
      const mark = standby.replica.logs.length;
      leader.replica.kill('SIGSTOP');
      await setAddress(admin, `192.0.2.${200 + run}`);
      await standby.replica.waitForLog('Lease acquired, this instance is now the leader', (LEASE_SECONDS + 10) * 1000, mark);
      await eventually(() => expect(dig(pod.address, 'www.frozen.test', 'A')).toBe(`192.0.2.${200 + run}`), 20_000);
      // 3. The old write arrives late: it must be refused and change nothing.
      const status = await held.release();
      if (status < 300) staleAccepted++;
      expect(status).toBe(409);
      expect(dig(pod.address, 'www.frozen.test', 'A')).toBe(`192.0.2.${200 + run}`);
      // 4. The old leader resumes and must end up a standby.
      leader.replica.kill('SIGCONT');
      await eventually(async () => expect((await leader.replica.metrics()).get('bindy_is_leader')).toBe(0), 20_000);
      expect((await standby.replica.metrics()).get('bindy_is_leader')).toBe(1);
      [leader, standby] = [standby, leader];
    }
    const fenced = await node.runtimes()[0]!.agent.registry.getSingleMetricAsString('bindy_fenced_writes_total');
    const agentFenced = Number(/component="agent"} (\d+)/.exec(fenced)?.[1] ?? 0);
    expect(agentFenced).toBeGreaterThanOrEqual(RUNS);
    expect(dig(pod.address, 'www.frozen.test', 'A')).toBe(`192.0.2.${200 + RUNS}`);
    const operatorFenced = (await Promise.all([a, b].map(async (m) => (await m.replica.metrics()).get('bindy_fenced_writes_total{component="operator"}') ?? 0))).reduce((x, y) => x + y, 0);
    process.stderr.write(`stale writes accepted after takeover: ${staleAccepted} over ${RUNS} runs (agent refused ${agentFenced}; refusals seen by the old leaders: ${operatorFenced})\n`);
    expect(staleAccepted).toBe(0);
  }, 60_000 + RUNS * 40_000);
});

async function createDnsObjects(admin: KubeClient): Promise<void> {
  const base = { apiVersion: 'bindy.firestoned.io/v1beta1' };
  await admin.create(`${API}/bind9instances`, { ...base, kind: 'Bind9Instance', metadata: { name: 'dns', namespace: NS, labels: { dns: 'frozen' } }, spec: { replicas: 1 } });
  await admin.create(`${API}/dnszones`, {
    ...base,
    kind: 'DNSZone',
    metadata: { name: 'frozen', namespace: NS },
    spec: { zoneName: 'frozen.test', instanceSelector: { matchLabels: { dns: 'frozen' } }, ttl: 30, soaRecord: { primaryNs: 'ns1.frozen.test', adminEmail: 'h@frozen.test' } },
  });
  for (const [name, ip] of [['ns1', '192.0.2.53'], ['www', '192.0.2.1']]) {
    await admin.create(`${API}/arecords`, { ...base, kind: 'ARecord', metadata: { name, namespace: NS }, spec: { zoneRef: 'frozen', name, ipv4Address: ip } });
  }
}

async function setAddress(admin: KubeClient, ip: string): Promise<void> {
  await admin.mergePatch(`${API}/arecords/www`, { spec: { ipv4Address: ip } });
}
