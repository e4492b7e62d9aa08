/** KubeApiError is any failed apiserver call; `code` is the HTTP status, or 0 when no answer came. */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** isConflict is true for a lost compare-and-swap (409). */
export function isConflict(err: unknown): boolean {
  return err instanceof KubeApiError && err.code === 409;
}

/** isNotFound is true for 404. */
export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.code === 404;
}

/** isRetryable is true for errors a later identical request may not hit: no answer, 429, or 5xx. */
export function isRetryable(err: unknown): boolean {
  return err instanceof KubeApiError && (err.code === 0 || err.code === 429 || err.code >= 500);
}
