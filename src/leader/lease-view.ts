import type { Logger } from 'pino';
import { KubeApiError } from '../kube/api-error.js';
import { sleep, type Clock } from './clock.js';
import { isNewer, sameRecord, type LeaseLock, type LeaseSnapshot } from './lock.js';

export interface LeaseViewOptions {
  readonly lock: LeaseLock;
  readonly clock: Clock;
  readonly log: Logger;
  readonly retryPeriodMs: number;
  readonly maxBackoffMs: number;
  /** onChange sees every accepted (newer) version from the watch; undefined = deleted. */
  readonly onChange: (snapshot: LeaseSnapshot | undefined) => void;
}

/**
 * LeaseView is this replica's picture of the Lease: the newest version seen (by read, watch or
 * own write) and the local monotonic time at which its election fields last changed. Expiry is
 * judged from that time only (as client-go does), never from the remote renewTime.
 */
export class LeaseView {
  snapshot: LeaseSnapshot | undefined;
  /** observedAt is the monotonic time the election fields last changed in our view. */
  observedAt = 0;
  /** maxTransitions is the highest leaseTransitions ever seen, so a recreated Lease keeps epochs rising. */
  maxTransitions = -1;
  private resourceVersion: string | undefined;
  private seen = false;
  private stale = true;
  private watching = false;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly options: LeaseViewOptions) {}

  /** fresh is true while the watch is up and nothing made the cache suspect: no GET needed. */
  fresh(): boolean {
    return this.watching && !this.stale;
  }

  /** isWatching is true while the Lease watch stream is open. */
  isWatching(): boolean {
    return this.watching;
  }

  /** invalidate forces the next judgement to re-read (after a 409 or an error: never act twice on a stale view). */
  invalidate(): void {
    this.stale = true;
  }

  /** observe records a version; it returns false (and changes nothing) for a version older than the one held. */
  observe(snapshot: LeaseSnapshot | undefined, resourceVersion = snapshot?.resourceVersion): boolean {
    if (resourceVersion !== undefined && resourceVersion !== this.resourceVersion && this.resourceVersion !== undefined && !isNewer(resourceVersion, this.resourceVersion)) {
      return false;
    }
    if (!this.seen || !sameRecord(this.snapshot?.record, snapshot?.record)) {
      this.observedAt = this.options.clock.now();
      const record = snapshot?.record;
      // SPEC §1: debug shows every observed lease change, on standbys too.
      this.options.log.debug({ holderIdentity: record?.holderIdentity, leaseTransitions: record?.leaseTransitions, renewTime: record?.renewTime, resourceVersion }, record ? 'Observed lease change' : 'Observed lease deletion');
    }
    this.seen = true;
    this.snapshot = snapshot;
    this.resourceVersion = resourceVersion;
    this.stale = false;
    if (snapshot) this.maxTransitions = Math.max(this.maxTransitions, snapshot.record.leaseTransitions);
    this.notify();
    return true;
  }

  /** msUntilExpiry is 0 when the Lease is absent, released or not renewed for its duration. */
  msUntilExpiry(now: number): number {
    const record = this.snapshot?.record;
    if (!record || record.holderIdentity === '') return 0;
    return Math.max(0, this.observedAt + record.leaseDurationSeconds * 1000 - now);
  }

  /** changed resolves on the next observed change, after ms, or when the signal aborts. */
  changed(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const stop = new AbortController();
      const done = (): void => {
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        stop.abort();
        resolve();
      };
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
      void sleep(this.options.clock, ms, stop.signal).then(done);
    });
  }

  /** run keeps the Lease watched until the signal aborts, reconnecting with capped backoff. */
  async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        await this.options.lock.watch(signal, {
          onOpen: () => {
            failures = 0;
            this.watching = true;
            // A reconnect may have missed a deletion; the first judgement re-reads once.
            this.stale = true;
            this.notify();
          },
          onChange: (snapshot, resourceVersion) => {
            if (this.observe(snapshot, resourceVersion)) this.options.onChange(snapshot);
          },
        });
      } catch (err) {
        if (!signal.aborted) failures++;
        if (!signal.aborted) this.logWatchError(err, failures);
      }
      // Wake the standby loop only on the up→down edge: it then polls instead of trusting the cache.
      if (this.watching) {
        this.watching = false;
        this.notify();
      }
      if (signal.aborted) break;
      // A clean end (server timeout) reconnects at once; failures back off so a broken link or
      // missing permission does not spin.
      const delay = failures === 0 ? 100 : Math.min(this.options.retryPeriodMs * 2 ** (failures - 1), this.options.maxBackoffMs);
      await sleep(this.options.clock, delay * (1 + Math.random() * 0.2), signal);
    }
  }

  private logWatchError(err: unknown, failures: number): void {
    const code = err instanceof KubeApiError ? err.code : undefined;
    const message = err instanceof Error ? err.message : String(err);
    if (code === 403) {
      this.options.log.error({ code, err: message }, 'Lease watch forbidden: grant watch on this lease to the service account; polling with GET meanwhile');
    } else {
      this.options.log[failures > 1 ? 'warn' : 'debug']({ code, err: message, failures }, 'Lease watch interrupted; polling with GET until it reconnects');
    }
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
