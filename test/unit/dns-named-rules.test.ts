/**
 * The named rules, table by table, each case also checked by the agent's own zone check (a real
 * named-checkconf -z, loading the zone as named loads a primary zone): where the rules refuse a record, named refuses the
 * zone holding it and accepts the zone without it; where they accept, named accepts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZoneChecker } from '../../src/agent/zone-check.js';
import { checkRecordAlone, checkSoa, checkZoneRecords, txtOctets } from '../../src/dns/named-rules.js';
import { quote, splitTxt, type ZoneRecord } from '../../src/dns/records.js';
import { renderZone, type ZoneData } from '../../src/dns/zone.js';

const ZONE = 'rules.test';
const rec = (name: string, type: string, rdata: string, source = `${type}/${name}/${rdata.slice(0, 20)}`): ZoneRecord => ({ name, type, rdata, source });
const ns1 = rec('ns1', 'A', '192.0.2.53', 'base-ns1');
const txt = (text: string) => splitTxt(text).map(quote).join(' ');
const long = (n: number) => 'a'.repeat(n);

/** judge runs every rule and returns the reason per refused source. */
function judge(records: ZoneRecord[], nameServers = [`ns1.${ZONE}`]): { reasons: Map<string, string>; zone: string | undefined } {
  const reasons = new Map<string, string>();
  const alone = records.filter((r) => {
    const v = checkRecordAlone(r, ZONE);
    if (!v.ok) reasons.set(r.source, v.reason);
    return v.ok;
  });
  const zone = checkZoneRecords(alone, ZONE, nameServers);
  for (const [source, v] of zone.rejected) if (!v.ok) reasons.set(source, v.reason);
  return { reasons, zone: zone.zone.ok ? undefined : zone.zone.reason };
}

