import type { IncomingMessage } from 'node:http';
import { request, type Agent } from 'node:https';
import type { Epoch } from './epoch.js';
import type { SecondaryZone } from './secondary.js';
import { identityCheck } from './tls.js';
import type { ZoneOptions } from './zone-options.js';
import type { ZoneInfo } from './zones.js';

/** AGENT_PORT is the agent's API port in every Bind9Instance pod. */
export const AGENT_PORT = 8053;

/** StaleEpochError is the agent's 409: the caller is no longer the leader and must stop writing. */
export class StaleEpochError extends Error {
  override readonly name = 'StaleEpochError';
}

/** AgentError is any other failed agent call; `status` 0 means no (usable) answer. */
export class AgentError extends Error {
  override readonly name = 'AgentError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** AgentLimits bound what one agent call may cost the operator. */
export interface AgentLimits {
  /** Whole-call deadline, connect to last byte (an agent that trickles bytes cannot hold a worker). @default 30000 */
  readonly totalMs?: number;
  /** Longest silence on the socket. @default 10000 */
  readonly idleMs?: number;
  /** Largest answer read; a longer one fails the call before it is buffered. @default 16 MiB */
  readonly maxResponseBytes?: number;
}

/**
 * DEFAULT_LIMITS: a PUT waits for the zone check, the write and named's confirmed reload (seconds
 * at most); a zone list is ~40 bytes per zone, so 16 MiB holds 400,000 zones.
 */
export const DEFAULT_LIMITS: Required<AgentLimits> = { totalMs: 30_000, idleMs: 10_000, maxResponseBytes: 16 * 1024 * 1024 };

/** AgentConnection is how the operator reaches one instance's agents: its TLS pool (agentConnections) and the name its certificate must carry. */
export interface AgentConnection {
  readonly pool: Agent;
  readonly serverName: string;
}

/**
 * AgentClient talks to one pod's agent over TLS (the operator CA pinned, the instance's name
 * checked) with the instance's bearer token. Every call is bounded in time (total and idle) and in
 * memory (answer size), and every answer is checked for the shape the caller relies on, so a
 * slow, oversized or garbled agent fails that call with an AgentError and nothing else.
 */
export class AgentClient {
  private readonly limits: Required<AgentLimits>;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly token: string,
    private readonly connection: AgentConnection,
    limits: AgentLimits = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** podAddress is the pod's IP (what named's primaries, also-notify and allow-transfer name). */
  get podAddress(): string {
    return this.host;
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** list returns the zones the agent's named serves, with the serial named loaded. */
  async list(): Promise<ZoneInfo[]> {
    const body = await this.call('GET', '/v1/zones');
    const zones = (body as { zones?: unknown } | null)?.zones;
    if (!Array.isArray(zones) || !zones.every(isZoneInfo)) throw this.garbled('GET', '/v1/zones', 'no zones list of { name, serial }');
    return zones;
  }

  /** put sends a zone's full text; the answer is the serial named confirmed it loaded. */
  async put(zone: string, text: string, epoch: Epoch): Promise<ZoneInfo> {
    const path = `/v1/zones/${encodeURIComponent(zone)}`;
    const body = await this.call('PUT', path, epoch, text);
    if (!isZoneInfo(body)) throw this.garbled('PUT', path, 'no { name, serial } in the answer');
    return body;
  }

  /** delete removes a zone; a zone the agent does not have counts as deleted. */
  async delete(zone: string, epoch: Epoch): Promise<void> {
    await this.call('DELETE', `/v1/zones/${encodeURIComponent(zone)}`, epoch, undefined, [404]);
  }

  /**
   * inventory lists both kinds of zone the pod holds in one call: primary zones (with their
   * options) and secondary zones with the serial last read (`secondary()` reads one now).
   */
  async inventory(): Promise<{ zones: ZoneInfo[]; secondaries: SecondaryZone[] }> {
    const body = (await this.call('GET', '/v1/zones')) as { zones?: unknown; secondaries?: unknown } | null;
    const zones = body?.zones;
    const secondaries = body?.secondaries ?? [];
    if (!Array.isArray(zones) || !zones.every(isZoneInfo)) throw this.garbled('GET', '/v1/zones', 'no zones list of { name, serial }');
    if (!Array.isArray(secondaries) || !secondaries.every(isSecondaryZone)) throw this.garbled('GET', '/v1/zones', 'secondaries is not a list of { name, primaries, serial? }');
    return { zones, secondaries };
  }

  /** secondary reads the serial the pod's named serves for a secondary zone now; undefined when it holds no such secondary. */
  async secondary(zone: string): Promise<SecondaryZone | undefined> {
    const path = `/v1/secondary-zones/${encodeURIComponent(zone)}`;
    const body = await this.call('GET', path, undefined, undefined, [404]);
    if (isSecondaryZone(body)) return body;
    if ((body as { error?: unknown } | null)?.error !== undefined) return undefined;
    throw this.garbled('GET', path, 'no { name, primaries } in the answer');
  }

  /** putSecondary makes the pod's named hold `zone` as a secondary of `primaries` (fenced). */
  async putSecondary(zone: string, primaries: readonly string[], epoch: Epoch): Promise<SecondaryZone> {
    const path = `/v1/secondary-zones/${encodeURIComponent(zone)}`;
    const body = await this.call('PUT', path, epoch, JSON.stringify({ primaries }));
    if (!isSecondaryZone(body)) throw this.garbled('PUT', path, 'no { name, primaries } in the answer');
    return body;
  }

  /** deleteSecondary removes a secondary zone; one the agent does not have counts as deleted (fenced). */
  async deleteSecondary(zone: string, epoch: Epoch): Promise<void> {
    await this.call('DELETE', `/v1/secondary-zones/${encodeURIComponent(zone)}`, epoch, undefined, [404]);
  }

  /** ds reads a signed zone's DS records (one per key-signing key the pod's named made). */
  async ds(zone: string): Promise<string[]> {
    const path = `/v1/zones/${encodeURIComponent(zone)}/ds`;
    const ds = ((await this.call('GET', path)) as { ds?: unknown } | null)?.ds;
    if (!Array.isArray(ds) || !ds.every((d) => typeof d === 'string')) throw this.garbled('GET', path, 'no ds list of strings');
    return ds;
  }

  /** putOptions sets a primary zone's NOTIFY, transfer and signing options (fenced). */
  async putOptions(zone: string, options: ZoneOptions, epoch: Epoch): Promise<void> {
    await this.call('PUT', `/v1/zones/${encodeURIComponent(zone)}/options`, epoch, JSON.stringify(options));
  }

  private garbled(method: string, path: string, what: string): AgentError {
    return new AgentError(0, `${method} ${this.address}${path}: garbled answer: ${what}`);
  }

  private call(method: string, path: string, epoch?: Epoch, body?: string, okStatuses: number[] = []): Promise<unknown> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (epoch) {
      headers['x-bindy-epoch-holder'] = epoch.holder;
      headers['x-bindy-epoch-transitions'] = String(epoch.transitions);
    }
    if (body !== undefined) {
      headers['content-type'] = 'text/plain';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const what = `${method} ${this.address}${path}`;
    return new Promise((resolve, reject) => {
      const fail = (err: Error) => reject(new AgentError(0, `${what}: ${err.message}`));
      const { pool, serverName } = this.connection;
      const req = request({ host: this.host, port: this.port, method, path, headers, timeout: this.limits.idleMs, agent: pool, servername: serverName, checkServerIdentity: identityCheck(serverName) }, (res) => {
        readBounded(res, this.limits.maxResponseBytes).then((text) => {
          clearTimeout(deadline);
          const status = res.statusCode ?? 0;
          const parsed = parse(text);
          if ((status >= 200 && status < 300) || okStatuses.includes(status)) return resolve(parsed);
          const message = `${what}: ${status}: ${(parsed as { error?: string } | null)?.error ?? text.slice(0, 500)}`;
          reject(status === 409 ? new StaleEpochError(message) : new AgentError(status, message));
        }, abort);
      });
      // Whatever ends the call first (error, limit, deadline) settles it and frees the socket.
      const abort = (err: Error) => {
        clearTimeout(deadline);
        req.destroy();
        fail(err);
      };
      // The idle timeout alone never fires for an agent that sends a byte every few seconds.
      const deadline = setTimeout(() => abort(new Error(`no complete answer within ${this.limits.totalMs} ms`)), this.limits.totalMs);
      req.on('timeout', () => abort(new Error(`no data for ${this.limits.idleMs} ms`)));
      req.on('error', abort);
      req.end(body);
    });
  }
}

/** readBounded buffers a response up to `max` bytes; a longer one is refused before it is held. */
function readBounded(res: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) return reject(new Error(`answer of ${declared} bytes exceeds the ${max}-byte limit`));
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) return reject(new Error(`answer exceeds the ${max}-byte limit`));
      chunks.push(c);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    res.on('aborted', () => reject(new Error('answer cut off')));
  });
}

function isSecondaryZone(z: unknown): z is SecondaryZone {
  const o = z as { name?: unknown; primaries?: unknown; serial?: unknown } | null;
  return typeof o === 'object' && o !== null && typeof o.name === 'string' && Array.isArray(o.primaries) && (o.serial === undefined || Number.isSafeInteger(o.serial));
}

function isZoneInfo(z: unknown): z is ZoneInfo {
  const o = z as { name?: unknown; serial?: unknown } | null;
  return typeof o === 'object' && o !== null && typeof o.name === 'string' && Number.isSafeInteger(o.serial);
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
