import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Counter, Registry } from 'prom-client';
import { NamedUnreachableError } from './bind.js';
import { ZoneCheckError } from './zone-check.js';
import { formatEpoch, type Epoch } from './epoch.js';
import type { EpochGuard } from './fence.js';
import { dsRecords } from './ds.js';
import { parsePrimaries, type SecondaryZones } from './secondary.js';
import { parseZoneOptions, sameOptions, type ZoneOptionsStore } from './zone-options.js';
import { BadZoneNameError, safeZone, ZoneLoadError, type CheckedZone, type ZoneFiles } from './zones.js';

/** EPOCH_HEADERS carry the leader's fencing token on every mutating request. */
export const EPOCH_HEADERS = { holder: 'x-bindy-epoch-holder', transitions: 'x-bindy-epoch-transitions' } as const;

/** MAX_ZONE_BYTES bounds a PUT body; a larger one is answered 413 without being held. */
export const MAX_ZONE_BYTES = 8 * 1024 * 1024;
/** A body this much larger is not worth draining to keep the connection: the socket is closed. */
const MAX_DRAIN_BYTES = 8 * MAX_ZONE_BYTES;

export interface AgentApiDeps {
  readonly token: () => string;
  readonly zones: ZoneFiles;
  readonly zoneOptions: ZoneOptionsStore;
  readonly secondaries: SecondaryZones;
  /** Where named keeps the keys of the zones it signs (read for their DS records). */
  readonly keyDirectory: string;
  readonly guard: EpochGuard;
  readonly log: Logger;
  readonly registry: Registry;
  readonly fencedWrites: Counter<'component'>;
}

