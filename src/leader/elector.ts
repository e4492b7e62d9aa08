import type { Logger } from 'pino';
import { KubeApiError, isConflict, isNotFound } from '../kube/api-error.js';
import { microTime, sleep, systemClock, type Clock } from './clock.js';
import type { Leadership } from './leadership.js';
import { LeaseView } from './lease-view.js';
import type { LeaseLock, LeaseRecord, LeaseSnapshot } from './lock.js';
import { Term, type TermHost } from './term.js';

/** RenewResult is the `result` label of bindy_lease_renewals_total. */
export type RenewResult = 'success' | 'conflict' | 'error';

/** ElectionObserver receives what metrics need; it must not throw. */
export interface ElectionObserver {
  leadershipChanged(leading: boolean): void;
  renewal(result: RenewResult): void;
}

export interface ElectorOptions {
  readonly lock: LeaseLock;
  /** identity is written to holderIdentity. */
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly log: Logger;
  /** lead runs the leader-gated work; it must return soon after leadership.signal aborts. */
  readonly lead: (leadership: Leadership) => Promise<void>;
  /** @default systemClock */
  readonly clock?: Clock;
  readonly observer?: ElectionObserver;
  /** releaseWaitMs bounds waiting for a successor after releasing. @default min(lease duration, 10 s) */
  readonly releaseWaitMs?: number;
  /** drainMs bounds waiting for gated work to stop on shutdown before releasing anyway. @default renew deadline */
  readonly drainMs?: number;
}

/** ElectorStatus is what health checks read. */
export interface ElectorStatus {
  readonly leading: boolean;
  readonly watching: boolean;
  /** msSinceRenew is the age of the current term's last successful renew (leading only). */
  readonly msSinceRenew?: number;
}

/**
 * LeaderElector runs the election state machine of SPEC §2 over a LeaseLock: acquire (retry
 * loop) → run gated work in a child scope → renew every retry period, self-fencing at the renew
 * deadline → on shutdown drain, release and wait for a successor. It never throws out of run().
 */
export class LeaderElector implements TermHost {
  readonly clock: Clock;
  readonly renewDeadlineMs: number;
  private readonly view: LeaseView;
  private term: Term | undefined;
  private cancelDeadline: () => void = () => {};
  private reportedHolder: string | undefined;
  /** bumpEpoch makes the next acquisition a new epoch even if the Lease still names us (after deposed). */
  private bumpEpoch = false;

  constructor(private readonly options: ElectorOptions) {
    validate(options);
    this.clock = options.clock ?? systemClock;
    this.renewDeadlineMs = options.renewDeadlineMs;
    this.view = new LeaseView({
      lock: options.lock,
      clock: this.clock,
      log: options.log,
      retryPeriodMs: options.retryPeriodMs,
      maxBackoffMs: this.maxBackoffMs(),
      onChange: (snapshot) => this.onLeaseChange(snapshot),
    });
  }

  /** run elects until the signal aborts, then releases the Lease if held; it resolves, never rejects. */
  async run(shutdown: AbortSignal): Promise<void> {
    const background = new AbortController();
    const watching = this.view.run(background.signal);
    const stopGuard = this.startStallGuard();
    try {
      while (!shutdown.aborted) {
        const term = await this.acquire(shutdown);
        if (!term) break;
        await this.lead(term, shutdown);
        // After an involuntary loss, pause one period so a refused writer cannot spin.
        if (!shutdown.aborted) await sleep(this.clock, this.options.retryPeriodMs, shutdown);
      }
    } finally {
      stopGuard();
      background.abort();
      await watching;
    }
  }

  status(): ElectorStatus {
    const term = this.term;
    return { leading: term !== undefined, watching: this.view.isWatching(), msSinceRenew: term && this.clock.now() - term.lastRenewOk };
  }

  /** stepDown ends a term at once (TermHost); later calls for the same or an old term do nothing. */
  stepDown(term: Term, reason: string): void {
    if (term !== this.term || term.lost) return;
    term.lose(reason);
    // Every later term of this process is a new epoch, even if the Lease still names us.
    this.bumpEpoch = true;
    this.cancelDeadline();
    this.options.observer?.leadershipChanged(false);
    this.options.log.warn({ reason }, 'Leadership lost! Stopping all operators...');
  }

  deposed(term: Term, reason: string): void {
    this.stepDown(term, `deposed: ${reason}`);
  }

