import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeDurably } from './durable.js';

/** Epoch identifies a term of leadership: the Lease holder and leaseTransitions when it acquired. */
export interface Epoch {
  readonly holder: string;
  readonly transitions: number;
}

/**
 * StoredEpoch is an epoch with the uid of the Lease it was taken from: transitions only grow
 * within one Lease object, so a deleted and recreated Lease starts a new sequence.
 */
export interface StoredEpoch extends Epoch {
  readonly leaseUid?: string;
}

/** EpochOrder says how an epoch relates to another. */
export type EpochOrder = 'older' | 'same' | 'newer' | 'conflict';

/**
 * compareEpochs orders `a` against `b`: by transitions; equal transitions with different
 * holders is a conflict (two claims to the same term — at most one is the real leader).
 */
export function compareEpochs(a: Epoch, b: Epoch): EpochOrder {
  if (a.transitions < b.transitions) return 'older';
  if (a.transitions > b.transitions) return 'newer';
  return a.holder === b.holder ? 'same' : 'conflict';
}

/** formatEpoch renders an epoch for logs and error messages. */
export function formatEpoch(e: Epoch | undefined): string {
  return e === undefined ? 'none' : `${e.holder || '<released>'}@${e.transitions}`;
}

/** CorruptEpochError means the epoch file exists but cannot be trusted; writes stay refused. */
export class CorruptEpochError extends Error {
  override readonly name = 'CorruptEpochError';
}

function checksum(e: StoredEpoch): string {
  return createHash('sha256').update(`${e.holder}\n${e.transitions}\n${e.leaseUid ?? ''}`).digest('hex');
}

/**
 * EpochFile persists the highest accepted epoch. save() returns only after the data and the
 * directory entry are on disk (tmp + fsync + rename + fsync dir), so an answer given after
 * save() survives a crash. load() verifies a checksum: a torn or edited file is reported as
 * corrupt, never read as "no epoch", because forgetting the epoch would re-admit a stale leader.
 */
export class EpochFile {
  constructor(readonly path: string) {}

  /** load returns the stored epoch, undefined when no file exists, or throws CorruptEpochError. */
  async load(): Promise<StoredEpoch | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CorruptEpochError(`epoch file ${this.path} cannot be read: ${(err as Error).message}`, { cause: err });
    }
    try {
      const doc = JSON.parse(text) as { holder?: unknown; transitions?: unknown; leaseUid?: unknown; sha256?: unknown };
      const epoch = { holder: doc.holder, transitions: doc.transitions, ...(doc.leaseUid === undefined ? {} : { leaseUid: doc.leaseUid }) } as StoredEpoch;
      if (typeof epoch.holder !== 'string' || !Number.isSafeInteger(epoch.transitions) || epoch.transitions < 0) throw new Error('bad fields');
      if (epoch.leaseUid !== undefined && typeof epoch.leaseUid !== 'string') throw new Error('bad leaseUid');
      if (doc.sha256 !== checksum(epoch)) throw new Error('checksum mismatch');
      return epoch;
    } catch (err) {
      throw new CorruptEpochError(
        `epoch file ${this.path} is corrupt (${(err as Error).message}); refusing writes rather than forgetting the fencing epoch — ` +
          'restore it, or delete it so the agent relearns the epoch from the Lease',
        { cause: err },
      );
    }
  }

  /** save durably replaces the stored epoch. */
  async save(epoch: StoredEpoch): Promise<void> {
    const doc = { holder: epoch.holder, transitions: epoch.transitions, leaseUid: epoch.leaseUid, sha256: checksum(epoch) };
    await writeDurably(this.path, `${JSON.stringify(doc)}\n`);
  }
}