/**
 * AgentApi answers the operator. Reads are cheap; every mutation is admitted alone (one queue)
 * and lands in admission order, so a write admitted under an older epoch can never land after a
 * write of a newer one: a store holds the queue until it is queued for its batch, any other
 * mutation until it landed, after every write admitted before it.
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
    if (req.method === 'GET' && url.pathname === '/v1/zones') return reply(res, 200, this.inventory());
    const m = /^\/v1\/(zones|secondary-zones)\/([^/]+)(\/options|\/ds)?$/.exec(url.pathname);
    const zone = m ? decodePath(m[2] ?? '') : undefined;
    if (m && zone === undefined) return reply(res, 400, { error: `malformed percent-encoding in ${JSON.stringify(url.pathname)}` });
    if (!m || zone === undefined) return reply(res, 404, { error: `no route ${req.method} ${url.pathname}` });
    if (m[1] === 'secondary-zones' && m[3] === undefined) return this.secondaryZone(req, res, zone);
    if (m[1] === 'zones' && m[3] === '/ds' && req.method === 'GET') return this.getDs(res, zone);
    if (m[1] === 'zones' && m[3] === '/options' && req.method === 'PUT') return this.putOptions(req, res, zone);
    if (m[3] !== undefined) return reply(res, 404, { error: `no route ${req.method} ${url.pathname}` });
    if (req.method !== 'PUT' && req.method !== 'DELETE') return reply(res, 404, { error: `no route ${req.method} ${url.pathname}` });
    let body: string | undefined;
    if (req.method === 'PUT') {
      body = await readBody(req);
      if (body === undefined) return reply(res, 413, { error: `zone text larger than ${MAX_ZONE_BYTES} bytes` });
    }
    // Validation (named-checkconf, batched with the checks running beside it) changes nothing, so it starts before the queue and overlaps
    // other writes; only epoch admission and the write itself run one at a time.
    const checked = body === undefined ? undefined : settle(this.deps.zones.check(zone, body));
    if (checked) return this.store(req, res, zone, checked);
    return this.fenced(req, res, zone, async () => {
      const existed = await this.deps.zones.remove(zone);
      await this.deps.zoneOptions.delete(safeZone(zone));
      return [existed ? 200 : 404, { name: zone, deleted: existed }];
    });
  }

  /**
   * store admits a checked zone and queues it (ZoneFiles.store) in admission order; the queue is
   * held only until it is queued, so stores arriving together are applied together, in one batch.
   * The answer comes once its batch was applied.
   */
  private async store(req: IncomingMessage, res: ServerResponse, zone: string, checked: Promise<Settled<CheckedZone>>): Promise<void> {
    const queued = await this.exclusive(async () => {
      if (!(await this.admitted(req, res, zone))) return undefined;
      const result = await checked;
      if (!result.ok) return refused(res, result.error);
      // Wrapped: an async function returning the store's promise would wait for the batch inside the queue.
      return { applied: this.deps.zones.store(result.value) };
    });
    if (queued) await queued.applied.then((info) => reply(res, 200, info), (err: unknown) => refused(res, err));
  }

  /** inventory answers GET /v1/zones: primary zones (with their options), refused ones, secondaries. */
  private inventory() {
    const zones = this.deps.zones.list().map((z) => {
      const options = this.deps.zoneOptions.get(z.name);
      return options ? { ...z, options } : z;
    });
    return { zones, failed: this.deps.zones.failed(), secondaries: this.deps.secondaries.list(), epoch: this.deps.guard.current ?? null };
  }

  /** getDs answers a signed zone's DS records, read from the keys named made. */
  private async getDs(res: ServerResponse, zone: string): Promise<void> {
    let name: string;
    try {
      name = safeZone(zone);
    } catch (err) {
      return refused(res, err);
    }
    return reply(res, 200, { name, ds: await dsRecords(this.deps.keyDirectory, name) });
  }

  /** putOptions sets a primary zone's NOTIFY/transfer/signing options (body: ZoneOptions as JSON). */
  private async putOptions(req: IncomingMessage, res: ServerResponse, zone: string): Promise<void> {
    const options = parseJson(await readBody(req), parseZoneOptions);
    if (typeof options === 'string') return reply(res, 400, { error: options });
    await this.fenced(req, res, zone, async () => {
      const name = safeZone(zone);
      const before = this.deps.zoneOptions.get(name);
      await this.deps.zoneOptions.set(name, options);
      if (!sameOptions(before, options)) await this.deps.zones.reconfigure(name, (before?.dnssecPolicy ?? '') !== (options.dnssecPolicy ?? ''));
      return [200, { name, options }];
    });
  }

  /** secondaryZone answers /v1/secondary-zones/<zone>: GET (served serial, read now), PUT { primaries }, DELETE. */
  private async secondaryZone(req: IncomingMessage, res: ServerResponse, zone: string): Promise<void> {
    const secondaries = this.deps.secondaries;
    if (req.method === 'GET') {
      const status = await secondaries.status(zone).catch((err: unknown) => (err instanceof BadZoneNameError ? err : Promise.reject(err)));
      if (status instanceof BadZoneNameError) return reply(res, 422, { error: status.message });
      return status ? reply(res, 200, status) : reply(res, 404, { error: `${zone} is not a secondary zone here` });
    }
    if (req.method === 'DELETE') return this.fenced(req, res, zone, async () => ((await secondaries.remove(zone)) ? [200, { name: zone, deleted: true }] : [404, { name: zone, deleted: false }]));
    if (req.method !== 'PUT') return reply(res, 404, { error: `no route ${req.method} ${req.url ?? ''}` });
    const primaries = parseJson(await readBody(req), parsePrimaries);
    if (typeof primaries === 'string') return reply(res, 400, { error: primaries });
    return this.fenced(req, res, zone, async () => [200, await secondaries.put(zone, primaries)]);
  }

  /**
   * fenced runs one mutation other than a store alone in the queue, from admission until it
   * landed: (1) fence first, so nothing runs for a stale leader; (2) wait until every write
   * admitted before it landed (stores still waiting in a batch included); (3) apply. A zone or
   * config named refuses is a 422.
   */
  private fenced(req: IncomingMessage, res: ServerResponse, zone: string, apply: () => Promise<[number, unknown]>): Promise<void> {
    return this.exclusive(async () => {
      if (!(await this.admitted(req, res, zone))) return;
      try {
        await this.deps.zones.landed();
        const [status, body] = await apply();
        return reply(res, status, body);
      } catch (err) {
        // named refusing a secondary zone's config (not an unreachable named) is the caller's to fix.
        const configRefused = !(err instanceof NamedUnreachableError) && err instanceof Error && /^rndc (addzone|modzone)/.test(err.message);
        if (configRefused) return reply(res, 422, { error: err.message });
        return refused(res, err);
      }
    });
  }

  /** admitted checks the request's epoch; false once it answered the refusal (400 malformed, 409 stale, 503 unknown). */
  private async admitted(req: IncomingMessage, res: ServerResponse, zone: string): Promise<boolean> {
    const epoch = epochOf(req);
    if (typeof epoch === 'string') {
      reply(res, 400, { error: epoch });
      return false;
    }
    const admission = await this.deps.guard.admit(epoch);
    if (admission.ok) return true;
    if (admission.status === 409) {
      this.deps.fencedWrites.inc({ component: 'agent' });
      this.deps.log.warn({ zone, method: req.method, requested: formatEpoch(epoch), current: formatEpoch(this.deps.guard.current) }, 'Refused write with stale epoch');
    }
    reply(res, admission.status, { error: admission.message, epoch: this.deps.guard.current ?? null });
    return false;
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

/** parseJson parses a JSON body and checks it; a string is the reason it is refused. */
function parseJson<T>(body: string | undefined, check: (value: unknown) => T | string): T | string {
  if (body === undefined) return `body larger than ${MAX_ZONE_BYTES} bytes`;
  try {
    return check(JSON.parse(body) as unknown);
  } catch {
    return 'body is not JSON';
  }
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
