import { setMaxListeners } from 'node:events';
import type { Clock } from './clock.js';
import { NotLeaderError, type FencingToken, type Leadership } from './leadership.js';
import type { LeaseSnapshot } from './lock.js';

/** TermHost is the part of the elector a term calls back into. */
export interface TermHost {
  readonly clock: Clock;
  readonly renewDeadlineMs: number;
  stepDown(term: Term, reason: string): void;
  deposed(term: Term, reason: string): void;
}

/**
 * Term is one leadership term and the Leadership handed to gated work. Its token comes from the
 * Lease this replica itself wrote when acquiring. A term never restarts: a later term of the same
 * replica is a new object, so a writer holding an old Leadership can never pass fence() again.
 */
export class Term implements Leadership {
  readonly token: FencingToken;
  /** snapshot is the newest stored Lease naming this term (our last write, or a newer edit of it). */
  snapshot: LeaseSnapshot;
  /** lastRenewOk is when the last successful acquire/renew was *sent* (monotonic): conservative. */
  lastRenewOk: number;
  private readonly work = new AbortController();
  private readonly lostController = new AbortController();

  constructor(
    private readonly host: TermHost,
    written: LeaseSnapshot,
    sentAt: number,
  ) {
    this.token = { holder: written.record.holderIdentity, transitions: written.record.leaseTransitions };
    this.snapshot = written;
    this.lastRenewOk = sentAt;
    // Every controller and worker listens on the term's signal; that is by design, not a leak.
    setMaxListeners(0, this.work.signal);
  }

  get signal(): AbortSignal {
    return this.work.signal;
  }

  /** lostSignal aborts when the term ended involuntarily (not for a graceful shutdown). */
  get lostSignal(): AbortSignal {
    return this.lostController.signal;
  }

  get lost(): boolean {
    return this.lostController.signal.aborted;
  }

  fence(): FencingToken {
    if (this.work.signal.aborted) throw new NotLeaderError(`not leading: ${String(this.work.signal.reason)}`);
    const age = this.host.clock.now() - this.lastRenewOk;
    if (age >= this.host.renewDeadlineMs) {
      const reason = `no successful renew for ${Math.round(age)} ms (renew deadline ${this.host.renewDeadlineMs} ms)`;
      this.host.stepDown(this, reason);
      throw new NotLeaderError(`not leading: ${reason}`);
    }
    return this.token;
  }

  deposed(reason: string): void {
    this.host.deposed(this, reason);
  }

  renewed(written: LeaseSnapshot, sentAt: number): void {
    this.snapshot = written;
    this.lastRenewOk = sentAt;
  }

  /** stopWork aborts the gated work (graceful shutdown); renewing continues until it has drained. */
  stopWork(reason: string): void {
    this.work.abort(reason);
  }

  /** lose ends the term at once: the work signal aborts first, so nothing else is written under it. */
  lose(reason: string): void {
    this.work.abort(reason);
    this.lostController.abort(reason);
  }
}
