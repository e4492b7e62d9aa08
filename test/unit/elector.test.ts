import { pino } from 'pino';
import { LeaderElector, type ElectorOptions } from '../../src/leader/elector.js';
import { NotLeaderError, type Leadership } from '../../src/leader/leadership.js';
import { KubeApiError } from '../../src/kube/api-error.js';
import { FakeClock } from '../support/fake-clock.js';
import { FakeLock, LeaseStore } from '../support/fake-lease.js';

const LEASE = 4000;
const RENEW = 3000;
const RETRY = 1000;

interface Replica {
  readonly identity: string;
  readonly lock: FakeLock;
  readonly lines: Array<Record<string, unknown> & { msg: string }>;
  readonly terms: Leadership[];
  readonly leading: boolean[];
  readonly renewals: string[];
  readonly shutdown: AbortController;
  readonly done: Promise<void>;
  readonly elector: LeaderElector;
  msgs(): string[];
}

function startReplica(store: LeaseStore, clock: FakeClock, identity: string, options: Partial<ElectorOptions> = {}): Replica {
  const lines: Replica['lines'] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  const lock = new FakeLock(store, clock);
  const terms: Leadership[] = [];
  const leading: boolean[] = [];
  const renewals: string[] = [];
  const elector = new LeaderElector({
    lock,
    identity,
    leaseDurationMs: LEASE,
    renewDeadlineMs: RENEW,
    retryPeriodMs: RETRY,
    log,
    clock,
    observer: { leadershipChanged: (l) => void leading.push(l), renewal: (r) => void renewals.push(r) },
    lead: (leadership) => {
      terms.push(leadership);
      return new Promise((resolve) => leadership.signal.addEventListener('abort', () => resolve(), { once: true }));
    },
    ...options,
  });
  const shutdown = new AbortController();
  const done = elector.run(shutdown.signal);
  return { identity, lock, lines, terms, leading, renewals, shutdown, done, elector, msgs: () => lines.map((l) => l.msg) };
}

async function stop(clock: FakeClock, ...replicas: Replica[]): Promise<void> {
  for (const r of replicas) r.shutdown.abort();
  await clock.advance(LEASE * 3);
  await Promise.all(replicas.map((r) => r.done));
  for (const r of replicas) expect(r.lock.unexpected).toEqual([]);
}

function isLeading(r: Replica): boolean {
  const term = r.terms.at(-1);
  return term !== undefined && !term.signal.aborted;
}

