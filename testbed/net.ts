/** net.ts: free loopback ports, HTTP probes and a poll helper for the test bed. */
import { createServer } from 'node:net';
import { get as httpsGet } from 'node:https';
import { get as httpGet } from 'node:http';

/** freePort asks the kernel for an unused TCP port on 127.0.0.1 (free now, not reserved). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

export interface ProbeOptions {
  readonly ca?: Buffer;
  readonly token?: string;
}

/** probe GETs a URL once and returns status and body; network errors become status 0. */
export function probe(url: string, options: ProbeOptions = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = options.token ? { Authorization: `Bearer ${options.token}` } : {};
    const onResponse = (res: import('node:http').IncomingMessage): void => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (err) => resolve({ status: 0, body: err.message }));
    };
    const req = url.startsWith('https:')
      ? httpsGet(url, { headers, ca: options.ca, rejectUnauthorized: options.ca !== undefined, timeout: 2000 }, onResponse)
      : httpGet(url, { headers, timeout: 2000 }, onResponse);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ status: 0, body: err.message }));
  });
}

export interface PollOptions {
  readonly what: string;
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** Checked before each try: a reason here (e.g. "etcd exited") ends the wait at once. */
  readonly abortReason?: () => string | undefined;
}

/** pollUntil calls `check` until it returns a value; it rejects on timeout or abort with what it waited for. */
export async function pollUntil<T>(check: () => Promise<T | undefined>, options: PollOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last = '';
  for (;;) {
    const reason = options.abortReason?.();
    if (reason) throw new Error(`${options.what}: ${reason}`);
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${options.what}: not done after ${options.timeoutMs} ms${last ? ` (last error: ${last})` : ''}`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
}
