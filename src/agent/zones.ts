import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkZoneName, normalizeZoneName } from '../dns/names.js';
import { soaSerial } from '../dns/zone.js';
import { NamedUnreachableError, type BindControl } from './bind.js';
import { removeLeftovers, scratchPath, writeAllDurably, writeDurably } from './durable.js';
import { eachLimited } from './each-limited.js';
import type { ZoneOptions } from './zone-options.js';

/** CheckedZone is zone text the zone check (named-checkconf) accepted, with the serial it read. */
export interface CheckedZone {
  readonly zone: string;
  readonly text: string;
  readonly serial: number;
}

/** ZoneInfo is what the agent reports per zone: the serial named confirmed it serves. */
export interface ZoneInfo {
  readonly name: string;
  readonly serial: number;
  /** The zone's NOTIFY/transfer/signing options, when any were set (GET /v1/zones only). */
  readonly options?: ZoneOptions;
}

/** ZoneFailure is a stored zone named refused to load (at resync); it is not reported as served. */
export interface ZoneFailure {
  readonly name: string;
  readonly error: string;
}

/** SERVE_CONCURRENCY bounds the rndc calls (and confirmations) one batch runs at once. */
const SERVE_CONCURRENCY = 4;

/** PendingStore is a checked zone waiting in a batch, with its caller's answer. */
interface PendingStore {
  readonly checked: CheckedZone;
  readonly resolve: (info: ZoneInfo) => void;
  readonly reject: (err: unknown) => void;
}

/** ZoneLoadError: named did not load what it was given; it keeps serving what it had. */
export class ZoneLoadError extends Error {
  override readonly name = 'ZoneLoadError';
}

/** ZoneFilesOptions tune how long the agent waits for named to confirm a load. */
export interface ZoneFilesOptions {
  /** How long named may take to load a reloaded zone before the push counts as refused. @default 3000 */
  readonly confirmMs?: number;
}

/**
 * ZoneFiles keeps one file per zone under `dir` and makes named serve exactly those files.
 * A zone file is validated in a scratch file first and replaced atomically; after each load the
 * serial named actually serves is read back (rndc zonestatus), and only that is reported. A load
 * named refuses is an error, and the previous file is put back, so the disk, the report and
 * named agree. Writes of one zone never interleave (the resync and API writes share one chain).
 */
export class ZoneFiles {
  /** Zones named confirmed serving, with the serial it loaded. */
  private readonly served = new Map<string, number>();
  /** Zones on disk not yet confirmed since this agent started (the resync works through them). */
  private readonly stored = new Set<string>();
  private readonly failures = new Map<string, string>();
  private chain: Promise<unknown> = Promise.resolve();
  /** Stores not yet applied that a later store may join (closed by any other write). */
  private openBatch: PendingStore[] | undefined;
  private readonly confirmMs: number;

  constructor(
    private readonly dir: string,
    private readonly bind: BindControl,
    options: ZoneFilesOptions = {},
  ) {
    this.confirmMs = options.confirmMs ?? 3_000;
  }

  /** load finds the zones on disk (a restarted agent serves them again) and removes scratch files a crash left. */
  async load(): Promise<{ zones: string[]; leftovers: string[] }> {
    await mkdir(this.dir, { recursive: true });
    const leftovers = await removeLeftovers(this.dir);
    for (const entry of await readdir(this.dir)) {
      if (entry.endsWith('.zone')) this.stored.add(entry.slice(0, -'.zone'.length));
    }
    return { zones: [...this.stored], leftovers };
  }

  /**
   * resync makes named serve every stored zone not yet confirmed. A zone named refuses is
   * recorded (see failed()) and skipped; only an unreachable named stops the pass (it throws, and
   * the caller retries later with what is left).
   */
  async resync(): Promise<ZoneFailure[]> {
    const refused: ZoneFailure[] = [];
    for (const zone of [...this.stored]) {
      try {
        await this.exclusive(() => this.resyncOne(zone));
      } catch (err) {
        if (err instanceof NamedUnreachableError) throw err;
        this.failures.set(zone, (err as Error).message);
        refused.push({ name: zone, error: (err as Error).message });
      }
      this.stored.delete(zone);
    }
    return refused;
  }

