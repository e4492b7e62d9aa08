/**
 * A primary zone's options beyond its data: who is told of a new serial (NOTIFY), who may
 * transfer it (AXFR/IXFR), and whether named signs it (DNSSEC). The operator sends them as
 * data, never as config text: every element is checked here before it reaches `rndc addzone`.
 */
import { isIP } from 'node:net';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { checkAclElement } from '../dns/acl.js';
import { writeDurably } from './durable.js';

/** ZoneOptions are what the operator asks of one primary zone; empty lists mean "named.conf's defaults". */
export interface ZoneOptions {
  /** Secondaries' addresses: sent a NOTIFY at every new serial. */
  readonly alsoNotify: readonly string[];
  /** The zone's allow-transfer address-match list (the secondaries plus the instance's own list). */
  readonly allowTransfer: readonly string[];
  /** A dnssec-policy named knows (`default`, or one named.conf defines); absent means unsigned. */
  readonly dnssecPolicy?: string;
}

export const NO_OPTIONS: ZoneOptions = { alsoNotify: [], allowTransfer: [] };

/** POLICY_NAME: a dnssec-policy name is written quoted into named's config, so it may hold no quote, brace or `;`. */
const POLICY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** parseZoneOptions checks a request body; a string is the reason it is refused. */
export function parseZoneOptions(body: unknown): ZoneOptions | string {
  const o = body as { alsoNotify?: unknown; allowTransfer?: unknown; dnssecPolicy?: unknown } | null;
  if (typeof o !== 'object' || o === null) return 'body must be a JSON object { alsoNotify, allowTransfer, dnssecPolicy? }';
  const alsoNotify = o.alsoNotify ?? [];
  const allowTransfer = o.allowTransfer ?? [];
  if (!Array.isArray(alsoNotify) || !alsoNotify.every((a) => typeof a === 'string' && isIP(a) !== 0)) return 'alsoNotify must be a list of IP addresses';
  if (!Array.isArray(allowTransfer) || !allowTransfer.every((a) => typeof a === 'string')) return 'allowTransfer must be a list of strings';
  for (const element of allowTransfer as string[]) {
    const verdict = checkAclElement(element, 'allowTransfer');
    if (!verdict.ok) return verdict.message;
  }
  if (o.dnssecPolicy !== undefined && (typeof o.dnssecPolicy !== 'string' || !POLICY_NAME.test(o.dnssecPolicy))) return 'dnssecPolicy must be a policy name (letters, digits, ".", "_", "-")';
  return { alsoNotify: alsoNotify as string[], allowTransfer: allowTransfer as string[], ...(o.dnssecPolicy === undefined ? {} : { dnssecPolicy: o.dnssecPolicy }) };
}

/**
 * renderZoneOptions is the part of a primary zone's `rndc addzone` config these options add.
 * `notify-delay 0`: named's default holds back a NOTIFY for 5 s after the previous one, so a
 * change soon after another reached the secondaries seconds late; the operator already sends one
 * reload per reconcile, so there is no burst to batch. named 9.18 signs a zone that is neither dynamic nor inline-signed only with `inline-signing
 * yes` said explicitly (9.20 implies it), and keeps the keys in key-directory, which must be
 * writable by named.
 */
export function renderZoneOptions(o: ZoneOptions, keyDirectory: string): string {
  const list = (items: readonly string[]) => `{ ${items.map((i) => `${i};`).join(' ')} }`;
  return [
    o.alsoNotify.length > 0 ? `notify yes; notify-delay 0; also-notify ${list(o.alsoNotify)};` : '',
    o.allowTransfer.length > 0 ? `allow-transfer ${list(o.allowTransfer)};` : '',
    o.dnssecPolicy ? `dnssec-policy "${o.dnssecPolicy}"; inline-signing yes; key-directory "${keyDirectory}";` : '',
  ]
    .filter((s) => s !== '')
    .join(' ');
}

/** sameOptions compares two option sets as named would apply them (order of lists matters to named's first-match ACLs). */
export function sameOptions(a: ZoneOptions | undefined, b: ZoneOptions | undefined): boolean {
  const x = a ?? NO_OPTIONS;
  const y = b ?? NO_OPTIONS;
  return x.alsoNotify.join(',') === y.alsoNotify.join(',') && x.allowTransfer.join(',') === y.allowTransfer.join(',') && (x.dnssecPolicy ?? '') === (y.dnssecPolicy ?? '');
}

/**
 * ZoneOptionsStore keeps each zone's options in `<dir>/<zone>.json`, written durably before named
 * is told, so a restarted agent re-adds its zones with the options they had.
 */
export class ZoneOptionsStore {
  private readonly options = new Map<string, ZoneOptions>();

  constructor(private readonly dir: string) {}

  async load(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    for (const entry of await readdir(this.dir)) {
      if (!entry.endsWith('.json')) continue;
      const parsed = parseZoneOptions(JSON.parse(await readFile(join(this.dir, entry), 'utf8')) as unknown);
      if (typeof parsed !== 'string') this.options.set(entry.slice(0, -'.json'.length), parsed);
    }
  }

  get(zone: string): ZoneOptions | undefined {
    return this.options.get(zone);
  }

  async set(zone: string, options: ZoneOptions): Promise<void> {
    await writeDurably(join(this.dir, `${zone}.json`), JSON.stringify(options));
    this.options.set(zone, options);
  }

  async delete(zone: string): Promise<void> {
    await rm(join(this.dir, `${zone}.json`), { force: true });
    this.options.delete(zone);
  }
}
