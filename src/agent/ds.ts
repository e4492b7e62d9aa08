/**
 * DS records of a signed zone, for the parent: named keeps the keys its dnssec-policy made in the
 * key directory; each key-signing key (a KSK or CSK: DNSKEY flags 257) gives one DS record,
 * computed by `dnssec-dsfromkey -2` (SHA-256), as an operator would at the shell.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** dsRecords lists the zone's DS records (`<zone>. IN DS <tag> <alg> 2 <digest>`), sorted; empty when it has no key-signing key. */
export async function dsRecords(keyDirectory: string, zone: string): Promise<string[]> {
  const prefix = `K${zone}.+`;
  const files = (await readdir(keyDirectory).catch(() => [] as string[])).filter((f) => f.startsWith(prefix) && f.endsWith('.key'));
  const out: string[] = [];
  for (const file of files) {
    const path = join(keyDirectory, file);
    // A public key file holds one DNSKEY record; flags 257 mark a key that signs the DNSKEY set.
    if (!/\sDNSKEY\s+257\s/.test(await readFile(path, 'utf8'))) continue;
    const { stdout } = await run('dnssec-dsfromkey', ['-2', path], { timeout: 10_000 });
    out.push(stdout.trim().replace(/\s+/g, ' '));
  }
  return out.sort();
}
