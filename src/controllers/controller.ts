import type { Logger } from 'pino';
import { NotLeaderError } from '../leader/leadership.js';
import { isConflict } from '../kube/api-error.js';
import { splitKey } from '../kube/objects.js';
import { KeyQueue } from './queue.js';

/** ReconcileResult asks for another pass after a delay (polling what has no watch, e.g. agents). */
export interface ReconcileResult {
  readonly requeueAfterMs?: number;
}

/** TerminalError fails a reconcile without retry: only a change to the object can fix it. */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
}

/** DeposedError ends reconciling: an agent proved this replica is no longer the leader. */
export class DeposedError extends Error {
  override readonly name = 'DeposedError';
}

export interface ReconcileContext {
  readonly log: Logger;
  readonly signal: AbortSignal;
}

export type ReconcileFn = (key: string, ctx: ReconcileContext) => Promise<ReconcileResult | void>;

/** ControllerMetrics is the part of OperatorMetrics a controller records into. */
export interface ControllerMetrics {
  readonly reconcileTotal: { inc(labels: { kind: string; result: string }): void };
  readonly reconcileDuration: { observe(labels: { kind: string }, seconds: number): void };
}

export interface ControllerOptions {
  readonly kind: string;
  readonly reconcile: ReconcileFn;
  /** Every key the controller should look at when it starts (the informer cache). */
  readonly keys: () => string[];
  readonly log: Logger;
  readonly metrics: ControllerMetrics;
  readonly workers?: number;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
}

/**
 * Controller is the one handler around a reconciler: it serialises work per key, retries
 * failures with capped exponential backoff (a 409 from a lost compare-and-swap retries at once
 * from a fresh read), records metrics and gives each reconcile its own logger. Reconcilers stay
 * level-triggered: they never sleep or loop themselves.
 */
export class Controller {
  private readonly queue = new KeyQueue();
  private readonly failures = new Map<string, number>();
  private running = false;
  /** Keys of the start snapshot not reconciled yet in this run, and who waits for them. */
  private firstPass = new Set<string>();
  private firstPassWaiters: Array<() => void> = [];

  constructor(private readonly options: ControllerOptions) {}

  get kind(): string {
    return this.options.kind;
  }

  /** enqueue asks for a reconcile of `key`; ignored while not running (a starting leader resyncs everything). */
  enqueue(key: string): void {
    if (this.running) this.queue.add(key);
  }

  /**
   * enqueueSoon asks for a reconcile within `ms`: events for one key in that window coalesce into
   * one reconcile (a zone whose records arrive one by one is rendered and pushed once, not per
   * record), and a plain enqueue meanwhile still runs at once.
   */
  enqueueSoon(key: string, ms: number): void {
    if (this.running) this.queue.addAfter(key, ms);
  }

  /** start reconciles until the signal aborts, then waits for in-flight reconciles to finish. */
  async start(signal: AbortSignal): Promise<void> {
    this.running = true;
    this.firstPass = new Set(this.options.keys());
    for (const key of this.firstPass) this.queue.add(key);
    this.settleFirstPass();
    const workers = Array.from({ length: this.options.workers ?? 2 }, () => this.work(signal));
    await Promise.all(workers);
    this.running = false;
    this.queue.clear();
    this.failures.clear();
    this.firstPass.clear();
    this.settleFirstPass();
  }

  /**
   * firstPassDone resolves once every key present at start has been reconciled once (whatever
   * the result), or when the controller stops: a new leader verifies zones before it re-judges
   * 10,000 records' status. Asked before start, it waits for that start's pass (it resolved at
   * once, and a new leader's records took the core from its first pass over the zones).
   */
  firstPassDone(): Promise<void> {
    if (this.running && this.firstPass.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.firstPassWaiters.push(resolve));
  }

  private settleFirstPass(): void {
    if (this.firstPass.size > 0) return;
    const waiters = this.firstPassWaiters;
    this.firstPassWaiters = [];
    for (const w of waiters) w();
  }

  private async work(signal: AbortSignal): Promise<void> {
    for (let key = await this.queue.next(signal); key !== undefined; key = await this.queue.next(signal)) {
      try {
        await this.runOnce(key, signal);
      } finally {
        this.queue.done(key);
        if (this.firstPass.delete(key)) this.settleFirstPass();
      }
    }
  }

  private async runOnce(key: string, signal: AbortSignal): Promise<void> {
    const { kind, metrics } = this.options;
    const { namespace, name } = splitKey(key);
    const log = this.options.log.child({ kind, namespace, name });
    const started = performance.now();
    let result = 'success';
    try {
      const outcome = await this.options.reconcile(key, { log, signal });
      this.failures.delete(key);
      if (outcome?.requeueAfterMs !== undefined && !signal.aborted) this.queue.addAfter(key, outcome.requeueAfterMs);
    } catch (err) {
      result = this.onError(key, err, log, signal);
    } finally {
      metrics.reconcileTotal.inc({ kind, result });
      metrics.reconcileDuration.observe({ kind }, (performance.now() - started) / 1000);
    }
  }

  private onError(key: string, err: unknown, log: Logger, signal: AbortSignal): string {
    if (err instanceof NotLeaderError || err instanceof DeposedError || signal.aborted) {
      log.info({ reason: (err as Error).message }, 'reconcile stopped: not the leader');
      return 'aborted';
    }
    if (err instanceof TerminalError) {
      log.error({ err: err.message }, 'reconcile failed permanently; waiting for a change');
      return 'terminal';
    }
    const failures = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, failures);
    const { initialMs, maxMs } = this.options.backoff ?? { initialMs: 250, maxMs: 60_000 };
    const delay = isConflict(err) ? 100 : Math.min(initialMs * 2 ** (failures - 1), maxMs) * (0.75 + Math.random() / 2);
    // A 409 only means our cached copy was older than the apiserver's: routine, retried from a fresh read.
    const level = isConflict(err) ? 'debug' : 'error';
    log[level]({ err: (err as Error).message, attempt: failures, retryInMs: Math.round(delay) }, 'reconcile failed');
    this.queue.addAfter(key, delay);
    return 'error';
  }
}
