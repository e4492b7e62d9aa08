import type { Leadership } from '../leader/leadership.js';

/**
 * Runnable is everything long-running: start() returns once the signal aborts (after its
 * in-flight work finished or was cancelled). ready() reports e.g. caches synced.
 */
export interface Runnable {
  start(signal: AbortSignal): Promise<void>;
  ready?(): boolean;
}

/**
 * ControllerSet is what a controller package contributes: informers run on every replica (so a
 * new leader starts from a warm cache); reconcilers are built per leadership term and run only
 * while leading.
 */
export interface ControllerSet {
  /** names are logged with `Starting all operators`. */
  readonly names: readonly string[];
  readonly informers?: Runnable;
  readonly reconcilers: (leadership: Leadership) => Runnable;
}
