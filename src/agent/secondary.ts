/**
 * Secondary zones: named holds them as `type secondary` and fills them by zone transfer
 * (NOTIFY + AXFR/IXFR) from the primaries the operator names. The agent never receives their
 * data; it only tells named where to transfer from, remembers that durably, and reports the
 * serial named serves.
 */
import { isIP } from 'node:net';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { NamedUnreachableError } from './bind.js';
import { quotable } from './quotable.js';
import { writeDurably } from './durable.js';
import { safeZone } from './zones.js';

/** SecondaryControl is what the secondary zones need of named (RndcControl implements it). */
export interface SecondaryControl {
  configure(zone: string, config: string, known: boolean): Promise<void>;
  loadedSerial(zone: string): Promise<number | undefined>;
  remove(zone: string): Promise<void>;
}

/** SecondaryZone is one secondary zone: its primaries, and the serial named serves (absent before the first transfer). */
export interface SecondaryZone {
  readonly name: string;
  readonly primaries: readonly string[];
  readonly serial?: number;
}

/** parsePrimaries checks a PUT body `{ primaries: [address, …] }`; a string is the reason it is refused. */
export function parsePrimaries(body: unknown): string[] | string {
  const primaries = (body as { primaries?: unknown } | null)?.primaries;
  if (!Array.isArray(primaries) || primaries.length === 0 || !primaries.every((p) => typeof p === 'string' && isIP(p) !== 0)) {
    return 'body must be { "primaries": [IP address, …] } with at least one address';
  }
  return primaries as string[];
}

/**
 * SecondaryZones keeps `<dir>/<zone>.json` (the primaries) per zone; named keeps the transferred
 * data in `<dir>/<zone>.db`, so a restarted named serves it at once and then asks its primaries
 * for anything newer. Calls for one agent run one at a time.
 */
export class SecondaryZones {
  private readonly primaries = new Map<string, readonly string[]>();
  private readonly serials = new Map<string, number>();
  /** Zones named was given since this agent started (the others are re-added by resync). */
  private readonly configured = new Set<string>();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly bind: SecondaryControl,
  ) {}

  async load(): Promise<string[]> {
    await mkdir(this.dir, { recursive: true });
    for (const entry of await readdir(this.dir)) {
      if (!entry.endsWith('.json')) continue;
      const parsed = parsePrimaries(JSON.parse(await readFile(join(this.dir, entry), 'utf8')) as unknown);
      if (typeof parsed !== 'string') this.primaries.set(entry.slice(0, -'.json'.length), parsed);
    }
    return [...this.primaries.keys()];
  }

  /**
   * resync gives named every stored secondary zone it was not given since the agent started. A
   * zone named refuses is returned and left for the operator's next PUT; only an unreachable
   * named stops the pass (it throws, and the caller retries).
   */
  async resync(): Promise<Array<{ name: string; error: string }>> {
    const refused: Array<{ name: string; error: string }> = [];
    for (const zone of [...this.primaries.keys()]) {
      await this.exclusive(async () => {
        const primaries = this.primaries.get(zone);
        if (!primaries || this.configured.has(zone)) return;
        try {
          await this.bind.configure(zone, this.config(zone, primaries), false);
          this.configured.add(zone);
        } catch (err) {
          if (err instanceof NamedUnreachableError) throw err;
          refused.push({ name: zone, error: (err as Error).message });
        }
      });
    }
    return refused;
  }

  /** list reports every secondary zone with the serial last seen served (see status). */
  list(): SecondaryZone[] {
    return [...this.primaries].map(([name, primaries]) => this.entry(name, primaries)).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** status reads the serial named serves for one zone now; undefined when the zone is not a secondary here. */
  async status(zoneName: string): Promise<SecondaryZone | undefined> {
    const zone = safeZone(zoneName);
    const primaries = this.primaries.get(zone);
    if (!primaries) return undefined;
    const serial = await this.bind.loadedSerial(zone);
    if (serial === undefined) this.serials.delete(zone);
    else this.serials.set(zone, serial);
    return this.entry(zone, primaries);
  }

  /** put makes named hold the zone as a secondary of `primaries` (added, or its primaries changed). */
  put(zoneName: string, primaries: readonly string[]): Promise<SecondaryZone> {
    const zone = safeZone(zoneName);
    return this.exclusive(async () => {
      const known = this.configured.has(zone);
      if (!known || this.primaries.get(zone)?.join(',') !== primaries.join(',')) {
        // Remembered before named is told, so a crash in between is repaired by the next resync.
        await writeDurably(join(this.dir, `${zone}.json`), JSON.stringify({ primaries }));
        this.primaries.set(zone, primaries);
        await this.bind.configure(zone, this.config(zone, primaries), known);
        this.configured.add(zone);
      }
      return (await this.status(zone)) ?? { name: zone, primaries };
    });
  }

  /** remove stops serving a secondary zone and forgets it; false when it was not there. */
  remove(zoneName: string): Promise<boolean> {
    const zone = safeZone(zoneName);
    return this.exclusive(async () => {
      const existed = this.primaries.has(zone);
      await this.bind.remove(zone);
      for (const file of [`${zone}.json`, `${zone}.db`, `${zone}.db.jnl`]) await rm(join(this.dir, file), { force: true });
      this.primaries.delete(zone);
      this.serials.delete(zone);
      this.configured.delete(zone);
      return existed;
    });
  }

  private config(zone: string, primaries: readonly string[]): string {
    return `{ type secondary; primaries { ${primaries.map((p) => `${p};`).join(' ')} }; file "${quotable(join(this.dir, `${zone}.db`))}"; };`;
  }

  private entry(name: string, primaries: readonly string[]): SecondaryZone {
    const serial = this.serials.get(name);
    return { name, primaries, ...(serial === undefined ? {} : { serial }) };
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }
}
