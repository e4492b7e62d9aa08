/**
 * ZoneBuilds: a zone's build is reused while only statuses change, and rebuilt when a record's
 * spec or labels, the zone's spec, or another zone change.
 */
import { RecordIndex } from '../../src/controllers/record-index.js';
import { ZoneBuilds, verdictOf } from '../../src/controllers/zone-builds.js';
import { ZoneIndex } from '../../src/controllers/zone-index.js';
import type { DNSZone, DnsRecord, RecordKind } from '../../src/crds/types.js';
import { contentHash, withSerial } from '../../src/dns/zone.js';
import type { InformerEventType, InformerHandler } from '../../src/kube/informer.js';

class Source<T extends { metadata: { name: string; namespace?: string } }> {
  private readonly handlers: InformerHandler<T>[] = [];
  private readonly items = new Map<string, T>();
  on(handler: InformerHandler<T>): void {
    this.handlers.push(handler);
  }
  get(key: string): T | undefined {
    return this.items.get(key);
  }
  list(): T[] {
    return [...this.items.values()];
  }
  send(type: InformerEventType, o: T): void {
    const key = `${o.metadata.namespace}/${o.metadata.name}`;
    const previous = this.items.get(key);
    if (type === 'DELETED') this.items.delete(key);
    else this.items.set(key, o);
    for (const h of this.handlers) h(type, o, previous);
  }
}