  /** list reports the zones named serves, with the serial it loaded. */
  list(): ZoneInfo[] {
    return [...this.served].map(([name, serial]) => ({ name, serial })).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** failed lists stored zones named refused at resync and nobody has fixed since. */
  failed(): ZoneFailure[] {
    return [...this.failures].map(([name, error]) => ({ name, error })).sort((a, b) => a.name.localeCompare(b.name));
  }

  has(zone: string): boolean {
    return this.served.has(normalizeZoneName(zone));
  }

  /** put validates, stores and serves a zone; throws ZoneCheckError or ZoneLoadError for text named refuses. */
  async put(zoneName: string, text: string): Promise<ZoneInfo> {
    return this.store(await this.check(zoneName, text));
  }

  /**
   * check validates zone text (ZoneChecker: named-checkconf -z) in a scratch file of its own. It changes
   * nothing, so it may run while other writes are applied.
   */
  async check(zoneName: string, text: string): Promise<CheckedZone> {
    const zone = safeZone(zoneName);
    const scratch = scratchPath(this.dir, 'check', zone);
    try {
      // A scratch file needs no durability: a crash only leaves it for removeLeftovers.
      await writeFile(scratch, text);
      return { zone, text, serial: await this.bind.check(zone, scratch) };
    } finally {
      await rm(scratch, { force: true });
    }
  }

  /**
   * store replaces a checked zone's file atomically, makes named load it, and confirms the serial
   * named serves. Stores queued behind a running write are applied together (see applyBatch), in
   * the order they were queued, and never past a remove queued after them.
   */
  store(checked: CheckedZone): Promise<ZoneInfo> {
    if (!this.openBatch) {
      const batch: PendingStore[] = [];
      // Whatever fails the batch as a whole (a write to disk) fails each of its stores.
      this.exclusive(() => this.applyBatch(batch)).catch((err: unknown) => batch.forEach((p) => p.reject(err)));
      this.openBatch = batch;
    }
    const batch = this.openBatch;
    return new Promise((resolve, reject) => batch.push({ checked, resolve, reject }));
  }

  /**
   * applyBatch writes every zone of the batch, then makes named load them all: new zones one
   * `rndc addzone` each, changed ones with one `rndc reload` when there are several (one command
   * instead of one per zone: a thousand pushes queued behind each other took a minute), and
   * confirms each zone's serial on its own. A zone named refuses fails alone and gets its
   * previous file back; the others are served.
   */
  private async applyBatch(batch: PendingStore[]): Promise<void> {
    if (this.openBatch === batch) this.openBatch = undefined;
    // A zone queued twice is written once, with its last text; every caller gets that outcome.
    const last = new Map(batch.map((p) => [p.checked.zone, p.checked]));
    const outcomes = new Map<string, Promise<ZoneInfo>>();
    const known = new Set([...last.keys()].filter((zone) => this.served.has(zone) || this.stored.has(zone)));
    const previous = new Map(await Promise.all([...last.keys()].map(async (zone) => [zone, await readFile(this.pathOf(zone), 'utf8').catch(() => undefined)] as const)));
    await writeAllDurably(this.dir, new Map([...last].map(([zone, checked]) => [fileOf(zone), checked.text])));
    const reloadedAll = known.size > 1 && this.bind.reloadAll ? this.bind.reloadAll().then(() => true) : Promise.resolve(false);
    // A few rndc commands at a time: a batch of new zones must not open hundreds of control connections at once.
    await eachLimited(last.values(), SERVE_CONCURRENCY, async (checked) => {
      const outcome = this.serveOne(checked, known.has(checked.zone), reloadedAll, previous.get(checked.zone));
      outcomes.set(checked.zone, outcome);
      await outcome.catch(() => undefined);
    });
    for (const p of batch) outcomes.get(p.checked.zone)!.then(p.resolve, p.reject);
  }

  /** serveOne loads one written zone (unless a reload of all did) and confirms it, restoring the previous file on failure. */
  private async serveOne(checked: CheckedZone, known: boolean, reloadedAll: Promise<boolean>, previous: string | undefined): Promise<ZoneInfo> {
    const { zone, serial } = checked;
    try {
      if (!known || !(await reloadedAll)) await this.bind.serve(zone, this.pathOf(zone), known);
      await this.confirm(zone, serial);
    } catch (err) {
      await this.restore(zone, previous);
      throw err instanceof NamedUnreachableError || err instanceof ZoneLoadError ? err : new ZoneLoadError((err as Error).message, { cause: err });
    }
    this.failures.delete(zone);
    this.stored.delete(zone);
    return { name: zone, serial };
  }

  /**
   * reconfigure makes named apply the zone's options anew (they are read through the BindControl);
   * a zone not served yet takes them when it is added. `readd` re-adds it (signing on or off).
   */
  reconfigure(zoneName: string, readd: boolean): Promise<void> {
    const zone = safeZone(zoneName);
    return this.exclusive(async () => {
      const serial = this.served.get(zone);
      if (serial === undefined) return;
      await this.bind.reconfigure(zone, this.pathOf(zone), readd);
      // A re-added zone is loaded again from the same file: served once named says so.
      await this.confirm(zone, serial);
    });
  }

  /**
   * landed resolves once every write queued so far was applied, a batch of stores included: a
   * mutation admitted after them waits for it, so writes land in the order they were admitted.
   */
  landed(): Promise<void> {
    return this.exclusive(async () => undefined);
  }

  /** remove stops serving a zone and deletes its file; false when it was not there. */
  remove(zoneName: string): Promise<boolean> {
    const zone = safeZone(zoneName);
    return this.exclusive(async () => {
      const existed = this.served.has(zone) || this.stored.has(zone) || this.failures.has(zone);
      await this.bind.remove(zone);
      // Signing leaves the signed copy and its journals beside the zone file.
      for (const suffix of ['', '.jnl', '.jbk', '.signed', '.signed.jnl']) await rm(`${this.pathOf(zone)}${suffix}`, { force: true });
      this.served.delete(zone);
      this.stored.delete(zone);
      this.failures.delete(zone);
      return existed;
    });
  }

  private async resyncOne(zone: string): Promise<void> {
    if (this.served.has(zone)) return; // an API write got there first
    const text = await readFile(this.pathOf(zone), 'utf8');
    const serial = soaSerial(text);
    if (serial === undefined) throw new ZoneLoadError(`stored zone file ${this.pathOf(zone)} has no SOA serial`);
    await this.bind.serve(zone, this.pathOf(zone), false);
    await this.confirm(zone, serial);
    this.failures.delete(zone);
  }

  /**
   * confirm waits until named serves `serial` (a reload is queued, not done, when rndc returns)
   * and records what it serves either way; a different serial at the deadline means named
   * refused the file.
   */
  private async confirm(zone: string, serial: number): Promise<void> {
    const deadline = Date.now() + this.confirmMs;
    for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
      const loaded = await this.bind.loadedSerial(zone);
      if (loaded === undefined) this.served.delete(zone);
      else this.served.set(zone, loaded);
      if (loaded === serial) return;
      if (Date.now() >= deadline) {
        const now = loaded === undefined ? 'does not serve the zone' : `still serves serial ${loaded}`;
        throw new ZoneLoadError(`named did not load serial ${serial} of ${zone} within ${this.confirmMs} ms and ${now}; its log says why (e.g. check-names, out of space)`);
      }
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  /** restore puts back the file named still serves (or none), so a restart loads what was confirmed. */
  private async restore(zone: string, previous: string | undefined): Promise<void> {
    if (previous !== undefined) await writeDurably(this.pathOf(zone), previous);
    else await rm(this.pathOf(zone), { force: true });
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    // A store queued after this write must not join a batch queued before it.
    this.openBatch = undefined;
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private pathOf(zone: string): string {
    return join(this.dir, fileOf(zone));
  }
}

/** fileOf is a zone's file name in the agent's zone directory. */
function fileOf(zone: string): string {
  return `${zone}.zone`;
}

/** safeZone validates a zone name from a URL; it becomes a file name, so nothing else may pass. */
export function safeZone(zoneName: string): string {
  const verdict = checkZoneName(zoneName);
  if (!verdict.ok) throw new BadZoneNameError(verdict.message);
  return normalizeZoneName(zoneName);
}

export class BadZoneNameError extends Error {
  override readonly name = 'BadZoneNameError';
}
