import { RecordIndex } from '../../src/controllers/record-index.js';
import type { DNSZone, DnsRecord, RecordKind } from '../../src/crds/types.js';
import type { InformerEventType, InformerHandler } from '../../src/kube/informer.js';

/** FakeSource delivers the events a test sends, like an informer's handlers. */
class FakeSource {
  private handler: InformerHandler<DnsRecord> = () => undefined;
  on(handler: InformerHandler<DnsRecord>): void {
    this.handler = handler;
  }
  send(type: InformerEventType, record: DnsRecord): void {
    this.handler(type, record);
  }
}

const zone = (name: string, ns = 'ns'): DNSZone => ({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'DNSZone', metadata: { name, namespace: ns }, spec: { zoneName: `${name}.test`, instanceSelector: { matchLabels: {} }, soaRecord: { primaryNs: 'ns1.x.test', adminEmail: 'h@x.test' } } });
const a = (name: string, zoneRef?: string, ns = 'ns'): DnsRecord =>
  ({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', metadata: { name, namespace: ns }, spec: { zoneRef, name, ipv4Address: '192.0.2.1' } }) as DnsRecord;
const names = (records: DnsRecord[]) => records.map((r) => r.metadata.name).sort();

describe('RecordIndex', () => {
  const setup = () => {
    const aSource = new FakeSource();
    const txtSource = new FakeSource();
    const index = new RecordIndex(new Map<RecordKind, FakeSource>([['ARecord', aSource], ['TXTRecord', txtSource]]));
    return { index, aSource, txtSource };
  };

  it('offers a zone its referenced records and the namespace unreferenced ones, never another zone or namespace', () => {
    const { index, aSource } = setup();
    aSource.send('ADDED', a('www', 'z1'));
    aSource.send('ADDED', a('mail', 'z2'));
    aSource.send('ADDED', a('free'));
    aSource.send('ADDED', a('elsewhere', 'z1', 'other'));
    expect(names(index.candidates(zone('z1')))).toEqual(['free', 'www']);
    expect(names(index.candidates(zone('z2')))).toEqual(['free', 'mail']);
  });

  it('moves a record whose zoneRef changed and forgets a deleted one', () => {
    const { index, aSource } = setup();
    aSource.send('ADDED', a('www', 'z1'));
    aSource.send('MODIFIED', a('www', 'z2'));
    expect(names(index.candidates(zone('z1')))).toEqual([]);
    expect(names(index.candidates(zone('z2')))).toEqual(['www']);
    aSource.send('DELETED', a('www', 'z2'));
    expect(index.candidates(zone('z2'))).toEqual([]);
  });

  it('keeps records of different kinds with the same name apart', () => {
    const { index, aSource, txtSource } = setup();
    aSource.send('ADDED', a('www', 'z1'));
    txtSource.send('ADDED', { ...a('www', 'z1'), kind: 'TXTRecord' } as DnsRecord);
    aSource.send('DELETED', a('www', 'z1'));
    expect(index.candidates(zone('z1')).map((r) => r.kind)).toEqual(['TXTRecord']);
  });
});
