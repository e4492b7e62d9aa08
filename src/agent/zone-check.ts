import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { quotable } from './quotable.js';
import { scratchPath } from './durable.js';

const run = promisify(execFile);

/** BATCH_LIMIT bounds the zones one named-checkconf loads, so one slow batch never holds hundreds of pushes. */
const BATCH_LIMIT = 256;

/** ZoneCheckError carries named's own explanation of why a zone was refused. */
export class ZoneCheckError extends Error {
  override readonly name = 'ZoneCheckError';
}

interface PendingCheck {
  readonly zone: string;
  readonly file: string;
  readonly resolve: (serial: number) => void;
  readonly reject: (err: Error) => void;
}

/**
 * ZoneChecker validates zone files as named loads them. The checks asked for while one runs are
 * run together, by one `named-checkconf -z` over a scratch config that lists them: one process
 * per batch, where one named-checkzone per push cost ≈ 8 ms of CPU each and, 16 at once on two
 * cores, ≈ 270 ms per push. named-checkconf loads each zone as named loads a primary zone —
 * check-names fail, integrity checks (NS and MX/SRV targets in the zone need addresses), CNAME
 * and other data — and reports each zone on lines of its own, which settle that zone alone.
 */
export class ZoneChecker {
  private pending: PendingCheck[] = [];
  private running = false;

  constructor(private readonly timeoutMs = 10_000) {}

  /** check resolves with the serial named would load from `file` for `zone`, or rejects with named's reason. */
  check(zone: string, file: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.pending.push({ zone, file, resolve, reject });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.pending.length > 0) {
        // A zone asked twice waits for the next batch: one config cannot list a zone twice.
        const batch: PendingCheck[] = [];
        const later: PendingCheck[] = [];
        const zones = new Set<string>();
        for (const p of this.pending) {
          if (batch.length < BATCH_LIMIT && !zones.has(p.zone)) {
            zones.add(p.zone);
            batch.push(p);
          } else later.push(p);
        }
        this.pending = later;
        await this.run(batch);
      }
    } finally {
      this.running = false;
    }
  }

  private async run(batch: readonly PendingCheck[]): Promise<void> {
    const conf = scratchPath(dirname(batch[0]!.file), 'check', 'zones.conf');
    let lines: string[] | undefined;
    let failure: unknown;
    try {
      await writeFile(conf, batch.map((p) => `zone "${p.zone}" { type primary; file "${quotable(p.file)}"; };\n`).join(''));
      lines = (await checkconf(conf, this.timeoutMs)).split('\n').map((l) => l.trim()).filter((l) => l !== '');
    } catch (err) {
      failure = err;
    }
    // Removed before anyone hears the verdict: a caller may remove the zone files' directory next.
    await rm(conf, { force: true }).catch(() => undefined);
    for (const p of batch) {
      if (lines) settle(p, lines);
      else p.reject(new ZoneCheckError(`checking ${p.zone}: ${(failure as Error).message}`, { cause: failure }));
    }
  }
}

/** checkconf runs named-checkconf -z and returns what it printed, whether it passed or refused a zone. */
async function checkconf(conf: string, timeoutMs: number): Promise<string> {
  try {
    const { stdout, stderr } = await run('named-checkconf', ['-z', conf], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return `${stdout}\n${stderr}`;
  } catch (err) {
    const { stdout, stderr, code } = err as { stdout?: string; stderr?: string; code?: unknown };
    // Exit status 1 is a refused zone (its lines say which); anything else (not found, killed by the timeout) is the check failing.
    if (code !== 1) throw err;
    return `${stdout ?? ''}\n${stderr ?? ''}`;
  }
}

/** settle finds one zone's lines in named-checkconf's output: its loaded serial, or why it was refused. */
function settle(p: PendingCheck, lines: readonly string[]): void {
  const own = `zone ${p.zone}/IN:`;
  const loaded = lines.map((l) => (l.startsWith(own) ? /: loaded serial (\d+)/.exec(l) : null)).find((m) => m);
  if (loaded) return p.resolve(Number(loaded[1]));
  const about = lines.filter((l) => l.startsWith(own) || l.includes(p.file) || l.startsWith(`_default/${p.zone}/IN:`));
  const why = about.length > 0 ? about.join('; ').replaceAll(p.file, 'zone file') : `no verdict for the zone in: ${lines.join('; ').slice(0, 500)}`;
  p.reject(new ZoneCheckError(`named-checkconf -z rejected ${p.zone}: ${why}`));
}
