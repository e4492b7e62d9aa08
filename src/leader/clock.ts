/**
 * Clock is injected into the elector so unit tests can drive time. `now` is monotonic: lease
 * expiry and fencing are judged with it only, never with the wall clock, so clock skew or an NTP
 * step cannot make two replicas lead at once.
 */
export interface Clock {
  /** now is monotonic milliseconds (arbitrary origin). */
  now(): number;
  /** wallMicros is Unix time in microseconds, used only to write the Lease's MicroTime fields. */
  wallMicros(): number;
  /** setTimer calls fn once after ms; the returned function cancels it. */
  setTimer(ms: number, fn: () => void): () => void;
}

/** systemClock is the real clock: performance.now() is monotonic. */
export const systemClock: Clock = {
  now: () => performance.now(),
  wallMicros: () => Date.now() * 1000 + Math.floor((performance.now() * 1000) % 1000),
  setTimer: (ms, fn) => {
    const timer = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(timer);
  },
};

/** sleep resolves after ms, or at once when the signal aborts; it never rejects. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const cancel = clock.setTimer(ms, done);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** microTime formats Unix microseconds as a Kubernetes MicroTime (RFC 3339, 6 fractional digits). */
export function microTime(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString(); // 2026-01-02T03:04:05.678Z
  const micro = String(Math.floor(micros % 1000)).padStart(3, '0');
  return `${iso.slice(0, -1)}${micro}Z`;
}