  private async acquire(shutdown: AbortSignal): Promise<Term | undefined> {
    const { lock, identity, retryPeriodMs } = this.options;
    this.options.log.info({ lease: lock.name, namespace: lock.namespace, identity }, `Attempting to acquire lease ${lock.name}`);
    let failures = 0;
    while (!shutdown.aborted) {
      const outcome = await this.tryAcquire();
      if (outcome.term) return outcome.term;
      failures = outcome.failed ? failures + 1 : 0;
      const wait = failures > 0 ? Math.min(retryPeriodMs * 2 ** (failures - 1), this.maxBackoffMs()) : Math.min(retryPeriodMs, outcome.waitMs);
      // Jitter spreads standbys that all saw the same change; the watch wakes us early on any change.
      await this.view.changed(wait * (1 + Math.random() * 0.1), shutdown);
    }
    return undefined;
  }

  /** tryAcquire is one attempt: read → judge → build record → CAS write. It never throws. */
  private async tryAcquire(): Promise<{ term?: Term; failed?: boolean; waitMs: number }> {
    const { lock } = this.options;
    // 1. Read: the watch keeps the view current; GET only while it is down or after a 409/error.
    if (!this.view.fresh()) {
      try {
        this.view.observe(await lock.get());
      } catch (err) {
        this.logApiError('Could not read lease', err);
        return { failed: true, waitMs: 0 };
      }
    }
    // 2. Judge with the local monotonic clock.
    const current = this.view.snapshot;
    const waitMs = this.judge(current, this.clock.now());
    if (waitMs > 0) return { waitMs };
    // 3. Build the record for a new (or continued) term.
    const record = this.acquireRecord(current?.record);
    // 4. Compare-and-swap; a 409 means someone else won: re-read, never re-write blindly.
    const sentAt = this.clock.now();
    try {
      const written = current ? await lock.update(current, record) : await lock.create(record);
      this.view.observe(written);
      return { term: this.begin(written, sentAt), waitMs: 0 };
    } catch (err) {
      this.view.invalidate();
      if (isConflict(err) || isNotFound(err)) {
        this.options.log.debug({ code: (err as KubeApiError).code }, 'Lost the race for the lease; re-reading');
        return { waitMs: 0 };
      }
      this.logApiError('Could not acquire lease', err);
      return { failed: true, waitMs: 0 };
    }
  }

  /** judge returns 0 when this replica may try to take the Lease now, else how long to wait. */
  private judge(current: LeaseSnapshot | undefined, now: number): number {
    const record = current?.record;
    if (!record || record.holderIdentity === this.options.identity) return 0;
    if (record.holderIdentity === '') {
      // A release is a change of holder: the next holder is reported again, even if it is the same.
      this.reportedHolder = undefined;
      // Coordinated election: give a preferred holder one retry period to take a released lease first.
      const preferred = record.preferredHolder;
      if (preferred && preferred !== this.options.identity) return Math.max(0, this.view.observedAt + this.options.retryPeriodMs - now);
      return 0;
    }
    const untilExpiry = this.view.msUntilExpiry(now);
    if (untilExpiry > 0 && this.reportedHolder !== record.holderIdentity) {
      this.reportedHolder = record.holderIdentity;
      this.options.log.info({ holderIdentity: record.holderIdentity }, `Lease already held by ${record.holderIdentity}`);
    }
    return untilExpiry;
  }

  private acquireRecord(previous: LeaseRecord | undefined): LeaseRecord {
    const now = microTime(this.clock.wallMicros());
    const continuing = previous?.holderIdentity === this.options.identity && !this.bumpEpoch;
    // Epochs only rise: a recreated or reset Lease continues from the highest transitions seen,
    // so agents' fencing still accepts the new leader.
    const highest = Math.max(previous?.leaseTransitions ?? -1, this.view.maxTransitions);
    return {
      holderIdentity: this.options.identity,
      leaseDurationSeconds: this.options.leaseDurationMs / 1000,
      acquireTime: continuing ? (previous?.acquireTime ?? now) : now,
      renewTime: now,
      leaseTransitions: continuing && previous ? previous.leaseTransitions : highest + 1,
    };
  }

  private begin(written: LeaseSnapshot, sentAt: number): Term {
    const term = new Term(this, written, sentAt);
    this.term = term;
    this.bumpEpoch = false;
    this.reportedHolder = undefined;
    this.armDeadline(term);
    this.options.observer?.leadershipChanged(true);
    this.options.log.info({ identity: this.options.identity, transitions: term.token.transitions }, 'Lease acquired, this instance is now the leader');
    return term;
  }

