/**
 * eachLimited runs `work` on every item, at most `limit` at once, starting them in order. It
 * settles rather than races: a failure is thrown only once no work is in flight (a failed file
 * write must not return while another still holds a temporary file), the first failure in the
 * order the workers were started; a worker stops at its own failure, the others go on.
 */
export async function eachLimited<T>(items: Iterable<T>, limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const workers = await Promise.allSettled(
    Array.from({ length: Math.min(limit, queue.length) }, async () => {
      while (queue.length > 0) await work(queue.shift() as T);
    }),
  );
  const failed = workers.find((w): w is PromiseRejectedResult => w.status === 'rejected');
  if (failed) throw failed.reason;
}