describe('LeaderElector', () => {
  let clock: FakeClock;
  let store: LeaseStore;
  beforeEach(() => {
    clock = new FakeClock();
    store = new LeaseStore();
  });

  it('creates the Lease, leads, and renews every retry period with MicroTime fields', async () => {
    const a = startReplica(store, clock, 'a');
    await clock.advance(10);
    expect(a.msgs()).toEqual(expect.arrayContaining(['Attempting to acquire lease bindy-leader', 'Lease acquired, this instance is now the leader']));
    expect(a.lines.find((l) => l.msg.startsWith('Attempting'))).toMatchObject({ lease: 'bindy-leader', namespace: 'dns-system', identity: 'a' });
    expect(a.lines.find((l) => l.msg.startsWith('Lease acquired'))).toMatchObject({ identity: 'a', transitions: 0 });
    expect(store.current?.record).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 4, leaseTransitions: 0 });
    expect(store.current?.record.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(a.terms[0]!.fence()).toEqual({ holder: 'a', transitions: 0 });
    const before = a.lock.count('update');
    await clock.advance(5 * RETRY + 10);
    expect(a.lock.count('update') - before).toBe(5);
    expect(a.renewals).toEqual(['success', 'success', 'success', 'success', 'success']);
    expect(a.leading).toEqual([true]);
    await stop(clock, a);
  });

  it('a standby logs the holder once, never writes a live lease, and does not poll while watching', async () => {
    const a = startReplica(store, clock, 'a');
    await clock.advance(10);
    const b = startReplica(store, clock, 'b');
    b.lock.allow(); // any request from the standby while its watch is up fails the test
    await clock.advance(10 * RETRY);
    expect(b.msgs().filter((m) => m === 'Lease already held by a')).toHaveLength(1);
    expect(b.lines.find((l) => l.msg === 'Lease already held by a')).toMatchObject({ holderIdentity: 'a' });
    expect(b.lock.calls).toEqual([]);
    b.lock.unexpected.length = 0;
    b.lock.allow('get', 'create', 'update');
    await stop(clock, a, b);
  });

  it('a standby polls with GET every retry period only while its watch is down', async () => {
    const a = startReplica(store, clock, 'a');
    await clock.advance(10);
    const b = startReplica(store, clock, 'b');
    b.lock.watchUp = false;
    b.lock.cut();
    b.lock.allow('get');
    await clock.advance(10 * RETRY);
    expect(b.lock.count('get')).toBeGreaterThanOrEqual(8);
    expect(b.lock.count('get')).toBeLessThanOrEqual(11);
    expect(b.msgs().filter((m) => m === 'Lease already held by a')).toHaveLength(1);
    b.lock.allow('get', 'create', 'update');
    await stop(clock, a, b);
  });

  it('takes over a dead leader only after leaseDuration without a change, as a new epoch', async () => {
    const a = startReplica(store, clock, 'a');
    await clock.advance(10);
    const b = startReplica(store, clock, 'b');
    await clock.advance(RETRY);
    a.lock.partitioned = true; // a is cut off: no more renewals reach the store
    a.lock.cut();
    const lastChange = clock.now() - (clock.now() % RETRY); // a's last renewal reached the store at a retry boundary
    await clock.advance(LEASE - 1200);
    expect(store.current?.record.holderIdentity).toBe('a');
    await clock.advance(2000);
    expect(store.current?.record).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    expect(clock.now() - lastChange).toBeGreaterThanOrEqual(LEASE);
    expect(b.terms[0]!.fence()).toEqual({ holder: 'b', transitions: 1 });
    await stop(clock, a, b);
  });

  it('self-fences at the renew deadline, before any standby may take the lease', async () => {
    const a = startReplica(store, clock, 'a');
    await clock.advance(10);
    const term = a.terms[0]!;
    const lastRenew = clock.now() - 10; // the acquisition was sent at the start of advance(10)
    a.lock.partitioned = true;
    a.lock.cut();
    await clock.advance(RENEW - 30);
    expect(term.signal.aborted).toBe(false);
    await clock.advance(40);
    expect(term.signal.aborted).toBe(true);
    expect(clock.now() - lastRenew).toBeLessThan(LEASE);
    expect(() => term.fence()).toThrow(NotLeaderError);
    expect(a.lines.find((l) => l.msg === 'Leadership lost! Stopping all operators...')).toMatchObject({ reason: expect.stringMatching(/renew/) });
    expect(a.leading).toEqual([true, false]);
    expect(a.renewals.filter((r) => r === 'error').length).toBeGreaterThanOrEqual(1);
    a.lock.partitioned = false;
    await stop(clock, a);
  });

  it('renews on a fixed cadence, so one timed-out attempt does not push the next past the deadline', async () => {
    const a = startReplica(store, clock, 'a');
    await clock.advance(RETRY + 10); // renewed at a retry boundary
    a.lock.partitioned = true; // the next attempt hangs until its 1 s timeout
    await clock.advance(RETRY * 1.1);
    a.lock.partitioned = false;
    await clock.advance(RETRY * 3);
    expect(a.terms[0]!.signal.aborted).toBe(false);
    expect(a.renewals.slice(0, 3)).toEqual(['success', 'error', 'success']);
    await stop(clock, a);
  });

  it('fence() refuses and steps down when the deadline passed but no timer ran (blocked loop)', async () => {
    const a = startReplica(store, clock, 'a');
    await clock.advance(10);
    const term = a.terms[0]!;
    clock.jump(RENEW + 1);
    expect(() => term.fence()).toThrow(NotLeaderError);
    expect(term.signal.aborted).toBe(true);
    await stop(clock, a);
  });

  it('the stall guard treats an event-loop stall longer than the renew deadline as a lost renewal', async () => {
    const a = startReplica(store, clock, 'a');
    await clock.advance(RETRY + 10); // just renewed
    clock.jump(RENEW + 400);
    await clock.advance(0);
    expect(a.terms[0]!.signal.aborted).toBe(true);
    expect(a.lines.find((l) => l.msg.startsWith('Leadership lost'))?.reason).toMatch(/stalled|renew/);
    await stop(clock, a);
  });

  it('steps down at once when a stranger overwrites the lease (seen through the watch)', async () => {
    const a = startReplica(store, clock, 'a');
    await clock.advance(10);
    store.write({ ...store.current!.record, holderIdentity: 'stranger', leaseTransitions: 7 });
    await clock.advance(0);
    expect(a.terms[0]!.signal.aborted).toBe(true);
    expect(a.lines.find((l) => l.msg.startsWith('Leadership lost'))).toMatchObject({ reason: 'lease is held by stranger' });
    await clock.advance(2 * RETRY);
    expect(a.msgs()).toContain('Lease already held by stranger');
    await stop(clock, a);
  });

  it('steps down when the lease is deleted, and recreates it with a higher epoch', async () => {
    const a = startReplica(store, clock, 'a');
    await clock.advance(10);
    store.write({ ...store.current!.record, leaseTransitions: 5 }); // same holder, but not our term
    await clock.advance(0);
    expect(a.terms[0]!.signal.aborted).toBe(true);
    await clock.advance(2 * RETRY);
    expect(a.terms).toHaveLength(2);
    expect(a.terms[1]!.fence().transitions).toBe(6);
    store.write(undefined);
    await clock.advance(0);
    expect(a.terms[1]!.signal.aborted).toBe(true);
    expect(a.lines.filter((l) => l.msg.startsWith('Leadership lost')).at(-1)).toMatchObject({ reason: 'lease was deleted' });
    await clock.advance(3 * RETRY);
    expect(store.current?.record).toMatchObject({ holderIdentity: 'a', leaseTransitions: 7 });
    await stop(clock, a);
  });

  it('keeps leading through a 409 caused by an edit that still names it (e.g. preferredHolder set)', async () => {
    const a = startReplica(store, clock, 'a');
    await clock.advance(10);
    a.lock.watchUp = false;
    a.lock.cut(); // without the watch, the renew CAS is what notices the edit
    store.write({ ...store.current!.record, preferredHolder: 'a', strategy: 'OldestEmulationVersion' });
    await clock.advance(3 * RETRY);
    expect(a.terms[0]!.signal.aborted).toBe(false);
    expect(a.renewals).toContain('conflict');
    expect(store.current?.record).toMatchObject({ holderIdentity: 'a', preferredHolder: 'a', strategy: 'OldestEmulationVersion' });
    await stop(clock, a);
  });

  it('deposed() stops leading at once and the next term is a new epoch', async () => {
    const a = startReplica(store, clock, 'a');
    await clock.advance(10);
    a.terms[0]!.deposed('agent 10.0.0.1 refused epoch 0 (409)');
    expect(a.terms[0]!.signal.aborted).toBe(true);
    expect(a.lines.find((l) => l.msg.startsWith('Leadership lost'))?.reason).toMatch(/^deposed: agent/);
    await clock.advance(3 * RETRY);
    expect(a.terms[1]!.fence()).toEqual({ holder: 'a', transitions: 1 });
    await stop(clock, a);
  });

  it('graceful shutdown: stops work, releases (CAS, empty holder, 1 s), standby takes over at once', async () => {
    const a = startReplica(store, clock, 'a');
    await clock.advance(10);
    const b = startReplica(store, clock, 'b');
    await clock.advance(RETRY);
    a.shutdown.abort();
    expect(a.terms[0]!.signal.aborted).toBe(true);
    const t0 = clock.now();
    await clock.advance(50);
    expect(a.lock.calls.at(-1)?.record).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 0 });
    expect(store.current?.record).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    expect(clock.now() - t0).toBeLessThan(RETRY);
    await a.done;
    expect(a.msgs()).toEqual(expect.arrayContaining(['Lease released', 'Lease taken over by b']));
    expect(a.msgs()).not.toContain('Leadership lost! Stopping all operators...');
    await stop(clock, b);
  });

  it('backs off on 5xx while acquiring and logs forbidden clearly', async () => {
    const a = startReplica(store, clock, 'a');
    a.lock.watchUp = false;
    a.lock.failNext = [new KubeApiError(403, 'Forbidden', 'leases is forbidden'), ...Array.from({ length: 20 }, () => new KubeApiError(503, 'ServiceUnavailable', 'busy'))];
    await clock.advance(12 * RETRY);
    expect(a.lock.count('get')).toBeLessThan(8);
    expect(a.lines.find((l) => typeof l.msg === 'string' && /forbidden/.test(l.msg))).toMatchObject({ code: 403 });
    a.lock.failNext = [];
    await clock.advance(LEASE * 2);
    expect(store.current?.record.holderIdentity).toBe('a');
    await stop(clock, a);
  });

  it('rejects bad timing and a missing identity, naming the values', () => {
    const base = { lock: new FakeLock(store, clock), identity: 'a', log: pino({ level: 'silent' }), lead: async () => {} };
    expect(() => new LeaderElector({ ...base, leaseDurationMs: 3000, renewDeadlineMs: 3000, retryPeriodMs: 1000 })).toThrow(/leaseDurationMs \(3000\)/);
    expect(() => new LeaderElector({ ...base, leaseDurationMs: 4000, renewDeadlineMs: 1200, retryPeriodMs: 1000 })).toThrow(/1.2 x retryPeriodMs/);
    expect(() => new LeaderElector({ ...base, identity: '', leaseDurationMs: 4000, renewDeadlineMs: 3000, retryPeriodMs: 1000 })).toThrow(/identity/);
  });

  it('never has two replicas whose fence() succeeds at the same time across failures', async () => {
    const rs = ['a', 'b', 'c'].map((id) => startReplica(store, clock, id));
    for (let step = 0; step < 30; step++) {
      const victim = rs[step % 3]!;
      victim.lock.partitioned = step % 2 === 0;
      if (victim.lock.partitioned) victim.lock.cut();
      for (let i = 0; i < 10; i++) {
        await clock.advance(RETRY / 2);
        const fenced = rs.filter((r) => {
          try {
            return isLeading(r) && r.terms.at(-1)!.fence() !== undefined;
          } catch {
            return false;
          }
        });
        expect(fenced.length).toBeLessThanOrEqual(1);
      }
    }
    for (const r of rs) r.lock.partitioned = false;
    await stop(clock, ...rs);
  });
});

describe('LeaderElector with coordinated-election fields', () => {
  it('gives spec.preferredHolder the first chance at a released lease, without clobbering the field', async () => {
    const clock = new FakeClock();
    const store = new LeaseStore();
    store.write({ holderIdentity: 'old', leaseDurationSeconds: 4, leaseTransitions: 2, renewTime: 't', acquireTime: 't' });
    store.current = { ...store.current!, record: { ...store.current!.record, preferredHolder: 'b', strategy: 'OldestEmulationVersion' } };
    const a = startReplica(store, clock, 'a');
    const b = startReplica(store, clock, 'b');
    await clock.advance(10);
    store.write({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 2, renewTime: 't2', acquireTime: 't2' });
    await clock.advance(RETRY * 3);
    expect(store.current?.record).toMatchObject({ holderIdentity: 'b', leaseTransitions: 3, preferredHolder: 'b', strategy: 'OldestEmulationVersion' });
    expect(a.terms).toHaveLength(0);
    await stop(clock, a, b);
  });
});
