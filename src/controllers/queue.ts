/**
 * YIELD_MS is how long workers may take keys without letting timers and I/O run: a reconcile that
 * finds nothing to change never waits on I/O, so a new leader's first pass over 100,000 unchanged
 * records ran as one chain of microtasks, and the Lease renewals due every 2 s waited behind it.
 */
const YIELD_MS = 10;

/**
 * KeyQueue is a work queue of object keys with the guarantees controllers need: a key waiting
 * more than once runs once (dedup), a key never runs twice at the same time (a key added while
 * running runs again afterwards), and delayed adds keep only the earliest deadline.
 */
export class KeyQueue {
  /**
   * Keys waiting, in order, from `head` on: taking one moves `head` instead of shifting the array,
   * which copies the rest and made a new leader's first pass over 100,000 records quadratic (a
   * fifth of its CPU in Array.shift). The taken prefix is dropped once it is half the array.
   */
  private ready: string[] = [];
  private head = 0;
  private readonly queued = new Set<string>();
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private waiters: Array<() => void> = [];
  private lastYield = performance.now();

  add(key: string): void {
    const delayed = this.timers.get(key);
    if (delayed) {
      clearTimeout(delayed.timer);
      this.timers.delete(key);
    }
    if (this.active.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.ready.push(key);
    this.wake();
  }

  /** addAfter queues `key` in `ms`, unless it waits to run already (that run will see the latest state). */
  addAfter(key: string, ms: number): void {
    if (this.queued.has(key)) return;
    const at = Date.now() + ms;
    const existing = this.timers.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.timers.set(key, { at, timer });
  }

  /** next waits for a key and marks it active; undefined once the signal aborts. */
  async next(signal: AbortSignal): Promise<string | undefined> {
    while (!signal.aborted) {
      if (performance.now() - this.lastYield >= YIELD_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        this.lastYield = performance.now();
        continue;
      }
      const key = this.take();
      if (key !== undefined) {
        this.queued.delete(key);
        this.active.add(key);
        return key;
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          signal.removeEventListener('abort', done);
          resolve();
        };
        this.waiters.push(done);
        signal.addEventListener('abort', done, { once: true });
      });
    }
    return undefined;
  }

  /** done ends a key's run; a key added meanwhile is queued again. */
  done(key: string): void {
    this.active.delete(key);
    if (this.dirty.delete(key)) this.add(key);
  }

  /** clear drops everything waiting (leadership ended: the next leader starts from a full resync). */
  clear(): void {
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.ready = [];
    this.head = 0;
    this.queued.clear();
    this.dirty.clear();
    this.wake();
  }

  get length(): number {
    return this.ready.length - this.head;
  }

  private take(): string | undefined {
    if (this.head >= this.ready.length) return undefined;
    const key = this.ready[this.head++];
    if (this.head === this.ready.length) {
      this.ready = [];
      this.head = 0;
    } else if (this.head * 2 >= this.ready.length) {
      this.ready = this.ready.slice(this.head);
      this.head = 0;
    }
    return key;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
