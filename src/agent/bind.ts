import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** BindControl is the narrow boundary to the local named: the only three things the agent asks of it. */
export interface BindControl {
  /** serve makes named (re)load a zone from `file`, adding it when named does not know it. */
  serve(zone: string, file: string): Promise<void>;
  /** remove makes named stop serving a zone; a zone named does not know is not an error. */
  remove(zone: string): Promise<void>;
  /** check validates zone text with named's own parser and returns the serial it loaded. */
  check(zone: string, file: string): Promise<number>;
}

/** RndcOptions locate named's control channel. */
export interface RndcOptions {
  readonly server: string;
  readonly port: number;
  readonly keyFile: string;
  readonly timeoutMs?: number;
}

/** ZoneCheckError carries named-checkzone's own explanation of why a zone was refused. */
export class ZoneCheckError extends Error {
  override readonly name = 'ZoneCheckError';
}

/** RndcControl drives named through rndc and validates with named-checkzone. */
export class RndcControl implements BindControl {
  constructor(private readonly options: RndcOptions) {}

  async serve(zone: string, file: string): Promise<void> {
    // reload first: it is the common case, and addzone on a known zone fails anyway.
    const reload = await this.rndc(['reload', zone]);
    if (reload.ok) return;
    if (!/not found/i.test(reload.output)) throw new Error(`rndc reload ${zone}: ${reload.output}`);
    const config = `{ type primary; file "${file.replace(/["\\]/g, '')}"; };`;
    const add = await this.rndc(['addzone', zone, config]);
    if (!add.ok && !/already exists/i.test(add.output)) throw new Error(`rndc addzone ${zone}: ${add.output}`);
  }

  async remove(zone: string): Promise<void> {
    const del = await this.rndc(['delzone', zone]);
    if (!del.ok && !/not found/i.test(del.output)) throw new Error(`rndc delzone ${zone}: ${del.output}`);
  }

  async check(zone: string, file: string): Promise<number> {
    let stdout: string;
    try {
      ({ stdout } = await run('named-checkzone', [zone, file], { timeout: this.options.timeoutMs ?? 10_000 }));
    } catch (err) {
      const out = `${(err as { stdout?: string }).stdout ?? ''}${(err as { stderr?: string }).stderr ?? ''}`.trim();
      throw new ZoneCheckError(`named-checkzone rejected ${zone}: ${out.replace(/\s*\n\s*/g, '; ') || (err as Error).message}`);
    }
    const m = /loaded serial (\d+)/.exec(stdout);
    if (!m) throw new ZoneCheckError(`named-checkzone ${zone}: no serial in output: ${stdout.trim()}`);
    return Number(m[1]);
  }

  private async rndc(args: string[]): Promise<{ ok: boolean; output: string }> {
    const o = this.options;
    try {
      const { stdout, stderr } = await run('rndc', ['-s', o.server, '-p', String(o.port), '-k', o.keyFile, ...args], { timeout: o.timeoutMs ?? 10_000 });
      return { ok: true, output: `${stdout}${stderr}`.trim() };
    } catch (err) {
      return { ok: false, output: `${(err as { stdout?: string }).stdout ?? ''}${(err as { stderr?: string }).stderr ?? ''}`.trim() || (err as Error).message };
    }
  }
}
