import { pino } from 'pino';
import { Controller, TerminalError, type ControllerMetrics } from '../../src/controllers/controller.js';
import { KeyQueue } from '../../src/controllers/queue.js';
import { NotLeaderError } from '../../src/leader/leadership.js';

const log = pino({ level: 'silent' });

function fakeMetrics() {
  const results: string[] = [];
  const metrics: ControllerMetrics = {
    reconcileTotal: { inc: ({ result }) => void results.push(result) },
    reconcileDuration: { observe: () => undefined },
  };
  return { metrics, results };
}

async function until(cond: () => boolean, ms = 2_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('KeyQueue', () => {
  it('lets timers run while its workers drain a long queue of keys that need no I/O', async () => {
    const q = new KeyQueue();
    const signal = new AbortController().signal;
    for (let i = 0; i < 20_000; i++) q.add(`k${i}`);
    let taken = 0;
    let timerSawTaken = -1;
    setTimeout(() => (timerSawTaken = taken), 0);
    while (q.length > 0) {
      const key = (await q.next(signal))!;
      const busyUntil = performance.now() + 0.01;
      while (performance.now() < busyUntil);
      q.done(key);
      taken++;
    }
    expect(timerSawTaken).toBeGreaterThanOrEqual(0);
    expect(timerSawTaken).toBeLessThan(20_000);
  });

  it('hands out keys in the order they were queued, across a long queue taken while it grows', async () => {
    const q = new KeyQueue();
    const signal = new AbortController().signal;
    const taken: string[] = [];
    for (let i = 0; i < 1_000; i++) q.add(`k${i}`);
    for (let i = 0; i < 700; i++) {
      const key = (await q.next(signal))!;
      taken.push(key);
      q.done(key);
      if (i % 3 === 0) q.add(`m${i}`);
    }
    expect(q.length).toBe(300 + 234);
    while (q.length > 0) taken.push((await q.next(signal))!);
    const added = [...Array.from({ length: 1_000 }, (_, i) => `k${i}`), ...Array.from({ length: 234 }, (_, j) => `m${j * 3}`)];
    expect(taken).toEqual(added);
  });

  it('deduplicates waiting keys and re-queues a key added while it runs', async () => {
    const q = new KeyQueue();
    const signal = new AbortController().signal;
    q.add('a');
    q.add('a');
    q.add('b');
    expect(q.length).toBe(2);
    expect(await q.next(signal)).toBe('a');
    q.add('a'); // while active: runs again after done()
    expect(await q.next(signal)).toBe('b');
    expect(q.length).toBe(0);
    q.done('a');
    expect(await q.next(signal)).toBe('a');
  });

  it('keeps the earliest of two delayed adds', async () => {
    const q = new KeyQueue();
    const signal = new AbortController().signal;
    q.addAfter('k', 5_000);
    q.addAfter('k', 10);
    const started = Date.now();
    expect(await q.next(signal)).toBe('k');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('coalesces delayed adds into one run, and ignores a delayed add of a key already waiting', async () => {
    const q = new KeyQueue();
    const signal = new AbortController().signal;
    q.addAfter('k', 30);
    q.addAfter('k', 30);
    q.add('w');
    q.addAfter('w', 10);
    expect(await q.next(signal)).toBe('w');
    q.done('w');
    expect(await q.next(signal)).toBe('k');
    q.done('k');
    await new Promise((r) => setTimeout(r, 60));
    expect(q.length).toBe(0);
  });

  it('returns undefined once the signal aborts', async () => {
    const q = new KeyQueue();
    const stop = new AbortController();
    const next = q.next(stop.signal);
    stop.abort();
    expect(await next).toBeUndefined();
  });
});

describe('Controller', () => {
  it('says when every key present at start has been reconciled once, failures included', async () => {
    const { metrics } = fakeMetrics();
    const seen: string[] = [];
    const c = new Controller({
      kind: 'T',
      log,
      metrics,
      keys: () => ['ns/a', 'ns/b'],
      reconcile: async (key) => {
        seen.push(key);
        if (key === 'ns/b') throw new TerminalError('bad');
      },
    });
    const stop = new AbortController();
    const running = c.start(stop.signal);
    await c.firstPassDone();
    expect(seen.sort()).toEqual(['ns/a', 'ns/b']);
    stop.abort();
    await running;
  });

  it('waits for the pass of the next start when asked before it', async () => {
    const { metrics } = fakeMetrics();
    const seen: string[] = [];
    const c = new Controller({ kind: 'T', log, metrics, keys: () => ['ns/a'], reconcile: async (key) => void seen.push(key) });
    const done = c.firstPassDone().then(() => [...seen]);
    await new Promise((r) => setTimeout(r, 20));
    const stop = new AbortController();
    const running = c.start(stop.signal);
    expect(await done).toEqual(['ns/a']);
    stop.abort();
    await running;
  });

  it('retries a failing key with backoff until it succeeds, and never runs one key twice at once', async () => {
    const { metrics, results } = fakeMetrics();
    let calls = 0;
    let running = 0;
    let maxRunning = 0;
    const stop = new AbortController();
    const c = new Controller({
      kind: 'Test',
      log,
      metrics,
      keys: () => ['ns/a'],
      backoff: { initialMs: 5, maxMs: 20 },
      reconcile: async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, 2));
        running--;
        if (++calls < 3) throw new Error('transient');
      },
    });
    const run = c.start(stop.signal);
    c.enqueue('ns/a');
    await until(() => results.includes('success'));
    stop.abort();
    await run;
    expect(results.slice(0, 3)).toEqual(['error', 'error', 'success']);
    expect(maxRunning).toBe(1);
  });

  it('does not retry a TerminalError and stops quietly on NotLeaderError', async () => {
    const { metrics, results } = fakeMetrics();
    const stop = new AbortController();
    const c = new Controller({
      kind: 'Test',
      log,
      metrics,
      keys: () => ['ns/terminal', 'ns/fenced'],
      backoff: { initialMs: 1, maxMs: 1 },
      reconcile: async (key) => {
        throw key.endsWith('terminal') ? new TerminalError('fix the spec') : new NotLeaderError('lost');
      },
    });
    const run = c.start(stop.signal);
    await until(() => results.length >= 2);
    await new Promise((r) => setTimeout(r, 30));
    stop.abort();
    await run;
    expect(results.sort()).toEqual(['aborted', 'terminal']);
  });

  it('ignores keys enqueued while not running (a new leader resyncs everything)', async () => {
    const { metrics, results } = fakeMetrics();
    const seen: string[] = [];
    const c = new Controller({ kind: 'Test', log, metrics, keys: () => ['ns/x'], reconcile: async (k) => void seen.push(k) });
    c.enqueue('ns/ignored');
    const stop = new AbortController();
    const run = c.start(stop.signal);
    await until(() => results.length === 1);
    stop.abort();
    await run;
    expect(seen).toEqual(['ns/x']);
  });
});
