/**
 * named-floor.ts measures the physical floor of serving a set of zones: one real named, started
 * empty, gets every zone file at once in one reconfiguration (`rndc reconfig` of a config that
 * lists them all), and the time until each zone answers is what no operator pushing the same
 * files could beat.
 */
import { execFile } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startLocalNamed } from '../../test/support/local-named.js';

const run = promisify(execFile);

/** FloorZone is one zone file to load and a name in it that must answer once it is loaded. */
export interface FloorZone {
  readonly zone: string;
  readonly file: string;
  readonly probe: string;
  readonly expect: string;
}

/**
 * answering asks named (one dig batch) for each probe and returns the zones whose probe got the
 * expected answer.
 */
export async function answering(server: string, port: number, zones: readonly FloorZone[], batchFile: string): Promise<Set<string>> {
  writeFileSync(batchFile, zones.map((z) => `${z.probe} A`).join('\n') + '\n');
  const { stdout } = await run('dig', [`@${server}`, '-p', String(port), '+norec', '+noall', '+answer', '+time=2', '+tries=1', '-f', batchFile], { maxBuffer: 64 * 1024 * 1024 });
  const byProbe = new Map(zones.map((z) => [`${z.probe}.`, z]));
  const served = new Set<string>();
  for (const line of stdout.split('\n')) {
    const [owner, , , type, value] = line.trim().split(/\s+/);
    const zone = owner === undefined ? undefined : byProbe.get(owner);
    if (zone && type === 'A' && value === zone.expect) served.add(zone.zone);
  }
  return served;
}

/**
 * Unserved polls only the zones not seen answering yet: a zone of the benchmarks, once served,
 * stays served, and asking a thousand names every 100 ms loads the machine being measured.
 */
export class Unserved {
  private readonly pending: Map<string, FloorZone>;

  constructor(zones: readonly FloorZone[]) {
    this.pending = new Map(zones.map((z) => [z.zone, z]));
  }

  get count(): number {
    return this.pending.size;
  }

  /** poll asks named for the pending zones and returns how many are still not served. */
  async poll(server: string, port: number, batchFile: string): Promise<number> {
    if (this.pending.size === 0) return 0;
    for (const zone of await answering(server, port, [...this.pending.values()], batchFile)) this.pending.delete(zone);
    return this.pending.size;
  }
}

/** measureFloor returns the ms from `rndc reconfig` until every zone answers. */
export async function measureFloor(zones: readonly FloorZone[]): Promise<number> {
  const named = await startLocalNamed();
  try {
    const dir = join(named.root, 'floor');
    mkdirSync(dir);
    const statements = zones.map((z) => {
      const file = join(dir, `${z.zone}.zone`);
      copyFileSync(z.file, file);
      return `zone "${z.zone}" { type primary; file "${file}"; };`;
    });
    const list = join(dir, 'zones.conf');
    writeFileSync(list, statements.join('\n') + '\n');
    appendFileSync(join(named.root, 'named.conf'), `include "${list}";\n`);
    const { server, port, keyFile } = named.rndc;
    const t0 = performance.now();
    await run('rndc', ['-s', server, '-p', String(port), '-k', keyFile, 'reconfig']);
    const unserved = new Unserved(zones);
    for (;;) {
      if ((await unserved.poll('127.0.0.1', named.dnsPort, join(dir, 'queries'))) === 0) return Math.round(performance.now() - t0);
      if (performance.now() - t0 > 300_000) throw new Error('named did not serve every zone within 300 s of the reconfiguration');
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await named.close();
  }
}
