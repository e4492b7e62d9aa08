import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildZone } from '../../src/dns/build.js';
import { claimOrder } from '../../src/controllers/zone-claims.js';
import { renderNamedConf, renderRndcKey } from '../../src/dns/named-conf.js';
import { adminMailbox, contentHash, nextSerial, renderZone, soaSerial, zoneText } from '../../src/dns/zone.js';
import type { DNSZone, DnsRecord, RecordKind } from '../../src/crds/types.js';
import { scratchDirs } from '../support/scratch-dirs.js';

function zone(extra: Partial<DNSZone['spec']> = {}, name = 'example', created = '2026-01-01T00:00:00Z'): DNSZone {
  return {
    apiVersion: 'bindy.firestoned.io/v1beta1',
    kind: 'DNSZone',
    metadata: { name, namespace: 'ns', creationTimestamp: created },
    spec: {
      zoneName: 'example.com',
      bind9InstancesFrom: [{ selector: { matchLabels: { app: 'dns' } } }],
      recordsFrom: [{ selector: { matchLabels: { zone: 'example' } } }],
      soaRecord: { primaryNs: 'ns1.example.com.', adminEmail: 'host.master@example.com', serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 },
      ...extra,
    },
  };
}

function rec(kind: RecordKind, name: string, spec: Record<string, unknown>, labels = { zone: 'example' }): DnsRecord {
  return { apiVersion: 'bindy.firestoned.io/v1beta1', kind, metadata: { name, namespace: 'ns', labels }, spec: spec as never } as DnsRecord;
}

const everyKind: DnsRecord[] = [
  rec('ARecord', 'www', { name: 'www', ipv4Addresses: ['192.0.2.10'], ttl: 60 }),
  rec('ARecord', 'ns1', { name: 'ns1', ipv4Addresses: ['192.0.2.53'] }),
  rec('AAAARecord', 'www6', { name: 'www', ipv6Addresses: ['2001:DB8::10'] }),
  rec('CNAMERecord', 'blog', { name: 'blog', target: 'www.example.com' }),
  rec('MXRecord', 'mx', { name: '@', priority: 10, mailServer: 'mail.example.com.' }),
  rec('TXTRecord', 'txt', { name: '@', text: ['v=spf1 -all', 'say "hi"'] }),
  rec('NSRecord', 'deleg', { name: 'sub', nameserver: 'ns.other.org' }),
  rec('SRVRecord', 'srv', { name: '_sip._tcp', priority: 1, weight: 5, port: 5060, target: 'sip.example.com' }),
  rec('CAARecord', 'caa', { name: '@', flags: 0, tag: 'issue', value: 'letsencrypt.org' }),
];

