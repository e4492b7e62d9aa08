/**
 * The fencing contract between the elector and leader-gated work (the DNS controllers and the
 * agent client). Kept in its own file so writers depend on this, not on the elector.
 */

/** FencingToken identifies one leadership term: the Lease's holderIdentity and leaseTransitions as written by this replica's own successful acquire/renew (never from a cached read). */
export interface FencingToken { readonly holder: string; readonly transitions: number }

export class NotLeaderError extends Error {}

/** Leadership is what leader-gated work sees of the elector. */
export interface Leadership {
  /** fence returns the current token if this replica leads AND monotonic time since its last successful renew is below the renew deadline; otherwise it steps down (if leading) and throws NotLeaderError. Call it right before every external write. */
  fence(): FencingToken;
  /** deposed is called by a writer that was refused for a stale epoch (HTTP 409 from an agent): stop leading at once with this reason and rejoin as standby. */
  deposed(reason: string): void;
  /** signal aborts when this leadership term ends. */
  readonly signal: AbortSignal;
}

/** TokenOrder is the result of compareTokens. */
export type TokenOrder = 'older' | 'same' | 'newer' | 'conflict';

/**
 * compareTokens orders two terms by epoch: a term with more leaseTransitions is newer. Equal
 * transitions with a different holder is a 'conflict' — two writers claim the same epoch
 * (e.g. the Lease was deleted and recreated) — and a receiver must refuse it like an older one.
 * The result says what `a` is relative to `b`.
 */
export function compareTokens(a: FencingToken, b: FencingToken): TokenOrder {
  if (a.transitions < b.transitions) return 'older';
  if (a.transitions > b.transitions) return 'newer';
  return a.holder === b.holder ? 'same' : 'conflict';
}