  /** lead runs one term: gated work + renew loop; on shutdown drain → stop renewing → release. */
  private async lead(term: Term, shutdown: AbortSignal): Promise<void> {
    const stopRenew = new AbortController();
    const work = this.runWork(term);
    void work.then(() => stopRenew.abort());
    const onShutdown = (): void => {
      term.stopWork('shutting down');
      void sleep(this.clock, this.options.drainMs ?? this.renewDeadlineMs, stopRenew.signal).then(() => stopRenew.abort());
    };
    if (shutdown.aborted) onShutdown();
    else shutdown.addEventListener('abort', onShutdown, { once: true });
    await this.renewLoop(term, stopRenew.signal);
    shutdown.removeEventListener('abort', onShutdown);
    if (!term.lost) {
      // Graceful: the work has drained (or the drain bound passed) and renewing has stopped.
      // Forget the term first so our own release is not mistaken for a takeover.
      this.cancelDeadline();
      this.term = undefined;
      this.options.observer?.leadershipChanged(false);
      await this.release(term);
      return;
    }
    // A wedged term stays visible to /healthz until its work returns.
    await work;
    this.term = undefined;
  }

  private async runWork(term: Term): Promise<void> {
    try {
      await this.options.lead(term);
    } catch (err) {
      this.options.log.error({ err }, 'Leader work failed');
    }
    if (!term.signal.aborted) this.stepDown(term, 'leader work stopped unexpectedly');
  }

  private async renewLoop(term: Term, stopRenew: AbortSignal): Promise<void> {
    const stop = AbortSignal.any([stopRenew, term.lostSignal]);
    // Attempts start on a fixed cadence (like client-go's ticker), not a period after the last
    // one ended: a timed-out attempt must not push the next one past the renew deadline.
    let next = this.clock.now() + this.options.retryPeriodMs;
    while (!stop.aborted) {
      await sleep(this.clock, next - this.clock.now(), stop);
      if (stop.aborted) return;
      next = this.clock.now() + this.options.retryPeriodMs;
      // A renew that would start after the deadline (the loop was blocked) is a lost renewal,
      // even if the write would still succeed: the gated work may have been frozen mid-write.
      const age = this.clock.now() - term.lastRenewOk;
      if (age >= this.renewDeadlineMs) return this.stepDown(term, `failed to renew lease within ${this.renewDeadlineMs} ms (${Math.round(age)} ms since last renew)`);
      await this.renew(term);
    }
  }

  /** renew is one renewal: build from our own last write → CAS write → judge the answer. */
  private async renew(term: Term): Promise<void> {
    // 1. Build from the version we wrote (or a newer edit that still names this term).
    const previous = term.snapshot;
    const record: LeaseRecord = { ...previous.record, leaseDurationSeconds: this.options.leaseDurationMs / 1000, renewTime: microTime(this.clock.wallMicros()) };
    // 2. The renewal counts from when it was sent: the apiserver may store it any time after.
    const sentAt = this.clock.now();
    try {
      const written = await this.options.lock.update(previous, record);
      if (term.lost) return; // the deadline passed while the request was in flight
      term.renewed(written, sentAt);
      this.view.observe(written);
      this.armDeadline(term);
      this.options.observer?.renewal('success');
      this.options.log.debug({ transitions: term.token.transitions, renewTime: record.renewTime }, 'Lease renewed');
    } catch (err) {
      // 3. A 409 is judged from a fresh read; anything else is retried next period until the deadline.
      if (isConflict(err)) {
        this.options.observer?.renewal('conflict');
        await this.recheck(term);
      } else if (isNotFound(err)) {
        this.options.observer?.renewal('error');
        this.stepDown(term, 'lease was deleted');
      } else {
        this.options.observer?.renewal('error');
        this.logApiError('Could not renew lease', err);
      }
    }
  }

  /** recheck reads the Lease after a lost renew CAS: keep leading only if it still names this term. */
  private async recheck(term: Term): Promise<void> {
    try {
      const current = await this.options.lock.get();
      this.view.observe(current);
      this.checkTerm(term, current);
      if (!term.lost && current) term.snapshot = current;
    } catch (err) {
      this.logApiError('Could not re-read lease after a conflict', err);
    }
  }

  /** checkTerm steps down when the Lease no longer names this term (deleted, taken, overwritten). */
  private checkTerm(term: Term, current: LeaseSnapshot | undefined): void {
    if (!current) return this.stepDown(term, 'lease was deleted');
    const { holderIdentity, leaseTransitions } = current.record;
    if (holderIdentity !== term.token.holder) return this.stepDown(term, `lease is held by ${holderIdentity || 'nobody'}`);
    if (leaseTransitions !== term.token.transitions) this.stepDown(term, `lease was overwritten (transitions ${leaseTransitions}, ours ${term.token.transitions})`);
  }

