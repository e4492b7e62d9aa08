import { Agent, request as httpsRequest, type RequestOptions as HttpsOptions } from 'node:https';
import { request as httpRequest, Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { KubeApiError } from './api-error.js';
import type { RequestAuth } from './credentials.js';
import type { KubeConnection } from './kubeconfig.js';

/** WatchEvent is one line of a Kubernetes watch stream. */
export interface WatchEvent<T> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: T;
}

export interface CallOptions {
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly contentType?: string;
  /** Accept header (e.g. a meta.k8s.io Table, as kubectl asks for). @default application/json */
  readonly accept?: string;
  /** Per-request deadline; the request is aborted and fails with code 0 when it passes. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface WatchOptions {
  readonly query?: CallOptions['query'];
  readonly signal: AbortSignal;
  /** The stream is cut when nothing (not even a bookmark) arrives for this long: a blackholed link sends no FIN. */
  readonly idleTimeoutMs?: number;
  /** onOpen is called once the server has accepted the watch (status 200), before any event. */
  readonly onOpen?: () => void;
}

export interface KubeClientOptions {
  /** Default per-request timeout. */
  readonly timeoutMs?: number;
  readonly userAgent?: string;
  /** onRequest is told of every request sent (watches once, when opened): the basis of request-rate metrics. */
  readonly onRequest?: (verb: string) => void;
}

/**
 * KubeClient is a small JSON client for the apiserver. Each instance owns its own
 * keep-alive agent, so a client made for the Lease never queues behind reconcile traffic.
 * Authentication comes from the connection's Credentials (client-node's authenticators); a 401
 * on a cached credential drops it and retries once, so a rotated token costs one round trip.
 */
export class KubeClient {
  private readonly agent: Agent | HttpAgent;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly onRequest: ((verb: string) => void) | undefined;

  constructor(
    readonly connection: KubeConnection,
    options: KubeClientOptions = {},
  ) {
    const url = new URL(connection.server);
    this.agent =
      url.protocol === 'https:'
        ? new Agent({
            keepAlive: true,
            ca: connection.ca,
            rejectUnauthorized: !connection.insecureSkipTlsVerify,
            ...(connection.servername ? { servername: connection.servername } : {}),
          })
        : new HttpAgent({ keepAlive: true });
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.userAgent = options.userAgent ?? 'bindy-ts';
    this.onRequest = options.onRequest;
  }

  get<T>(path: string, options: CallOptions = {}): Promise<T> {
    return this.call<T>('GET', path, options);
  }

  create<T>(path: string, body: unknown, options: CallOptions = {}): Promise<T> {
    return this.call<T>('POST', path, { ...options, body });
  }

  /** replace is a PUT; with metadata.resourceVersion set it is a compare-and-swap. */
  replace<T>(path: string, body: unknown, options: CallOptions = {}): Promise<T> {
    return this.call<T>('PUT', path, { ...options, body });
  }

  /** mergePatch sends a JSON merge patch; include metadata.resourceVersion to make it conditional. */
  mergePatch<T>(path: string, body: unknown, options: CallOptions = {}): Promise<T> {
    return this.call<T>('PATCH', path, { ...options, body, contentType: 'application/merge-patch+json' });
  }

  /** apply is a server-side apply with the given field manager. */
  apply<T>(path: string, body: unknown, fieldManager: string, options: CallOptions = {}): Promise<T> {
    return this.call<T>('PATCH', path, {
      ...options,
      body,
      contentType: 'application/apply-patch+yaml',
      query: { ...options.query, fieldManager, force: true },
    });
  }

  delete<T>(path: string, options: CallOptions = {}): Promise<T> {
    return this.call<T>('DELETE', path, options);
  }

