import { ownerName } from '../../src/dns/names.js';
import { quote, rejectConflicts, splitTxt, toZoneRecords, type RecordSpec, type ZoneRecord } from '../../src/dns/records.js';
import type { RecordKind } from '../../src/crds/types.js';

describe('record validation', () => {
  it.each<[RecordKind, Partial<RecordSpec>, string]>([
    ['ARecord', { name: 'www', ipv4Addresses: ['1.2.3'] }, 'InvalidAddress'],
    ['ARecord', { name: 'www', ipv4Addresses: ['192.0.2.1', '01.2.3.4'] }, 'InvalidAddress'],
    ['AAAARecord', { name: 'www', ipv6Addresses: ['2001:db8::g'] }, 'InvalidAddress'],
    ['ARecord', { name: 'bad name', ipv4Addresses: ['192.0.2.1'] }, 'InvalidName'],
    ['ARecord', { name: '-www', ipv4Addresses: ['192.0.2.1'] }, 'InvalidName'],
    ['ARecord', { name: 'www.other.org.', ipv4Addresses: ['192.0.2.1'] }, 'OutsideZone'],
    ['CNAMERecord', { name: '@', target: 'www.example.com' }, 'CNAMEAtApex'],
    ['CNAMERecord', { name: 'example.com.', target: 'x.org' }, 'CNAMEAtApex'],
    ['MXRecord', { name: '@', priority: 70000, mailServer: 'mx.example.com' }, 'InvalidValue'],
    ['SRVRecord', { name: '_x._tcp', priority: 1, weight: 1, port: -1, target: 'a.b' }, 'InvalidValue'],
    ['CAARecord', { name: '@', flags: 0, tag: 'bogus', value: 'x' }, 'InvalidValue'],
    ['TXTRecord', { name: '@', text: [] }, 'InvalidValue'],
    ['ARecord', { name: 'www', ipv4Addresses: ['192.0.2.1'], ttl: -5 }, 'InvalidValue'],
    ['ARecord', { name: 'www', ipv4Addresses: [] }, 'InvalidAddress'],
  ])('%s %j is rejected with %s', (kind, spec, reason) => {
    const result = toZoneRecords(kind, spec as RecordSpec, 'example.com', `${kind}/ns/x`);
    expect(result).toMatchObject({ ok: false, reason });
    expect(!result.ok && result.message.length).toBeGreaterThan(20);
  });

  it.each<[RecordKind, Partial<RecordSpec>, string, string]>([
    ['ARecord', { name: 'www.example.com.', ipv4Addresses: ['192.0.2.1'] }, 'www', '192.0.2.1'],
    ['CNAMERecord', { name: 'Blog', target: 'WWW.example.com' }, 'blog', 'www.example.com.'],
    ['MXRecord', { name: '@', priority: 0, mailServer: '.' }, '@', '0 .'],
    ['SRVRecord', { name: '_sip._tcp', priority: 1, weight: 2, port: 3, target: 'sip.example.com.' }, '_sip._tcp', '1 2 3 sip.example.com.'],
    ['CAARecord', { name: '@', flags: 128, tag: 'iodef', value: 'mailto:a@b.c' }, '@', '128 iodef "mailto:a@b.c"'],
    ['ARecord', { name: '*', ipv4Addresses: ['192.0.2.1'] }, '*', '192.0.2.1'],
  ])('%s %j renders %s %s', (kind, spec, name, rdata) => {
    expect(toZoneRecords(kind, spec as RecordSpec, 'example.com', 'x')).toMatchObject({ ok: true, records: [{ name, rdata }] });
  });

  it('turns an address list into one RRset: one record per address, same name and TTL', () => {
    const result = toZoneRecords('AAAARecord', { name: 'www', ttl: 30, ipv6Addresses: ['2001:DB8::1', '2001:db8::2'] }, 'example.com', 'x');
    expect(result).toEqual({ ok: true, records: [
      { name: 'www', type: 'AAAA', ttl: 30, rdata: '2001:db8::1', source: 'x' },
      { name: 'www', type: 'AAAA', ttl: 30, rdata: '2001:db8::2', source: 'x' },
    ] });
  });

  it('ownerName maps the apex both ways', () => {
    expect(ownerName('@', 'example.com')).toEqual({ relative: '@' });
    expect(ownerName('EXAMPLE.com.', 'example.com')).toEqual({ relative: '@' });
  });

  it('quotes and splits TXT data safely', () => {
    expect(quote('a"b\\c\n')).toBe('"a\\"b\\\\c\\010"');
    const long = 'é'.repeat(200);
    const parts = splitTxt(long);
    expect(parts.every((p) => Buffer.byteLength(p) <= 255)).toBe(true);
    expect(parts.join('')).toBe(long);
  });
});

describe('CNAME conflicts', () => {
  const r = (name: string, type: string, source: string): ZoneRecord => ({ name, type, rdata: 'x', source });
  it('rejects a CNAME sharing its name with other data, keeping the other data', () => {
    const { kept, rejected } = rejectConflicts([r('www', 'CNAME', 'c'), r('www', 'A', 'a'), r('mail', 'A', 'm')]);
    expect(kept.map((k) => k.source)).toEqual(['a', 'm']);
    expect(rejected.get('c')).toMatchObject({ ok: false, reason: 'CNAMEConflict' });
  });
  it('keeps the first of two CNAMEs at one name', () => {
    const { kept, rejected } = rejectConflicts([r('www', 'CNAME', 'b'), r('www', 'CNAME', 'a')]);
    expect(kept.map((k) => k.source)).toEqual(['a']);
    expect([...rejected.keys()]).toEqual(['b']);
  });
});