  /** onLeaseChange sees every newer version from the watch: the leader reacts at once. */
  private onLeaseChange(snapshot: LeaseSnapshot | undefined): void {
    const term = this.term;
    if (!term || term.lost) return;
    this.checkTerm(term, snapshot);
    if (!term.lost && snapshot) term.snapshot = snapshot;
  }

  private async release(term: Term): Promise<void> {
    const now = microTime(this.clock.wallMicros());
    // leaseDurationSeconds 1 makes a standby that missed the event treat it as expired quickly.
    const record: LeaseRecord = { ...term.snapshot.record, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now };
    try {
      this.view.observe(await this.options.lock.update(term.snapshot, record));
      this.options.log.info({ lease: this.options.lock.name, identity: this.options.identity, transitions: term.token.transitions }, 'Lease released');
    } catch (err) {
      this.logApiError('Could not release lease; standbys take over once it expires', err);
      return;
    }
    await this.awaitSuccessor();
  }

  /** awaitSuccessor waits (bounded) until another holder shows up, so a rollout never leaves a gap. */
  private async awaitSuccessor(): Promise<void> {
    const limit = this.options.releaseWaitMs ?? Math.min(this.options.leaseDurationMs, 10_000);
    const until = this.clock.now() + limit;
    const never = new AbortController().signal;
    while (this.clock.now() < until) {
      const holder = this.view.snapshot?.record.holderIdentity;
      if (holder && holder !== this.options.identity) {
        this.options.log.info({ holderIdentity: holder }, `Lease taken over by ${holder}`);
        return;
      }
      if (!this.view.fresh()) await this.options.lock.get().then((s) => this.view.observe(s), () => undefined);
      await this.view.changed(Math.min(this.options.retryPeriodMs, until - this.clock.now()), never);
    }
    this.options.log.warn({ waitedMs: limit }, 'No successor took the lease before the wait bound');
  }

  private armDeadline(term: Term): void {
    this.cancelDeadline();
    const due = term.lastRenewOk + this.renewDeadlineMs - this.clock.now();
    this.cancelDeadline = this.clock.setTimer(due, () => this.stepDown(term, `failed to renew lease within ${this.renewDeadlineMs} ms`));
  }

  /** startStallGuard treats an event-loop stall longer than the renew deadline as a lost renewal. */
  private startStallGuard(): () => void {
    const interval = Math.min(250, this.options.retryPeriodMs / 4);
    let last = this.clock.now();
    let cancel = (): void => {};
    const tick = (): void => {
      const now = this.clock.now();
      const stalled = now - last - interval;
      last = now;
      const term = this.term;
      if (term && stalled > this.renewDeadlineMs) this.stepDown(term, `event loop stalled for ${Math.round(stalled)} ms`);
      cancel = this.clock.setTimer(interval, tick);
    };
    cancel = this.clock.setTimer(interval, tick);
    return () => cancel();
  }

  private maxBackoffMs(): number {
    return Math.min(this.options.leaseDurationMs, 8 * this.options.retryPeriodMs);
  }

  private logApiError(message: string, err: unknown): void {
    const code = err instanceof KubeApiError ? err.code : undefined;
    const detail = { code, err: err instanceof Error ? err.message : String(err), lease: this.options.lock.name, namespace: this.options.lock.namespace };
    if (code === 403) this.options.log.error(detail, `${message}: forbidden (check the Role/RoleBinding for leases: get, create, update, patch, watch)`);
    else this.options.log.warn(detail, message);
  }
}

function validate(o: ElectorOptions): void {
  if (!o.identity) throw new Error('LeaderElector: identity must not be empty');
  if (typeof o.lead !== 'function') throw new Error('LeaderElector: lead callback is required');
  if (!(o.retryPeriodMs > 0)) throw new Error(`LeaderElector: retryPeriodMs must be > 0, got ${o.retryPeriodMs}`);
  if (!(o.renewDeadlineMs > 1.2 * o.retryPeriodMs)) {
    throw new Error(`LeaderElector: renewDeadlineMs (${o.renewDeadlineMs}) must be > 1.2 x retryPeriodMs (${o.retryPeriodMs})`);
  }
  if (!(o.leaseDurationMs > o.renewDeadlineMs)) {
    throw new Error(`LeaderElector: leaseDurationMs (${o.leaseDurationMs}) must be > renewDeadlineMs (${o.renewDeadlineMs})`);
  }
}