  /** call sends one request and parses the JSON answer; non-2xx becomes a KubeApiError. */
  async call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
    try {
      return await this.callOnce<T>(method, path, options);
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 401 && this.connection.credentials.invalidate()) return this.callOnce<T>(method, path, options);
      throw err;
    }
  }

  private async callOnce<T>(method: string, path: string, options: CallOptions): Promise<T> {
    const response = await this.open(method, path, options, options.timeoutMs ?? this.timeoutMs);
    const text = await readAll(response.res, response.deadline);
    const status = response.res.statusCode ?? 0;
    if (status < 200 || status >= 300) throw toApiError(method, path, status, text);
    return (text.length > 0 ? JSON.parse(text) : undefined) as T;
  }

  /**
   * watch streams events of a list path until the server ends the stream, the idle timeout
   * passes, or the signal aborts. It resolves on a clean end and rejects on errors.
   */
  async watch<T>(path: string, options: WatchOptions, onEvent: (event: WatchEvent<T>) => void): Promise<void> {
    const query = { ...options.query, watch: true, allowWatchBookmarks: true };
    const { res, deadline } = await this.open('GET', path, { query, signal: options.signal }, options.idleTimeoutMs ?? 0);
    if ((res.statusCode ?? 0) !== 200) {
      // The caller re-opens the watch; a 401 must then fetch fresh credentials.
      if (res.statusCode === 401) this.connection.credentials.invalidate();
      throw toApiError('WATCH', path, res.statusCode ?? 0, await readAll(res, deadline));
    }
    options.onOpen?.();
    let buffered = '';
    res.setEncoding('utf8');
    for await (const chunk of res as AsyncIterable<string>) {
      deadline.touch();
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line.length > 0) onEvent(JSON.parse(line) as WatchEvent<T>);
        newline = buffered.indexOf('\n');
      }
    }
    deadline.clear();
    if (deadline.expired()) throw new KubeApiError(0, 'Timeout', `watch ${path}: no data for ${options.idleTimeoutMs} ms`);
  }

  /** close drops the pooled connections. */
  close(): void {
    this.agent.destroy();
  }

  private async open(method: string, path: string, options: CallOptions, timeoutMs: number): Promise<{ res: IncomingMessage; deadline: Deadline }> {
    let auth: RequestAuth;
    try {
      auth = await this.connection.credentials.get();
    } catch (err) {
      throw new KubeApiError(0, 'AuthenticationFailed', `${method} ${path}: ${(err as Error).message}`, { cause: err });
    }
    return this.send(method, path, options, timeoutMs, auth);
  }

  private send(method: string, path: string, options: CallOptions, timeoutMs: number, auth: RequestAuth): Promise<{ res: IncomingMessage; deadline: Deadline }> {
    const url = new URL(this.connection.server + path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    const headers: Record<string, string> = { Accept: options.accept ?? 'application/json', 'User-Agent': this.userAgent, ...auth.headers };
    if (body !== undefined) {
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    // A client certificate goes per request: the agent keys its socket pool by it, so a rotated
    // certificate (exec plugins may issue short-lived ones) opens new connections.
    const requestOptions: HttpsOptions = { method, headers, agent: this.agent, signal: options.signal, cert: auth.cert, key: auth.key };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    this.onRequest?.(options.query?.watch === true ? 'WATCH' : method);
    return new Promise((resolve, reject) => {
      const req = send(url, requestOptions);
      const deadline = new Deadline(timeoutMs, () => req.destroy(new KubeApiError(0, 'Timeout', `${method} ${path}: no answer within ${timeoutMs} ms`)));
      req.on('response', (res) => resolve({ res, deadline }));
      req.on('error', (err) => {
        deadline.clear();
        reject(err instanceof KubeApiError ? err : new KubeApiError(0, 'NetworkError', `${method} ${path}: ${err.message}`, { cause: err }));
      });
      req.end(body);
    });
  }
}

/** Deadline destroys a request when it sees no progress for `ms` (0 = never). */
class Deadline {
  private timer: NodeJS.Timeout | undefined;
  private fired = false;
  constructor(
    private readonly ms: number,
    private readonly onExpire: () => void,
  ) {
    this.touch();
  }
  touch(): void {
    if (this.ms <= 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.fired = true;
      this.onExpire();
    }, this.ms);
  }
  clear(): void {
    clearTimeout(this.timer);
  }
  expired(): boolean {
    return this.fired;
  }
}

async function readAll(res: IncomingMessage, deadline: Deadline): Promise<string> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      deadline.touch();
      chunks.push(chunk);
    }
  } catch (err) {
    throw err instanceof KubeApiError ? err : new KubeApiError(0, 'NetworkError', `reading response: ${(err as Error).message}`, { cause: err });
  } finally {
    deadline.clear();
  }
  if (deadline.expired()) throw new KubeApiError(0, 'Timeout', 'response body timed out');
  return Buffer.concat(chunks).toString('utf8');
}

function toApiError(method: string, path: string, code: number, text: string): KubeApiError {
  let reason = 'Unknown';
  let message = text.slice(0, 500);
  try {
    const status = JSON.parse(text) as { reason?: string; message?: string };
    reason = status.reason ?? reason;
    message = status.message ?? message;
  } catch {
    // Not a Status object (a proxy or a plain-text error); keep the raw text.
  }
  return new KubeApiError(code, reason, `${method} ${path}: ${code} ${reason}: ${message}`);
}
