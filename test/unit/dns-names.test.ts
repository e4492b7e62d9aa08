/**
 * The input checks the controllers make. Upstream's schemas leave these fields free (so do ours,
 * SPEC §6), so a bad value is caught here and reported in status (Ready=False) instead of being
 * refused at admission; these are the cases the CRD patterns used to cover.
 */
import { checkIPv4, checkIPv6, checkZoneName, ownerName } from '../../src/dns/names.js';
import { toZoneRecords } from '../../src/dns/records.js';

const ok = (v: { ok: boolean }) => v.ok;

describe('address checks', () => {
  it.each(['0.0.0.0', '192.168.1.10', '255.255.255.255', '10.0.0.1'])('accepts IPv4 %s', (a) => {
    expect(ok(checkIPv4(a))).toBe(true);
  });
  it.each(['256.1.1.1', '1.2.3', '01.2.3.4', '1.2.3.4 ', 'a.b.c.d', '1.2.3.4/32'])('rejects IPv4 %j', (a) => {
    expect(checkIPv4(a)).toMatchObject({ ok: false, reason: 'InvalidAddress' });
  });
  it.each(['::', '::1', '2001:db8::1', 'fe80::1:2:3:4', '2001:0db8:0000:0000:0000:ff00:0042:8329', '::ffff:192.0.2.1', '64:ff9b::192.0.2.33', '1::', '1:2:3:4:5:6:7::'])('accepts IPv6 %s', (a) => {
    expect(ok(checkIPv6(a))).toBe(true);
  });
  it.each(['1.2.3.4', ':::', '2001:db8::1::1', '12345::', 'fe80::1%eth0', '2001:db8::/32', 'g::1', '1:2:3:4:5:6:7:8:9'])('rejects IPv6 %j', (a) => {
    expect(checkIPv6(a)).toMatchObject({ ok: false, reason: 'InvalidAddress' });
  });
});

describe('name checks', () => {
  it.each(['example.com', 'a.b-c.example', '1.168.192.in-addr.arpa', 'local', 'Example.COM'])('accepts zone name %s', (z) => {
    expect(ok(checkZoneName(z))).toBe(true);
  });
  it.each(['-a.com', 'a..b', '*.example.com', ''])('rejects zone name %j', (z) => {
    expect(ok(checkZoneName(z))).toBe(false);
  });
  it.each(['@', 'www', '*', '*.apps', '_sip._tcp', '_dmarc', 'a.b.c', 'www.example.com.'])('accepts record name %s', (n) => {
    expect('relative' in ownerName(n, 'example.com')).toBe(true);
  });
  it.each(['www.', 'a..b', 'w w', '@.x', 'a.*', '-x'])('rejects record name %j', (n) => {
    expect(ownerName(n, 'example.com')).toMatchObject({ ok: false });
  });
  it('accepts . as an MX target but not as an NS name', () => {
    expect(toZoneRecords('MXRecord', { name: '@', priority: 0, mailServer: '.' }, 'example.com', 'x')).toMatchObject({ ok: true });
    expect(toZoneRecords('NSRecord', { name: 'sub', nameserver: '.' }, 'example.com', 'x')).toMatchObject({ ok: false });
  });
});