describe('zone rendering', () => {
  const zoneDir = scratchDirs('dns-zone-');
  it('renders every record kind into a zone that named-checkzone accepts', () => {
    const built = buildZone(zone(), everyKind);
    expect([...built.verdicts.values()].every((v) => v.ok)).toBe(true);
    const text = renderZone(built.data, 7);
    const dir = zoneDir();
    writeFileSync(join(dir, 'z'), text);
    const out = execFileSync('named-checkzone', ['example.com', join(dir, 'z')], { encoding: 'utf8' });
    expect(out).toContain('loaded serial 7');
    expect(text).toContain('@ IN SOA ns1.example.com. host\\.master.example.com. 7 3600 600 604800 300');
    expect(text).toContain('www 60 IN A 192.0.2.10');
    expect(text).toContain('www IN AAAA 2001:db8::10');
    expect(text).toContain('@ IN TXT "v=spf1 -all" "say \\"hi\\""');
    expect(soaSerial(text)).toBe(7);
  });

  it('is deterministic: record order does not change the text or the hash', () => {
    const a = buildZone(zone(), everyKind).data;
    const b = buildZone(zone(), [...everyKind].reverse()).data;
    expect(renderZone(a, 1)).toBe(renderZone(b, 1));
    expect(contentHash(zoneText(a))).toBe(contentHash(zoneText(b)));
    expect(contentHash(zoneText(a))).not.toBe(contentHash(zoneText(buildZone(zone({ ttl: 60 }), everyKind).data)));
  });

  it('attaches the records its recordsFrom select (matchLabels and matchExpressions, union), only in its namespace', () => {
    const z = zone({ recordsFrom: [{ selector: { matchLabels: { zone: 'example' } } }, { selector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['a', 'b'] }, { key: 'skip', operator: 'DoesNotExist' }] } }] });
    const byLabel = rec('ARecord', 'l', { name: 'l', ipv4Addresses: ['192.0.2.1'] });
    const byExpr = rec('ARecord', 'e', { name: 'e', ipv4Addresses: ['192.0.2.2'] }, { team: 'b' } as never);
    const skipped = rec('ARecord', 's', { name: 's', ipv4Addresses: ['192.0.2.3'] }, { team: 'a', skip: 'yes' } as never);
    const unlabelled = rec('ARecord', 'u', { name: 'u', ipv4Addresses: ['192.0.2.4'] }, {} as never);
    const otherNs = { ...byLabel, metadata: { ...byLabel.metadata, name: 'x', namespace: 'other' } } as DnsRecord;
    expect(buildZone(z, [byLabel, byExpr, skipped, unlabelled, otherNs]).data.records.map((r) => r.name).sort()).toEqual(['e', 'l']);
  });

  it('leaves out a record two zones select, and says so', () => {
    const a = zone({}, 'a');
    const b = { ...zone({ zoneName: 'example.org' }, 'b'), metadata: { name: 'b', namespace: 'ns', uid: 'uid-b' } };
    const shared = rec('ARecord', 'shared', { name: 'shared', ipv4Addresses: ['192.0.2.1'] });
    const built = buildZone({ ...a, metadata: { ...a.metadata, uid: 'uid-a' } }, [shared], [b]);
    expect(built.data.records).toEqual([]);
    expect(built.verdicts.get('ARecord/ns/shared')).toMatchObject({ ok: false, reason: 'MultipleZones' });
  });

  it('serves an A address list as one RRset, and NS records for primaryNs and nameServers with in-zone glue', () => {
    const z = zone({ nameServers: [{ hostname: 'ns2.example.com.', ipv4Address: '192.0.2.2', ipv6Address: '2001:db8::2' }, { hostname: 'ns.other.net.' }], nameServerIps: { 'ns1.example.com.': '192.0.2.1' } });
    const rr = rec('ARecord', 'rr', { name: 'rr', ipv4Addresses: ['192.0.2.20', '192.0.2.21'] });
    const text = renderZone(buildZone(z, [rr]).data, 1);
    for (const line of ['@ IN NS ns1.example.com.', '@ IN NS ns2.example.com.', '@ IN NS ns.other.net.', 'ns2 IN A 192.0.2.2', 'ns2 IN AAAA 2001:db8::2', 'ns1 IN A 192.0.2.1', 'rr IN A 192.0.2.20', 'rr IN A 192.0.2.21']) expect(text).toContain(line);
    const dir = zoneDir();
    writeFileSync(join(dir, 'z'), text);
    expect(execFileSync('named-checkzone', ['example.com', join(dir, 'z')], { encoding: 'utf8' })).toContain('loaded serial 1');
  });

  it('leaves out (and names) an address for a name server outside the zone: it is not glue', () => {
    const z = zone({ nameServers: [{ hostname: 'ns.other.net.', ipv4Address: '192.0.2.9' }], nameServerIps: { 'ns9.other.net.': '192.0.2.8' } });
    // primaryNs (ns1, in the zone) needs its address record, or named refuses the zone.
    const built = buildZone(z, [rec('ARecord', 'ns1', { name: 'ns1', ipv4Addresses: ['192.0.2.53'] })]);
    expect(built.zoneVerdict.ok).toBe(true);
    expect(built.skippedGlue).toEqual(['nameServers[0].ipv4Address', 'nameServerIps["ns9.other.net."]']);
    expect(renderZone(built.data, 1)).not.toContain('192.0.2.9');
  });

  it('refuses a name server glue address that is not an address', () => {
    const z = zone({ nameServers: [{ hostname: 'ns2.example.com.', ipv4Address: '192.0.2.300' }] });
    expect(buildZone(z, []).zoneVerdict).toMatchObject({ ok: false, reason: 'InvalidAddress', message: expect.stringMatching(/nameServers\[0\]\.ipv4Address/) });
  });

  it('keeps serving valid records when one is invalid, and says what to fix', () => {
    const bad = rec('ARecord', 'bad', { name: 'bad', ipv4Addresses: ['300.1.1.1'] });
    const built = buildZone(zone(), [...everyKind, bad]);
    expect(built.data.records).toHaveLength(everyKind.length);
    expect(built.data.records.map((r) => r.source)).not.toContain('ARecord/ns/bad');
    const verdict = built.verdicts.get('ARecord/ns/bad');
    expect(verdict).toMatchObject({ ok: false, reason: 'InvalidAddress' });
    expect(verdict && !verdict.ok && verdict.message).toMatch(/300\.1\.1\.1.*e\.g\. 192\.0\.2\.10/);
  });

  it('judges an A address list as named would: a refused owner leaves every address out, the rest is served', () => {
    const ns1 = rec('ARecord', 'ns1', { name: 'ns1', ipv4Addresses: ['192.0.2.53'] });
    const built = buildZone(zone(), [ns1, rec('ARecord', 'bad', { name: 'my_host', ipv4Addresses: ['192.0.2.1', '192.0.2.2'] }), rec('ARecord', 'ok', { name: 'ok', ipv4Addresses: ['192.0.2.3', '192.0.2.4'] })]);
    expect(built.zoneVerdict.ok).toBe(true);
    expect(built.verdicts.get('ARecord/ns/bad')).toMatchObject({ ok: false, reason: 'CheckNames', message: expect.stringMatching(/my_host\.example\.com/) });
    expect(built.data.records.filter((r) => r.source === 'ARecord/ns/bad')).toEqual([]);
    expect(built.data.records.filter((r) => r.source === 'ARecord/ns/ok').map((r) => r.rdata)).toEqual(['192.0.2.3', '192.0.2.4']);
    expect(built.verdicts.get('ARecord/ns/ok')).toEqual({ ok: true });
  });

  it.each<[string, Partial<DNSZone['spec']>, string]>([
    ['glue whose owner named refuses (check-names)', { nameServers: [{ hostname: 'ns_2.example.com.', ipv4Address: '192.0.2.2' }] }, 'CheckNames'],
    ['an out-of-zone name server that is not a host name', { nameServers: [{ hostname: 'ns_2.example.org.' }] }, 'CheckNames'],
    ['an in-zone name server without an address', { nameServers: [{ hostname: 'ns9.example.com.' }] }, 'NSTargetWithoutAddress'],
  ])('refuses the whole zone for %s', (_what, extra, reason) => {
    const built = buildZone(zone(extra), [rec('ARecord', 'ns1', { name: 'ns1', ipv4Addresses: ['192.0.2.53'] })]);
    expect(built.zoneVerdict).toMatchObject({ ok: false, reason });
  });

  it('rejects a zone spec with a bad zone name', () => {
    expect(buildZone(zone({ zoneName: 'bad_-.com' }), []).zoneVerdict).toMatchObject({ ok: false, reason: 'InvalidName' });
  });
});

