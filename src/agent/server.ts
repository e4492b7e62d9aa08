import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Counter, Registry } from 'prom-client';
import { NamedUnreachableError, ZoneCheckError } from './bind.js';
import { formatEpoch, type Epoch } from './epoch.js';
import type { EpochGuard } from './fence.js';
import { BadZoneNameError, ZoneLoadError, type CheckedZone, type ZoneFiles } from './zones.js';

/** EPOCH_HEADERS carry the leader's fencing token on every mutating request. */
export const EPOCH_HEADERS = { holder: 'x-bindy-epoch-holder', transitions: 'x-bindy-epoch-transitions' } as const;

/** MAX_ZONE_BYTES bounds a PUT body; a larger one is answered 413 without being held. */
export const MAX_ZONE_BYTES = 8 * 1024 * 1024;
/** A body this much larger is not worth draining to keep the connection: the socket is closed. */
const MAX_DRAIN_BYTES = 8 * MAX_ZONE_BYTES;

export interface AgentApiDeps {
  readonly token: () => string;
  readonly zones: ZoneFiles;
  readonly guard: EpochGuard;
  readonly log: Logger;
  readonly registry: Registry;
  readonly fencedWrites: Counter<'component'>;
}

/**
 * AgentApi answers the operator. Reads are cheap; every mutation runs alone (one queue), from
 * the epoch check to named's reload, so a write admitted under an older epoch can never land
 * after a write of a newer one.
 */
export class AgentApi {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: AgentApiDeps) {}

  handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.route(req, res).catch((err: unknown) => {
      const status = err instanceof NamedUnreachableError ? 503 : 500;
      this.deps.log.error({ err, method: req.method, url: req.url }, 'agent request failed');
      // An answer already under way cannot be replaced; cutting it tells the caller it failed.
      if (res.headersSent) res.destroy();
      else reply(res, status, { error: (err as Error).message });
    });
  };

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://agent');
    if (req.method === 'GET' && url.pathname === '/healthz') return reply(res, 200, { ok: true });
    if (req.method === 'GET' && url.pathname === '/metrics') {
      res.writeHead(200, { 'content-type': this.deps.registry.contentType });
      res.end(await this.deps.registry.metrics());
      return;
    }
    if (!this.authorized(req)) return reply(res, 401, { error: 'missing or wrong bearer token' });
    if (req.method === 'GET' && url.pathname === '/v1/zones') {
      return reply(res, 200, { zones: this.deps.zones.list(), failed: this.deps.zones.failed(), epoch: this.deps.guard.current ?? null });
    }
    const m = /^\/v1\/zones\/([^/]+)$/.exec(url.pathname);
    if (!m || (req.method !== 'PUT' && req.method !== 'DELETE')) return reply(res, 404, { error: `no route ${req.method} ${url.pathname}` });
    const zone = decodePath(m[1] ?? '');
    if (zone === undefined) return reply(res, 400, { error: `malformed percent-encoding in ${JSON.stringify(url.pathname)}` });
    let body: string | undefined;
    if (req.method === 'PUT') {
      body = await readBody(req);
      if (body === undefined) return reply(res, 413, { error: `zone text larger than ${MAX_ZONE_BYTES} bytes` });
    }
    // Validation (a named-checkzone run) changes nothing, so it starts before the queue and overlaps
    // other writes; only epoch admission and the write itself run one at a time.
    const checked = body === undefined ? undefined : settle(this.deps.zones.check(zone, body));
    // A store is queued in admission order inside the queue and applied after it, so stores queued
    // behind each other are applied together (ZoneFiles.store).
    const queued = await this.exclusive(() => this.mutate(req, res, zone, checked));
    if (queued) await queued.applied;
  }

  private async mutate(req: IncomingMessage, res: ServerResponse, zone: string, checked: Promise<Settled<CheckedZone>> | undefined): Promise<{ applied: Promise<void> } | void> {
    const epoch = epochOf(req);
    if (typeof epoch === 'string') return reply(res, 400, { error: epoch });
    // 1. Fence first: nothing below runs for a stale leader.
    const admission = await this.deps.guard.admit(epoch);
    if (!admission.ok) {
      if (admission.status === 409) {
        this.deps.fencedWrites.inc({ component: 'agent' });
        this.deps.log.warn({ zone, method: req.method, requested: formatEpoch(epoch), current: formatEpoch(this.deps.guard.current) }, 'Refused write with stale epoch');
      }
      return reply(res, admission.status, { error: admission.message, epoch: this.deps.guard.current ?? null });
    }
    // 2. Apply: validate + atomic write + rndc for PUT, rndc delzone + unlink for DELETE.
    try {
      if (checked) {
        const result = await checked;
        if (!result.ok) throw result.error;
        return { applied: this.deps.zones.store(result.value).then((info) => reply(res, 200, info), (err: unknown) => refused(res, err)) };
      }
      const existed = await this.deps.zones.remove(zone);
      return reply(res, existed ? 200 : 404, { name: zone, deleted: existed });
    } catch (err) {
      return refused(res, err);
    }
  }

  private authorized(req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? '';
    const expected = Buffer.from(`Bearer ${this.deps.token()}`);
    const given = Buffer.from(header);
    return this.deps.token().length > 0 && given.length === expected.length && timingSafeEqual(given, expected);
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** settle holds a result (or failure) until the queue reaches it, without an unhandled rejection meanwhile. */
function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true, value }) as const,
    (error: unknown) => ({ ok: false, error }) as const,
  );
}

function epochOf(req: IncomingMessage): Epoch | string {
  const holder = req.headers[EPOCH_HEADERS.holder];
  const transitions = req.headers[EPOCH_HEADERS.transitions];
  if (typeof holder !== 'string' || holder.length === 0 || typeof transitions !== 'string' || !/^\d{1,15}$/.test(transitions)) {
    return `mutating requests need headers X-Bindy-Epoch-Holder (non-empty) and X-Bindy-Epoch-Transitions (integer ≥ 0)`;
  }
  return { holder, transitions: Number(transitions) };
}

/** decodePath decodes one path segment; undefined for malformed percent-encoding such as "%zz". */
function decodePath(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * readBody returns the body, or undefined when it exceeds MAX_ZONE_BYTES. An oversized body is
 * read to its end and dropped (not held), so the 413 arrives on a connection the caller can keep
 * using; past MAX_DRAIN_BYTES the socket is closed instead.
 */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_ZONE_BYTES) chunks.push(chunk);
      else chunks.length = 0;
      if (size > MAX_DRAIN_BYTES) req.destroy(new Error(`request body larger than ${MAX_DRAIN_BYTES} bytes`));
    });
    req.on('end', () => resolve(size > MAX_ZONE_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** refused answers 422 for zone text or a zone name named refuses; anything else is the caller's to report. */
function refused(res: ServerResponse, err: unknown): void {
  if (err instanceof ZoneCheckError || err instanceof ZoneLoadError || err instanceof BadZoneNameError) return reply(res, 422, { error: err.message });
  throw err;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
