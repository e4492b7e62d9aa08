import type { Logger } from 'pino';
import { compareEpochs, CorruptEpochError, formatEpoch, type Epoch, type EpochFile, type StoredEpoch } from './epoch.js';

/** Admission is the answer to "may this epoch write?". */
export type Admission = { readonly ok: true } | { readonly ok: false; readonly status: 409 | 503; readonly message: string };

/** LeaseEpoch is the Lease's current holder and transitions, with the Lease object's uid. */
export interface LeaseEpoch extends Epoch {
  readonly uid: string;
}

/** LeaseReader returns the Lease's current epoch (undefined when there is no Lease). */
export type LeaseReader = () => Promise<LeaseEpoch | undefined>;

/**
 * EpochGuard decides which leader may write. It durably remembers the epoch it last accepted
 * (saved before a write is allowed) and admits, without asking anyone, only that same epoch.
 * Any other epoch is judged against the Lease, read fresh from the apiserver:
 *  - it is admitted only if it IS the Lease's current epoch, and is newer than the remembered one
 *    or comes from a recreated Lease (another uid: transitions restarted from 0);
 *  - everything else is refused with 409: older, a different holder at the same term, or a
 *    "newer" epoch the Lease does not name (a leader of a deleted Lease).
 * So a wiped disk, a recreated Lease or a leader frozen for minutes cannot make an agent accept
 * a deposed leader. Refusals are rare (a refused leader deposes itself), so reading the Lease
 * for them costs nothing in the steady state.
 *
 * A corrupt epoch file is never read as "no epoch". It is recovered, without a restart, the way
 * a wiped disk is: by adopting the Lease's current epoch (and rewriting the file). That is safe
 * because every epoch this agent accepted was the Lease's current one when it was accepted, and
 * a Lease's transitions only grow, so the Lease's epoch is at least as new as anything the lost
 * file could have held. While no Lease exists (or it cannot be read) the file's content cannot
 * be replaced by anything trustworthy, so writes get 503 until the Lease is readable, or until
 * someone restores or deletes the file.
 */
export class EpochGuard {
  private known: StoredEpoch | undefined;
  private corrupt: CorruptEpochError | undefined;

  /**
   * Without a LeaseReader (leader election disabled) there are no terms to order: every operator
   * sends epoch 0 under its own pod name, so fencing would lock out a restarted operator forever.
   * Such a guard admits every write; SPEC §1 already warns that this mode allows only one replica.
   */
  constructor(
    private readonly file: EpochFile,
    private readonly readLease: LeaseReader | undefined,
    private readonly log?: Logger,
  ) {}

  /** fencing is false when the guard admits everything (leader election disabled). */
  get fencing(): boolean {
    return this.readLease !== undefined;
  }

  /** init loads the stored epoch and, best effort, adopts the Lease's current one. */
  async init(): Promise<void> {
    if (!this.readLease) return;
    try {
      this.known = await this.file.load();
    } catch (err) {
      if (!(err instanceof CorruptEpochError)) throw err;
      this.corrupt = err;
      await this.recover();
      return;
    }
    try {
      const lease = await this.readLease();
      if (lease && this.supersedes(lease)) await this.remember(lease, lease.uid);
    } catch {
      // Unreachable apiserver at start is fine: admit() reads the Lease before trusting a new epoch.
    }
  }

  /** current is the epoch remembered (accepted, or learned from the Lease). */
  get current(): Epoch | undefined {
    return this.known;
  }

  /** admit checks `requested` and, when it is accepted, has stored it durably before returning. */
  async admit(requested: Epoch): Promise<Admission> {
    if (!this.readLease) return { ok: true };
    if (this.corrupt && !(await this.recover())) return { ok: false, status: 503, message: this.corrupt.message };
    if (this.known && compareEpochs(requested, this.known) === 'same') return { ok: true };
    let lease: LeaseEpoch | undefined;
    try {
      lease = await this.readLease();
    } catch (err) {
      return { ok: false, status: 503, message: `cannot verify epoch ${formatEpoch(requested)} against the Lease: ${(err as Error).message}` };
    }
    if (!lease) return this.admitWithoutLease(requested);
    if (compareEpochs(requested, lease) === 'same' && this.supersedes(lease)) {
      await this.remember(requested, lease.uid);
      return { ok: true };
    }
    if (this.supersedes(lease)) await this.remember(lease, lease.uid);
    return this.refuse(requested, this.known ?? lease);
  }

  /**
   * recover replaces a corrupt epoch file: by the file itself once someone restored or deleted
   * it, else by the Lease's current epoch. False while neither is possible.
   */
  private async recover(): Promise<boolean> {
    try {
      this.known = await this.file.load();
      this.corrupt = undefined;
      // Restored by hand, or deleted (then the next admission relearns the epoch from the Lease).
      this.log?.warn({ epoch: formatEpoch(this.known) }, this.known ? 'Epoch file restored; fencing resumes from it' : 'Corrupt epoch file was deleted; relearning the epoch from the Lease');
      return true;
    } catch (err) {
      if (!(err instanceof CorruptEpochError)) throw err;
    }
    let lease: LeaseEpoch | undefined;
    try {
      lease = await this.readLease?.();
    } catch {
      return false;
    }
    if (!lease) return false;
    await this.remember(lease, lease.uid);
    this.log?.warn({ epoch: formatEpoch(lease), reason: this.corrupt?.message }, 'Corrupt epoch file replaced by the Lease\'s current epoch');
    this.corrupt = undefined;
    return true;
  }

  /** supersedes: the Lease's epoch replaces the remembered one (newer, or a recreated Lease). */
  private supersedes(lease: LeaseEpoch): boolean {
    if (!this.known) return true;
    if (this.known.leaseUid !== undefined && this.known.leaseUid !== lease.uid) return true;
    return compareEpochs(lease, this.known) === 'newer';
  }

  /** admitWithoutLease orders by epoch alone: no Lease exists yet (bootstrap) or it was just deleted. */
  private async admitWithoutLease(requested: Epoch): Promise<Admission> {
    if (this.known && compareEpochs(requested, this.known) !== 'newer') return this.refuse(requested, this.known);
    await this.remember(requested, this.known?.leaseUid);
    return { ok: true };
  }

  private async remember(epoch: Epoch, leaseUid: string | undefined): Promise<void> {
    const stored: StoredEpoch = { holder: epoch.holder, transitions: epoch.transitions, ...(leaseUid === undefined ? {} : { leaseUid }) };
    await this.file.save(stored);
    this.known = stored;
  }

  private refuse(requested: Epoch, current: Epoch): Admission {
    return {
      ok: false,
      status: 409,
      message: `stale epoch: request carries ${formatEpoch(requested)} but this agent has accepted ${formatEpoch(current)}; the sender is no longer the leader`,
    };
  }
}
