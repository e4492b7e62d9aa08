import { readRndcKey, RndcConnectError, rndcCommand } from './rndc-protocol.js';
import { querySoa } from './soa-query.js';
import { ZoneChecker } from './zone-check.js';
import { quotable } from './quotable.js';

/** BindControl is the narrow boundary to the local named: the only three things the agent asks of it. */
export interface BindControl {
  /**
   * serve makes named (re)load a zone from `file`, adding it when named does not know it.
   * `known` is the agent's belief that named serves the zone already: it picks the call tried first.
   */
  serve(zone: string, file: string, known: boolean): Promise<void>;
  /**
   * reconfigure makes named apply a served zone's options anew (see ZoneOptions): `rndc modzone`,
   * or with `readd` delzone + addzone, since named 9.18 only starts or stops signing a zone it adds.
   */
  reconfigure(zone: string, file: string, readd: boolean): Promise<void>;
  /** remove makes named stop serving a zone; a zone named does not know is not an error. */
  remove(zone: string): Promise<void>;
  /** check validates zone text as strictly as named loads it and returns the serial it read. */
  check(zone: string, file: string): Promise<number>;
  /** loadedSerial is the serial named serves for `zone` now; undefined when it serves none. */
  loadedSerial(zone: string): Promise<number | undefined>;
  /** reloadAll makes named reload every zone whose file changed, in one call (a batch of pushes). */
  reloadAll?(): Promise<void>;
}

/** RndcOptions locate named's control channel. */
export interface RndcOptions {
  readonly server: string;
  readonly port: number;
  readonly keyFile: string;
  readonly timeoutMs?: number;
  /**
   * Where named answers DNS for this agent: loaded serials are then read with a SOA query (one
   * datagram) and `rndc zonestatus` (a process) is only the fallback when named does not answer
   * authoritatively (zone not loaded, allow-query refusing the agent). Absent: rndc only.
   */
  readonly dns?: { readonly server: string; readonly port: number };
}

/** NamedUnreachableError means named's control channel did not answer: nothing was judged. */
export class NamedUnreachableError extends Error {
  override readonly name = 'NamedUnreachableError';
}

/**
 * RndcControl drives named through its control channel and validates with named-checkconf (ZoneChecker). `zoneOptions` adds
 * a primary zone's options (NOTIFY, transfer, signing) to the config it is added with; `signed`
 * says which zones named signs inline.
 */
export class RndcControl implements BindControl {
  private readonly checker: ZoneChecker;

  constructor(
    private readonly options: RndcOptions,
    private readonly zoneOptions: (zone: string) => string = () => '',
    private readonly signed: (zone: string) => boolean = () => false,
  ) {
    this.checker = new ZoneChecker(options.timeoutMs);
  }

  async serve(zone: string, file: string, known: boolean): Promise<void> {
    // Trying the likely call first saves one rndc round trip per push; the
    // other call covers a wrong belief (named restarted without the zone, or added it already).
    const reload = ['reload', zone];
    const add = ['addzone', zone, this.primaryConfig(zone, file)];
    const first = await this.rndc(known ? reload : add);
    if (first.ok) return;
    const wrongBelief = known ? /not found/i.test(first.output) : /already exists/i.test(first.output);
    if (!wrongBelief) throw failure(`rndc ${(known ? reload : add).slice(0, 2).join(' ')}`, first);
    const second = await this.rndc(known ? add : reload);
    if (!second.ok) throw failure(`rndc ${(known ? add : reload).slice(0, 2).join(' ')}`, second);
  }

  async reconfigure(zone: string, file: string, readd: boolean): Promise<void> {
    if (readd) {
      await this.remove(zone);
      return this.configure(zone, this.primaryConfig(zone, file), false);
    }
    return this.configure(zone, this.primaryConfig(zone, file), true);
  }

  /**
   * configure gives named a zone's whole config: `rndc modzone` when `known`, else `rndc addzone`,
   * falling back to the other call when named's view differs from the caller's belief.
   */
  async configure(zone: string, config: string, known: boolean): Promise<void> {
    const mod = ['modzone', zone, config];
    const add = ['addzone', zone, config];
    const first = await this.rndc(known ? mod : add);
    if (first.ok) return;
    const wrongBelief = known ? /not found/i.test(first.output) : /already exists/i.test(first.output);
    if (!wrongBelief) throw failure(`rndc ${known ? 'modzone' : 'addzone'} ${zone}`, first);
    const second = await this.rndc(known ? add : mod);
    if (!second.ok) throw failure(`rndc ${known ? 'addzone' : 'modzone'} ${zone}`, second);
  }

  private primaryConfig(zone: string, file: string): string {
    return `{ type primary; file "${quotable(file)}"; ${this.zoneOptions(zone)} };`;
  }

  async reloadAll(): Promise<void> {
    const all = await this.rndc(['reload']);
    if (!all.ok) throw failure('rndc reload', all);
  }

  async loadedSerial(zone: string): Promise<number | undefined> {
    // A zone named signs inline answers with the signed serial, which named raises on its own;
    // the serial pushed (the raw zone's) is only in rndc zonestatus.
    const dns = this.signed(zone) ? undefined : this.options.dns;
    const answer = dns ? await querySoa(dns.server, dns.port, zone, 250).catch(() => undefined) : undefined;
    if (answer?.served) return answer.serial;
    const status = await this.rndc(['zonestatus', zone]);
    if (!status.ok) {
      if (/not found|not loaded/i.test(status.output)) return undefined;
      throw failure(`rndc zonestatus ${zone}`, status);
    }
    const m = /^serial: (\d+)$/m.exec(status.output);
    if (!m) throw new Error(`rndc zonestatus ${zone}: no serial in ${JSON.stringify(status.output.slice(0, 200))}`);
    return Number(m[1]);
  }

  async remove(zone: string): Promise<void> {
    const del = await this.rndc(['delzone', zone]);
    if (!del.ok && !/not found/i.test(del.output)) throw failure(`rndc delzone ${zone}`, del);
  }

  check(zone: string, file: string): Promise<number> {
    return this.checker.check(zone, file);
  }

  /**
   * rndc sends one command over named's control channel (rndc-protocol.ts, in process: a process
   * per call was most of a bulk import's agent time). The key file is read at each call, as the
   * rndc tool does, so a replaced key is picked up.
   */
  private async rndc(args: string[]): Promise<{ ok: boolean; output: string; unreachable?: boolean }> {
    const o = this.options;
    try {
      const reply = await rndcCommand(o.server, o.port, await readRndcKey(o.keyFile), args.join(' '), o.timeoutMs ?? 10_000);
      if (reply.result === 0) return { ok: true, output: reply.text.trim() };
      return { ok: false, output: [reply.err, reply.text].filter((t) => t !== '').join(': ').trim() || `result ${reply.result}` };
    } catch (err) {
      return { ok: false, output: (err as Error).message, unreachable: err instanceof RndcConnectError };
    }
  }
}

/** failure tells a named that did not answer from a named that refused. */
function failure(what: string, reply: { output: string; unreachable?: boolean }): Error {
  return reply.unreachable ? new NamedUnreachableError(`${what}: ${reply.output}`) : new Error(`${what}: ${reply.output}`);
}