const SOA = { primaryNs: 'ns1.other.test.', adminEmail: 'h.x.test.', serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 };
const zone = (generation = 1): DNSZone => ({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'DNSZone', metadata: { name: 'z', namespace: 'ns', uid: 'uid-z', generation, creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { zoneName: 'x.test', soaRecord: SOA, recordsFrom: [{ selector: { matchLabels: { zone: 'x' } } }] } });
const a = (name: string, ip: string, generation = 1, status?: object): DnsRecord =>
  ({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', metadata: { name, namespace: 'ns', uid: `uid-${name}`, generation, labels: { zone: 'x' } }, spec: { name, ipv4Addresses: [ip] }, status }) as DnsRecord;

/** No claim is refused here: claims are zone-claims.test.ts's and zone-index.test.ts's concern. */
const noneRefused = () => () => false;

/** zoneWithWww is builds over zone() holding one record, www. */
function zoneWithWww() {
  const records = new Source<DnsRecord>();
  const zones = new Source<DNSZone>();
  const builds = new ZoneBuilds(new RecordIndex(new Map<RecordKind, Source<DnsRecord>>([['ARecord', records]])), new ZoneIndex(zones, noneRefused));
  zones.send('ADDED', zone());
  records.send('ADDED', a('www', '192.0.2.1'));
  return { records, zones, builds };
}

describe('ZoneBuilds', () => {
  it('reuses a build across status writes and rebuilds on a spec change', () => {
    const records = new Source<DnsRecord>();
    const zones = new Source<DNSZone>();
    const recordIndex = new RecordIndex(new Map<RecordKind, Source<DnsRecord>>([['ARecord', records]]));
    const zoneIndex = new ZoneIndex(zones, noneRefused);
    const builds = new ZoneBuilds(recordIndex, zoneIndex);
    zones.send('ADDED', zone());
    records.send('ADDED', a('www', '192.0.2.1'));
    const first = builds.of(zone());
    records.send('MODIFIED', a('www', '192.0.2.1', 1, { zone: 'x.test' }));
    zones.send('MODIFIED', { ...zone(), status: { serial: 3 } });
    expect(builds.of(zone())).toBe(first);
    records.send('MODIFIED', a('www', '192.0.2.9', 2));
    const second = builds.of(zone());
    expect(second).not.toBe(first);
    expect(second.hash).not.toBe(first.hash);
    records.send('ADDED', a('mail', '192.0.2.2'));
    expect(builds.of(zone()).served).toEqual(['ARecord/ns/mail', 'ARecord/ns/www']);
    expect(builds.of(zone(2))).not.toBe(builds.of(zone()));
  });

  it('keeps a build\'s zone file until it is settled, then renders the same file again when asked', () => {
    const { records, builds } = zoneWithWww();
    const build = builds.of(zone());
    const kept = builds.textOf(zone(), build);
    expect(withSerial(kept, 7)).toContain('www IN A 192.0.2.1');
    expect(contentHash(kept)).toBe(build.hash);
    builds.settle(zone(), build);
    const again = builds.textOf(zone(), build);
    expect(again).not.toBe(kept);
    expect(withSerial(again, 7)).toBe(withSerial(kept, 7));
    // A build another one replaced has no text to give: its records are gone from the caches.
    records.send('MODIFIED', a('www', '192.0.2.9', 2));
    const next = builds.of(zone());
    expect(() => builds.textOf(zone(), build)).toThrow(/replaced/);
    expect(withSerial(builds.textOf(zone(), next), 7)).toContain('192.0.2.9');
  });

  it('judges a record with a recent build that holds it as it is, and rebuilds for a record it lacks or after 2 s', () => {
    const records = new Source<DnsRecord>();
    const zones = new Source<DNSZone>();
    const recordIndex = new RecordIndex(new Map<RecordKind, Source<DnsRecord>>([['ARecord', records]]));
    let now = 0;
    const builds = new ZoneBuilds(recordIndex, new ZoneIndex(zones, noneRefused), (z) => z, () => now);
    zones.send('ADDED', zone());
    records.send('ADDED', a('www', '192.0.2.1'));
    const first = builds.of(zone());
    records.send('ADDED', a('mail', '192.0.2.2'));
    // A sibling arrived: www's verdict still comes from the recent build, mail's needs a new one.
    expect(builds.forRecord(zone(), a('www', '192.0.2.1'))).toBe(first);
    const second = builds.forRecord(zone(), a('mail', '192.0.2.2'));
    expect(second.served).toHaveLength(2);
    records.send('ADDED', a('ftp', '192.0.2.3'));
    now = 2_000;
    expect(builds.forRecord(zone(), a('www', '192.0.2.1')).served).toHaveLength(3);
  });

  it('keeps a build when an unrelated zone appears, and rebuilds when a zone that selects its records does', () => {
    const { zones, builds } = zoneWithWww();
    const first = builds.of(zone());
    const other = (name: string, label: string): DNSZone => ({ ...zone(), metadata: { ...zone().metadata, name, uid: `uid-${name}` }, spec: { ...zone().spec, zoneName: `${name}.test`, recordsFrom: [{ selector: { matchLabels: { zone: label } } }] } });
    zones.send('ADDED', other('unrelated', 'y'));
    expect(builds.of(zone())).toBe(first);
    zones.send('ADDED', other('rival', 'x'));
    const second = builds.of(zone());
    expect(second).not.toBe(first);
    expect(second.refused.get('ARecord/ns/www')).toMatchObject({ ok: false, reason: 'MultipleZones' });
    expect(second.served).toEqual([]);
  });

  it('answers a record\'s verdict from what the build serves and refuses, and nothing for a record it did not judge', () => {
    const records = new Source<DnsRecord>();
    const zones = new Source<DNSZone>();
    const builds = new ZoneBuilds(new RecordIndex(new Map<RecordKind, Source<DnsRecord>>([['ARecord', records]])), new ZoneIndex(zones, noneRefused));
    zones.send('ADDED', zone());
    const names = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf'];
    names.forEach((name, i) => records.send('ADDED', a(name, `192.0.2.${i + 1}`)));
    records.send('ADDED', a('bad', '192.0.2.300'));
    const build = builds.of(zone());
    expect(build.servedNames).toEqual(names);
    for (const name of names) expect(verdictOf(build, `ARecord/ns/${name}`)).toEqual({ ok: true });
    expect(verdictOf(build, 'ARecord/ns/bad')).toMatchObject({ ok: false });
    expect(verdictOf(build, 'ARecord/ns/hotel')).toBeUndefined();
    expect(verdictOf(build, 'ARecord/ns/aaa')).toBeUndefined();
  });
});
