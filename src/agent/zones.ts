import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkZoneName, normalizeZoneName } from '../dns/names.js';
import { soaSerial } from '../dns/zone.js';
import type { BindControl } from './bind.js';
import { writeDurably } from './epoch.js';

/** CheckedZone is zone text that named-checkzone accepted, with the serial it read. */
export interface CheckedZone {
  readonly zone: string;
  readonly text: string;
  readonly serial: number;
}

/** ZoneInfo is what the agent reports per zone. */
export interface ZoneInfo {
  readonly name: string;
  readonly serial: number;
}

/**
 * ZoneFiles keeps one file per zone under `dir` and makes named serve exactly those files.
 * A zone file is validated in a scratch file first and replaced atomically, so named never
 * sees a half-written or invalid zone.
 */
export class ZoneFiles {
  private readonly serials = new Map<string, number>();

  constructor(
    private readonly dir: string,
    private readonly bind: BindControl,
  ) {}

  /** load reads the zones already on disk (a restarted agent keeps serving them). */
  async load(): Promise<string[]> {
    await mkdir(this.dir, { recursive: true });
    for (const entry of await readdir(this.dir)) {
      if (!entry.endsWith('.zone')) continue;
      const serial = soaSerial(await readFile(join(this.dir, entry), 'utf8'));
      if (serial !== undefined) this.serials.set(entry.slice(0, -'.zone'.length), serial);
    }
    return [...this.serials.keys()];
  }

  /** resync asks named to serve every stored zone (after named restarted without them). */
  async resync(): Promise<void> {
    for (const zone of this.serials.keys()) await this.bind.serve(zone, this.pathOf(zone), false);
  }

  list(): ZoneInfo[] {
    return [...this.serials].map(([name, serial]) => ({ name, serial })).sort((a, b) => a.name.localeCompare(b.name));
  }

  has(zone: string): boolean {
    return this.serials.has(normalizeZoneName(zone));
  }

  /** put validates, stores and serves a zone; throws ZoneCheckError for text named refuses. */
  async put(zoneName: string, text: string): Promise<ZoneInfo> {
    return this.store(await this.check(zoneName, text));
  }

  /**
   * check validates zone text with named-checkzone in a scratch file of its own. It changes
   * nothing, so it may run while other writes are applied.
   */
  async check(zoneName: string, text: string): Promise<CheckedZone> {
    const zone = safeZone(zoneName);
    const scratch = join(this.dir, `.check-${zone}-${randomUUID()}`);
    await writeFile(scratch, text);
    try {
      return { zone, text, serial: await this.bind.check(zone, scratch) };
    } finally {
      await rm(scratch, { force: true });
    }
  }

  /** store replaces a checked zone's file atomically and makes named serve it. */
  async store(checked: CheckedZone): Promise<ZoneInfo> {
    const { zone, text, serial } = checked;
    await writeDurably(this.pathOf(zone), text);
    await this.bind.serve(zone, this.pathOf(zone), this.serials.has(zone));
    this.serials.set(zone, serial);
    return { name: zone, serial };
  }

  /** remove stops serving a zone and deletes its file; false when it was not there. */
  async remove(zoneName: string): Promise<boolean> {
    const zone = safeZone(zoneName);
    const existed = this.serials.has(zone);
    await this.bind.remove(zone);
    await rm(this.pathOf(zone), { force: true });
    this.serials.delete(zone);
    return existed;
  }

  private pathOf(zone: string): string {
    return join(this.dir, `${zone}.zone`);
  }
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
