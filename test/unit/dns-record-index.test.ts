import { RecordIndex } from '../../src/controllers/record-index.js';
import type { DNSZone, DnsRecord, RecordKind } from '../../src/crds/types.js';
import type { InformerEventType, InformerHandler } from '../../src/kube/informer.js';

/** FakeSource delivers the events a test sends, like an informer's handlers. */
class FakeSource {
  private handler: InformerHandler<DnsRecord> = () => undefined;
  private readonly held = new Map<string, DnsRecord>();
  on(handler: InformerHandler<DnsRecord>): void {
    this.handler = handler;
  }
  send(type: InformerEventType, record: DnsRecord): void {
    const key = `${record.metadata.namespace}/${record.metadata.name}`;
    const previous = this.held.get(key);
    if (type === 'DELETED') this.held.delete(key);
    else this.held.set(key, record);
    this.handler(type, record, previous);
  }
}

const zone = (name: string, ns = 'ns'): DNSZone => ({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'DNSZone', metadata: { name, namespace: ns }, spec: { zoneName: `${name}.test`, soaRecord: SOA, recordsFrom: [{ selector: {} }] } });
const SOA = { primaryNs: 'ns1.x.test.', adminEmail: 'h.x.test.', serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 };
const a = (name: string, ns = 'ns'): DnsRecord =>
  ({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', metadata: { name, namespace: ns }, spec: { name, ipv4Addresses: ['192.0.2.1'] } }) as DnsRecord;
const names = (records: DnsRecord[]) => records.map((r) => r.metadata.name).sort();

describe('RecordIndex', () => {
  const setup = () => {
    const aSource = new FakeSource();
    const txtSource = new FakeSource();
    const index = new RecordIndex(new Map<RecordKind, FakeSource>([['ARecord', aSource], ['TXTRecord', txtSource]]));
    return { index, aSource, txtSource };
  };

  it("offers a zone its namespace's records, never another namespace's", () => {
    const { index, aSource } = setup();
    aSource.send('ADDED', a('www'));
    aSource.send('ADDED', a('mail'));
    aSource.send('ADDED', a('elsewhere', 'other'));
    expect(names(index.candidates(zone('z1')))).toEqual(['mail', 'www']);
    expect(names(index.candidates(zone('z2', 'other')))).toEqual(['elsewhere']);
  });

  it('offers a matchLabels selector only the records with its first label', () => {
    const { index, aSource } = setup();
    aSource.send('ADDED', { ...a('www'), metadata: { name: 'www', namespace: 'ns', labels: { zone: 'z1' } } } as DnsRecord);
    aSource.send('ADDED', { ...a('mail'), metadata: { name: 'mail', namespace: 'ns', labels: { zone: 'z2' } } } as DnsRecord);
    const z1 = { ...zone('z1'), spec: { ...zone('z1').spec, recordsFrom: [{ selector: { matchLabels: { zone: 'z1' } } }] } };
    expect(names(index.candidates(z1))).toEqual(['www']);
    aSource.send('MODIFIED', { ...a('mail'), metadata: { name: 'mail', namespace: 'ns', labels: { zone: 'z1' } } } as DnsRecord);
    expect(names(index.candidates(z1))).toEqual(['mail', 'www']);
  });

  it('forgets a deleted record', () => {
    const { index, aSource } = setup();
    aSource.send('ADDED', a('www'));
    aSource.send('MODIFIED', a('www'));
    expect(names(index.candidates(zone('z1')))).toEqual(['www']);
    aSource.send('DELETED', a('www'));
    expect(index.candidates(zone('z1'))).toEqual([]);
  });

  it('keeps records of different kinds with the same name apart', () => {
    const { index, aSource, txtSource } = setup();
    aSource.send('ADDED', a('www'));
    txtSource.send('ADDED', { ...a('www'), kind: 'TXTRecord' } as DnsRecord);
    aSource.send('DELETED', a('www'));
    expect(index.candidates(zone('z1')).map((r) => r.kind)).toEqual(['TXTRecord']);
  });

  it('moves a version only when a record appears, goes, or changes its spec or labels; a status write leaves it', () => {
    const { index, aSource } = setup();
    const selecting = (z: string) => ({ ...zone(z), spec: { ...zone(z).spec, recordsFrom: [{ selector: { matchLabels: { zone: z } } }] } });
    const labelled = (zoneLabel: string, generation: number, status?: object) => ({ ...a('www'), metadata: { name: 'www', namespace: 'ns', uid: 'u1', generation, labels: { zone: zoneLabel } }, ...(status ? { status } : {}) }) as DnsRecord;
    aSource.send('ADDED', labelled('z1', 1));
    const v1 = index.versionOf(selecting('z1'));
    const v2 = index.versionOf(selecting('z2'));
    aSource.send('MODIFIED', labelled('z1', 1, { zone: 'z1.test', conditions: [{ type: 'Ready', status: 'True' }] }));
    expect(index.versionOf(selecting('z1'))).toBe(v1);
    aSource.send('MODIFIED', labelled('z1', 2));
    const v1AfterSpec = index.versionOf(selecting('z1'));
    expect(v1AfterSpec).not.toBe(v1);
    aSource.send('MODIFIED', labelled('z2', 2));
    expect(index.versionOf(selecting('z1'))).not.toBe(v1AfterSpec);
    expect(index.versionOf(selecting('z2'))).not.toBe(v2);
    expect(index.candidates(selecting('z1'))).toEqual([]);
    expect(names(index.candidates(selecting('z2')))).toEqual(['www']);
    const v2Before = index.versionOf(selecting('z2'));
    aSource.send('DELETED', labelled('z2', 2));
    expect(index.versionOf(selecting('z2'))).not.toBe(v2Before);
    expect(index.candidates(selecting('z2'))).toEqual([]);
  });
});
