import type { Clock } from '../../src/leader/clock.js';
import type { LeaseLock, LeaseRecord, LeaseSnapshot, LeaseWatchHandlers } from '../../src/leader/lock.js';
import { KubeApiError } from '../../src/kube/api-error.js';

type Method = 'get' | 'create' | 'update';

/** LeaseStore is an in-memory apiserver for one Lease: resourceVersions and CAS as the real one. */
export class LeaseStore {
  current: LeaseSnapshot | undefined;
  extra: Record<string, unknown> = {};
  private rv = 100;
  private readonly watchers = new Set<(s: LeaseSnapshot | undefined, rv: string) => void>();

  write(record: LeaseRecord | undefined): LeaseSnapshot | undefined {
    const resourceVersion = String(++this.rv);
    // Like the real server, fields the writer does not own (preferredHolder, strategy) survive.
    const kept = { preferredHolder: this.current?.record.preferredHolder, strategy: this.current?.record.strategy };
    this.current = record && { record: { ...kept, ...record }, resourceVersion };
    for (const watcher of this.watchers) watcher(this.current, resourceVersion);
    return this.current;
  }

  subscribe(fn: (s: LeaseSnapshot | undefined, rv: string) => void): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }
}

export interface Call {
  readonly method: Method;
  readonly record?: LeaseRecord;
  readonly previousVersion?: string;
}

/**
 * FakeLock is one replica's connection to a LeaseStore. Only methods in `allowed` may be called;
 * any other call is recorded in `unexpected` and fails, so a test proves what was NOT written.
 * `partitioned` makes every call time out (after timeoutMs on the injected clock) and cuts the watch.
 */
export class FakeLock implements LeaseLock {
  readonly name = 'bindy-leader';
  readonly namespace = 'dns-system';
  readonly calls: Call[] = [];
  readonly unexpected: string[] = [];
  allowed = new Set<Method>(['get', 'create', 'update']);
  watchUp = true;
  partitioned = false;
  failNext: KubeApiError[] = [];
  private cutWatch: (() => void) | undefined;

  constructor(
    private readonly store: LeaseStore,
    private readonly clock: Clock,
    private readonly timeoutMs = 1000,
  ) {}

  allow(...methods: Method[]): this {
    this.allowed = new Set(methods);
    return this;
  }

  count(method: Method): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  get(): Promise<LeaseSnapshot | undefined> {
    return this.call({ method: 'get' }, () => this.store.current);
  }

  create(record: LeaseRecord): Promise<LeaseSnapshot> {
    return this.call({ method: 'create', record }, () => {
      if (this.store.current) throw new KubeApiError(409, 'AlreadyExists', 'exists');
      return this.store.write(record)!;
    });
  }

  update(previous: LeaseSnapshot, record: LeaseRecord): Promise<LeaseSnapshot> {
    return this.call({ method: 'update', record, previousVersion: previous.resourceVersion }, () => {
      if (!this.store.current) throw new KubeApiError(404, 'NotFound', 'gone');
      if (this.store.current.resourceVersion !== previous.resourceVersion) throw new KubeApiError(409, 'Conflict', 'stale');
      return this.store.write(record)!;
    });
  }

  watch(signal: AbortSignal, handlers: LeaseWatchHandlers): Promise<void> {
    if (!this.watchUp || this.partitioned) return Promise.reject(new KubeApiError(0, 'NetworkError', 'watch down'));
    return new Promise((resolve, reject) => {
      const unsubscribe = this.store.subscribe((s, rv) => handlers.onChange(s, rv));
      const end = (err?: Error): void => {
        unsubscribe();
        this.cutWatch = undefined;
        if (err) reject(err);
        else resolve();
      };
      this.cutWatch = () => end(new KubeApiError(0, 'NetworkError', 'watch cut'));
      signal.addEventListener('abort', () => end(), { once: true });
      handlers.onOpen();
      if (this.store.current) handlers.onChange(this.store.current, this.store.current.resourceVersion);
    });
  }

  /** cut breaks the open watch (it reconnects with backoff unless watchUp is false). */
  cut(): void {
    this.cutWatch?.();
  }

  private call<T>(call: Call, run: () => T): Promise<T> {
    this.calls.push(call);
    if (!this.allowed.has(call.method)) {
      this.unexpected.push(call.method);
      return Promise.reject(new Error(`unexpected ${call.method}`));
    }
    const failure = this.failNext.shift();
    if (failure) return Promise.reject(failure);
    if (this.partitioned) {
      return new Promise((_, reject) => this.clock.setTimer(this.timeoutMs, () => reject(new KubeApiError(0, 'Timeout', 'no answer'))));
    }
    try {
      return Promise.resolve(run());
    } catch (err) {
      return Promise.reject(err);
    }
  }
}