describe('serials and ownership', () => {
  it.each([
    [undefined, [], 1],
    [5, [], 6],
    [5, [9, 2], 10],
    [12, [3], 13],
  ])('nextSerial(%p, %p) = %p', (stored, reported, want) => {
    expect(nextSerial(stored as number | undefined, reported as number[])).toBe(want);
  });

  it('starts at the floor (spec.soaRecord.serial) and never goes below what was served', () => {
    expect(nextSerial(undefined, [], 2026010101)).toBe(2026010101);
    expect(nextSerial(2026010105, [], 2026010101)).toBe(2026010106);
    expect(nextSerial(undefined, [7], 3)).toBe(8);
  });

  it('refuses to wrap a 32-bit serial', () => {
    expect(() => nextSerial(0xffffffff, [])).toThrow(/cannot grow/);
  });

  it('orders claimants of a zoneName oldest first', () => {
    const older = zone({}, 'b', '2026-01-01T00:00:00Z');
    const newer = zone({}, 'a', '2026-02-01T00:00:00Z');
    expect(claimOrder([newer, older])[0]?.metadata.name).toBe('b');
  });

  it.each([
    ['hostmaster@example.com', 'hostmaster.example.com.'],
    ['hostmaster.example.com', 'hostmaster.example.com.'],
    ['first.last@example.com', 'first\\.last.example.com.'],
  ])('adminMailbox(%p) = %p', (email, want) => expect(adminMailbox(email)).toBe(want));
});

describe('named.conf', () => {
  const confDir = scratchDirs('dns-conf-');
  it('is authoritative-only with an rndc control channel, and named-checkconf accepts it', () => {
    const conf = renderNamedConf({ recursion: false, allowQuery: ['any'], allowTransfer: ['none'], hideVersion: true });
    expect(conf).toMatch(/recursion no;/);
    expect(conf).toMatch(/version none;/);
    expect(conf).toMatch(/allow-new-zones yes;/);
    expect(conf).toMatch(/controls \{\n  inet 127\.0\.0\.1 port 953 allow \{ 127\.0\.0\.1; \} keys \{ "bindy-rndc"; \};/);
    const dir = confDir();
    writeFileSync(join(dir, 'rndc.key'), renderRndcKey(Buffer.alloc(32, 1).toString('base64')));
    writeFileSync(join(dir, 'named.conf'), conf.replace('/etc/bind/rndc', dir));
    execFileSync('named-checkconf', [join(dir, 'named.conf')]);
  });
});
