import { parseConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/log.js';
import { OperatorMetrics } from '../../src/observability/metrics.js';
import { Operator } from '../../src/operator/operator.js';
import type { ControllerSet } from '../../src/operator/runnable.js';
import { FakeClock } from '../support/fake-clock.js';
import { FakeLock, LeaseStore } from '../support/fake-lease.js';
import { parseMetrics } from '../support/replica.js';

const SPEC_METRICS = [
  'bindy_leader_elections_total',
  'bindy_leader_election_timestamp',
  'bindy_is_leader',
  'bindy_lease_renewals_total',
  'bindy_reconcile_total',
  'bindy_reconcile_duration_seconds',
  'bindy_fenced_writes_total',
];

describe('OperatorMetrics', () => {
  it('exposes every metric of SPEC §4 (with its type) plus process metrics, from a private registry', async () => {
    const metrics = new OperatorMetrics({ now: () => 1000 });
    metrics.reconcileTotal.inc({ kind: 'DNSZone', result: 'success' });
    metrics.reconcileDuration.observe({ kind: 'DNSZone' }, 0.02);
    const text = await metrics.text();
    for (const name of SPEC_METRICS) expect(text).toContain(`# HELP ${name} `);
    expect(text).toContain('# TYPE bindy_lease_renewals_total counter');
    expect(text).toContain('# TYPE bindy_reconcile_duration_seconds histogram');
    expect(text).toContain('process_cpu_seconds_total');
    const values = parseMetrics(text);
    expect(values.get('bindy_is_leader')).toBe(0);
    expect(values.get('bindy_lease_renewals_total{result="conflict"}')).toBe(0);
    expect(values.get('bindy_fenced_writes_total{component="agent"}')).toBe(0);
    // A second instance in the same process does not collide (no global registry).
    expect(() => new OperatorMetrics({ defaultMetrics: false })).not.toThrow();
  });

  it('the election observer sets is_leader, counts elections and stamps each change', async () => {
    let now = 1000;
    const metrics = new OperatorMetrics({ defaultMetrics: false, now: () => now });
    const observer = metrics.electionObserver();
    now = 2000;
    observer.leadershipChanged(true);
    observer.renewal('success');
    let values = parseMetrics(await metrics.text());
    expect(values.get('bindy_is_leader')).toBe(1);
    expect(values.get('bindy_leader_elections_total')).toBe(1);
    expect(values.get('bindy_leader_election_timestamp')).toBe(2000);
    expect(values.get('bindy_lease_renewals_total{result="success"}')).toBe(1);
    now = 3000;
    observer.leadershipChanged(false);
    values = parseMetrics(await metrics.text());
    expect(values.get('bindy_is_leader')).toBe(0);
    expect(values.get('bindy_leader_election_timestamp')).toBe(3000);
  });
});

describe('Operator health', () => {
  it('is ready as a watching standby, and turns /healthz red for a leader wedged past lease + 20 s', async () => {
    const clock = new FakeClock();
    const store = new LeaseStore();
    const config = parseConfig({ POD_NAME: 'a', LEASE_DURATION_SECONDS: '4', LEASE_RENEW_DEADLINE_SECONDS: '3', LEASE_RETRY_PERIOD_SECONDS: '1' });
    // A controller that ignores its signal: the wedge /healthz must catch.
    const wedged: ControllerSet = { names: ['wedged'], reconcilers: () => ({ start: () => new Promise<void>(() => {}) }) };
    const lock = new FakeLock(store, clock);
    const operator = new Operator({ config, log: createLogger('silent'), metrics: new OperatorMetrics({ defaultMetrics: false }), lock, controllers: [wedged], clock });
    const shutdown = new AbortController();
    void operator.run(shutdown.signal);
    await clock.advance(10);
    expect(operator.ready()).toMatchObject({ ok: true, detail: 'caches synced' });
    expect(operator.live().ok).toBe(true);
    lock.partitioned = true; // renewals fail; the term ends at the deadline but the work never returns
    lock.cut();
    await clock.advance(10_000);
    expect(operator.live().ok).toBe(true);
    await clock.advance(20_000);
    expect(operator.live()).toMatchObject({ ok: false, detail: expect.stringMatching(/has not renewed for \d+ s/) });
    shutdown.abort();
    await clock.advance(1000);
  });
});
