/**
 * A leadership term never acts on a partial cache (real apiserver): a replica that takes the
 * lease before its informers have listed everything — a rollout's new pod — waits for them. The
 * term's first write is the agent CA Secret in the operator's namespace, so its absence shows the
 * term has not begun; once the informers sync, it begins.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { AGENT_CA_SECRET } from '../../src/controllers/agent-certificates.js';
import { createControllers } from '../../src/controllers/manager.js';
import type { KubeClient } from '../../src/kube/api-client.js';
import { OperatorMetrics } from '../../src/observability/metrics.js';
import { ensureNamespace, eventually, holdLease, prepareDnsTest } from './dns-support.js';

const NS = 'term-cache-sync';
const OPERATOR_NS = 'term-cache-sync-system';
const LEASE = 'bindy-term-cache-sync';
const CA = `/api/v1/namespaces/${OPERATOR_NS}/secrets/${AGENT_CA_SECRET}`;

describe('a leadership term waits for synced caches (real apiserver)', () => {
  let admin: KubeClient;
  let unlock: () => void = () => undefined;
  const stop = new AbortController();
  const runs: Array<Promise<void>> = [];
  const messages: string[] = [];

  beforeAll(async () => {
    ({ admin, unlock } = await prepareDnsTest(NS));
    await ensureNamespace(admin, OPERATOR_NS);
  }, 120_000);

  afterAll(async () => {
    stop.abort();
    await Promise.all(runs);
    await admin.delete(`/api/v1/namespaces/${OPERATOR_NS}`).catch(() => undefined);
    admin.close();
    unlock();
  }, 60_000);

  it('does nothing until every informer has listed, then reconciles', async () => {
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => done(void messages.push((JSON.parse(chunk.toString()) as { msg: string }).msg)) });
    const set = createControllers({
      client: admin,
      log: pino({ level: 'info' }, sink),
      metrics: new OperatorMetrics({ defaultMetrics: false }),
      config: { leaderElection: true, leaseName: LEASE, leaseNamespace: OPERATOR_NS, watchNamespace: NS },
      tuning: { resyncMs: 1_000, agentImage: 'bindy:test' },
    });
    const leadership = await holdLease(admin, LEASE, 'cache-sync-operator', 1);
    runs.push(set.reconcilers(leadership).start(stop.signal));
    await new Promise((r) => setTimeout(r, 1_500));
    expect(messages).toContain('Waiting for caches to sync before reconciling');
    await expect(admin.get(CA)).rejects.toMatchObject({ code: 404 });

    runs.push(set.informers.start(stop.signal));
    await eventually(() => admin.get(CA), 15_000);
  }, 60_000);
});
