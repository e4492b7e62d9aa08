import { compareEpochs, CorruptEpochError, formatEpoch, type Epoch, type EpochFile } from './epoch.js';

/** Admission is the answer to "may this epoch write?". */
export type Admission = { readonly ok: true } | { readonly ok: false; readonly status: 409 | 503; readonly message: string };

/** LeaseReader returns the epoch the Lease currently names (undefined when there is no Lease). */
export type LeaseReader = () => Promise<Epoch | undefined>;

/**
 * EpochGuard decides which leader may write. It remembers the highest epoch it has accepted
 * (durably, before a write is allowed) and refuses anything older, or a different holder at the
 * same term. A higher epoch it has never seen is checked against the Lease first, so an agent
 * whose disk was wiped cannot be taken over by a leader that was deposed meanwhile: the Lease
 * has already moved past the stale epoch.
 */
export class EpochGuard {
  private known: Epoch | undefined;
  private corrupt: CorruptEpochError | undefined;

  /**
   * Without a LeaseReader (leader election disabled) there are no terms to order: every operator
   * sends epoch 0 under its own pod name, so fencing would lock out a restarted operator forever.
   * Such a guard admits every write; SPEC §1 already warns that this mode allows only one replica.
   */
  constructor(
    private readonly file: EpochFile,
    private readonly readLease: LeaseReader | undefined,
  ) {}

  /** fencing is false when the guard admits everything (leader election disabled). */
  get fencing(): boolean {
    return this.readLease !== undefined;
  }

  /** init loads the stored epoch and, best effort, raises it to the Lease's current one. */
  async init(): Promise<void> {
    if (!this.readLease) return;
    try {
      this.known = await this.file.load();
    } catch (err) {
      if (!(err instanceof CorruptEpochError)) throw err;
      this.corrupt = err;
      return;
    }
    try {
      await this.learn(await this.readLease!());
    } catch {
      // Unreachable apiserver at start is fine: admit() reads the Lease again before trusting a new epoch.
    }
  }

  /** current is the highest epoch known (accepted or learned from the Lease). */
  get current(): Epoch | undefined {
    return this.known;
  }

  /** admit checks `requested` and, when it is accepted, has stored it durably before returning. */
  async admit(requested: Epoch): Promise<Admission> {
    if (!this.readLease) return { ok: true };
    if (this.corrupt) return { ok: false, status: 503, message: this.corrupt.message };
    const order = this.known === undefined ? 'newer' : compareEpochs(requested, this.known);
    if (order === 'same') return { ok: true };
    if (order !== 'newer') return this.refuse(requested, this.known);
    let lease: Epoch | undefined;
    try {
      lease = await this.readLease();
    } catch (err) {
      return { ok: false, status: 503, message: `cannot verify epoch ${formatEpoch(requested)} against the Lease: ${(err as Error).message}` };
    }
    if (lease !== undefined && compareEpochs(requested, lease) !== 'newer' && compareEpochs(requested, lease) !== 'same') {
      await this.learn(lease);
      return this.refuse(requested, lease);
    }
    await this.file.save(requested);
    this.known = requested;
    return { ok: true };
  }

  private async learn(lease: Epoch | undefined): Promise<void> {
    if (lease === undefined) return;
    if (this.known !== undefined && compareEpochs(lease, this.known) !== 'newer') return;
    await this.file.save(lease);
    this.known = lease;
  }

  private refuse(requested: Epoch, current: Epoch | undefined): Admission {
    return {
      ok: false,
      status: 409,
      message: `stale epoch: request carries ${formatEpoch(requested)} but this agent has accepted ${formatEpoch(current)}; the sender is no longer the leader`,
    };
  }
}
