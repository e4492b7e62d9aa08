/** eventually retries `fn` until it stops throwing, or rethrows its last error at the deadline (apiserver controllers and RBAC act asynchronously). */
export async function eventually<T>(fn: () => Promise<T> | T, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
}