const dir = mkdtempSync(join(tmpdir(), 'named-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const checker = new ZoneChecker();

/** namedAccepts renders the zone and asks the agent's check whether named loads it. */
async function namedAccepts(records: readonly ZoneRecord[], nameServers = [`ns1.${ZONE}`], soa = { primaryNs: `ns1.${ZONE}`, adminEmail: `h@${ZONE}` }): Promise<boolean> {
  const data: ZoneData = { zoneName: ZONE, ttl: 60, soa: { ...soa, refresh: 60, retry: 60, expire: 600, negativeTtl: 60 }, nameServers, records };
  const file = join(dir, 'zone');
  writeFileSync(file, renderZone(data, 1));
  return checker.check(ZONE, file).then(
    () => true,
    () => false,
  );
}

describe("named rules, each case agreeing with the agent's zone check", () => {
  // The one rule stricter than named: a delegation without its required glue loads with an error
  // in named's log, but no resolver can follow it, so the record is left out with a reason.
  const STRICTER_THAN_NAMED = new Set(['MissingGlue']);
  it.each<[string, ZoneRecord[], string | undefined]>([
    ['an A record named my_host (check-names)', [rec('my_host', 'A', '192.0.2.1')], 'CheckNames'],
    ['an AAAA owner ending in a hyphen', [rec('web-', 'AAAA', '2001:db8::1')], 'CheckNames'],
    ['an MX owner with an underscore', [rec('my_mx', 'MX', `10 ns1.${ZONE}.`)], 'CheckNames'],
    ['an MX target with an underscore', [rec('@', 'MX', `10 my_mx.${ZONE}.`)], 'CheckNames'],
    ['an SRV target with an underscore', [rec('_sip._tcp', 'SRV', `0 0 5060 my_sip.${ZONE}.`)], 'CheckNames'],
    ['an NS target with an underscore', [rec('sub', 'NS', 'my_ns.example.com.')], 'CheckNames'],
    ['a TXT owner with underscores (allowed)', [rec('_dmarc', 'TXT', txt('v=DMARC1; p=none'))], undefined],
    ['an SRV owner with underscores (allowed)', [rec('_sip._tcp', 'SRV', `0 0 5060 ns1.${ZONE}.`)], undefined],
    ['a CNAME owner with an underscore (allowed)', [rec('my_alias', 'CNAME', `ns1.${ZONE}.`)], undefined],
    ['a wildcard A owner (allowed)', [rec('*.w', 'A', '192.0.2.1')], undefined],
    ['a label starting with a digit (allowed)', [rec('1x', 'A', '192.0.2.1')], undefined],
    ['an owner with a 64-octet label', [rec(long(64), 'TXT', txt('x'))], 'LabelTooLong'],
    ['an owner of 256 octets', [rec([long(63), long(63), long(63), long(55)].join('.'), 'TXT', txt('x'))], 'NameTooLong'],
    ['a TXT record of 70,000 octets', [rec('big', 'TXT', txt(long(70_000)))], 'TXTTooLarge'],
    ['a TXT record of 60,000 octets (allowed)', [rec('big', 'TXT', txt(long(60_000)))], undefined],
    ['an apex NS to an in-zone name without address', [rec('@', 'NS', `ns2.${ZONE}.`)], 'NSTargetWithoutAddress'],
    ['an apex NS to an in-zone name with an address (allowed)', [rec('@', 'NS', `ns2.${ZONE}.`), rec('ns2', 'A', '192.0.2.54')], undefined],
    ['an NS to a CNAME', [rec('@', 'NS', `ns3.${ZONE}.`), rec('ns3', 'CNAME', `ns1.${ZONE}.`)], 'NSTargetIsCNAME'],
    ['a delegation without its glue', [rec('sub', 'NS', `ns.sub.${ZONE}.`)], 'MissingGlue'],
    ['a delegation with its glue (allowed)', [rec('sub', 'NS', `ns.sub.${ZONE}.`), rec('ns.sub', 'A', '192.0.2.9')], undefined],
    ['a delegation to an out-of-zone server (allowed)', [rec('sub', 'NS', 'ns.example.net.')], undefined],
  ])('%s', async (_, records, reason) => {
    const all = [ns1, ...records];
    const { reasons, zone } = judge(all);
    expect(zone).toBeUndefined();
    const refused = [...reasons.keys()];
    if (reason === undefined) {
      expect(refused).toEqual([]);
      expect(await namedAccepts(all)).toBe(true);
    } else {
      expect([...reasons.values()]).toContain(reason);
      expect(await namedAccepts(all)).toBe(STRICTER_THAN_NAMED.has(reason));
      expect(await namedAccepts(all.filter((r) => !reasons.has(r.source)))).toBe(true);
    }
  });

  it('refuses the zone itself when its own name server is in-zone without an address', async () => {
    expect(judge([], [`ns9.${ZONE}`]).zone).toBe('NSTargetWithoutAddress');
    expect(await namedAccepts([], [`ns9.${ZONE}`], { primaryNs: `ns9.${ZONE}`, adminEmail: `h@${ZONE}` })).toBe(false);
    expect(judge([ns1], ['ns1.rules.test.']).zone).toBeUndefined();
  });

  it('leaves out the TXT records that would overflow one DNS message (named loads them but cannot answer)', () => {
    const parts = [1, 2].map((i) => rec('spf', 'TXT', txt(long(40_000)), `TXTRecord/ns/part-${i}`));
    const { reasons } = judge([ns1, ...parts]);
    expect([...reasons]).toEqual([['TXTRecord/ns/part-2', 'TXTRRsetTooLarge']]);
  });

  it('counts TXT octets as the wire does (length octet, escapes as one octet)', () => {
    expect(txtOctets('"abc" "d"')).toBe(6);
    // é is two UTF-8 octets, each written as \DDD.
    expect(txtOctets(quote('a"b\\c\u0001é'))).toBe(1 + 8);
  });
});

describe('checkSoa', () => {
  it.each<[string, string, string | undefined]>([
    [`ns1.${ZONE}`, `hostmaster@${ZONE}`, undefined],
    [`ns1.${ZONE}`, `first.last@${ZONE}`, undefined],
    [`ns1.${ZONE}`, `${long(70)}@${ZONE}`, 'InvalidAdminEmail'],
    [`ns1.${ZONE}`, `${long(63)}@${ZONE}`, undefined],
    [`ns1.${ZONE}`, `h@${[long(63), long(63), long(63), long(60)].join('.')}`, 'InvalidAdminEmail'],
    [`my_ns.${ZONE}`, `h@${ZONE}`, 'CheckNames'],
  ])('primaryNs %s, adminEmail %s', async (primaryNs, adminEmail, reason) => {
    const v = checkSoa(primaryNs, adminEmail);
    expect(v.ok ? undefined : v.reason).toBe(reason);
    // named agrees (the in-zone primary gets its address so only the SOA is judged).
    const addr = rec(primaryNs.replace(`.${ZONE}`, ''), 'A', '192.0.2.53', 'addr');
    const withAddr = /_/.test(primaryNs) ? [] : [addr];
    expect(await namedAccepts(withAddr, ['ns1.example.net'], { primaryNs, adminEmail })).toBe(reason === undefined);
    if (!v.ok) expect(v.message).toMatch(/soaRecord\.(adminEmail|primaryNs)/);
  });
});
