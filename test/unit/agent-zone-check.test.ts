/**
 * The agent's zone check, with the real named-checkconf: checks asked for together run together,
 * and each zone gets its own verdict — its serial, or named's reason for it alone.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZoneCheckError, ZoneChecker } from '../../src/agent/zone-check.js';

const dir = mkdtempSync(join(tmpdir(), 'zone-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function zoneFile(name: string, zone: string, serial: number, extra = ''): string {
  const file = join(dir, name);
  writeFileSync(file, `$TTL 300\n@ IN SOA ns1.${zone}. h.${zone}. ${serial} 3600 600 604800 300\n@ IN NS ns1.${zone}.\nns1 IN A 192.0.2.1\n${extra}`);
  return file;
}

test('zones checked together each get their own verdict', async () => {
  const checker = new ZoneChecker();
  const good = Array.from({ length: 20 }, (_, i) => checker.check(`g${i}.check.test`, zoneFile(`g${i}`, `g${i}.check.test`, 100 + i)));
  const cname = checker.check('c.check.test', zoneFile('c', 'c.check.test', 1, 'www IN CNAME ns1\nwww IN A 192.0.2.2\n'));
  const names = checker.check('n.check.test', zoneFile('n', 'n.check.test', 1, 'my_host IN A 192.0.2.3\n'));
  // A zone whose name is a suffix of another's is not given the other's verdict.
  const parent = checker.check('check.test', zoneFile('p', 'check.test', 5, 'bad_host IN A 192.0.2.4\n'));
  expect(await Promise.all(good)).toEqual(Array.from({ length: 20 }, (_, i) => 100 + i));
  await expect(cname).rejects.toThrow(ZoneCheckError);
  await expect(cname).rejects.toThrow(/^named-checkconf -z rejected c\.check\.test: .*CNAME and other data/);
  await expect(names).rejects.toThrow(/rejected n\.check\.test: .*bad owner name \(check-names\)/);
  await expect(parent).rejects.toThrow(/rejected check\.test: .*bad_host\.check\.test: bad owner name/);
  // Only the agent's scratch config was written beside the zone files, and it is gone.
  expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
});

test('the same zone asked twice at once is checked twice, each text on its own', async () => {
  const checker = new ZoneChecker();
  const first = checker.check('twice.check.test', zoneFile('t1', 'twice.check.test', 7));
  const second = checker.check('twice.check.test', zoneFile('t2', 'twice.check.test', 8, 'x_y IN A 192.0.2.9\n'));
  expect(await first).toBe(7);
  await expect(second).rejects.toThrow(/x_y\.twice\.check\.test: bad owner name/);
});

test('a zone file that does not exist is refused with the reason', async () => {
  await expect(new ZoneChecker().check('gone.check.test', join(dir, 'no-such-file'))).rejects.toThrow(/rejected gone\.check\.test: .*file not found/);
});
