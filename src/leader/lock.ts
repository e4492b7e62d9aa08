/**
 * The lock interface the elector sees. The elector never builds apiserver requests itself, so
 * its state machine is tested against a fake lock.
 */

/** LeaseRecord is the part of a Lease's spec that leader election reads and writes. */
export interface LeaseRecord {
  /** holderIdentity is '' once released. */
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTime?: string;
  readonly renewTime?: string;
  readonly leaseTransitions: number;
  /** preferredHolder and strategy belong to coordinated leader election; read, never written. */
  readonly preferredHolder?: string;
  readonly strategy?: string;
}

/** LeaseSnapshot is one stored version of the Lease. */
export interface LeaseSnapshot {
  readonly record: LeaseRecord;
  readonly resourceVersion: string;
}

/** LeaseWatchHandlers receive the watch stream; `undefined` means the Lease was deleted. */
export interface LeaseWatchHandlers {
  onOpen(): void;
  onChange(snapshot: LeaseSnapshot | undefined, resourceVersion: string): void;
}

/**
 * LeaseLock is a compare-and-swap store for one Lease. Writes fail with a 409 KubeApiError when
 * the stored resourceVersion is no longer `previous.resourceVersion` (or, for create, when the
 * Lease exists).
 */
export interface LeaseLock {
  readonly name: string;
  readonly namespace: string;
  /** get returns the current Lease, or undefined when it does not exist. */
  get(): Promise<LeaseSnapshot | undefined>;
  create(record: LeaseRecord): Promise<LeaseSnapshot>;
  /** update replaces the election fields only; every other field of `previous` is kept. */
  update(previous: LeaseSnapshot, record: LeaseRecord): Promise<LeaseSnapshot>;
  /** watch streams changes of this Lease until the signal aborts (resolves) or the stream fails (rejects). */
  watch(signal: AbortSignal, handlers: LeaseWatchHandlers): Promise<void>;
}

/** isNewer is true when resourceVersion a is later than b (etcd revisions; unknown forms count as newer). */
export function isNewer(a: string, b: string | undefined): boolean {
  if (b === undefined) return true;
  if (!/^[0-9]+$/.test(a) || !/^[0-9]+$/.test(b)) return a !== b;
  return BigInt(a) > BigInt(b);
}

/** sameRecord compares the election fields: a change of any of them restarts the expiry timer. */
export function sameRecord(a: LeaseRecord | undefined, b: LeaseRecord | undefined): boolean {
  if (!a || !b) return a === b;
  return (
    a.holderIdentity === b.holderIdentity &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    a.acquireTime === b.acquireTime &&
    a.renewTime === b.renewTime &&
    a.leaseTransitions === b.leaseTransitions
  );
}
