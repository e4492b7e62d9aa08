/**
 * ZoneIndex: which zones serve their name, and which zones may select a record, kept from zone
 * events — the same answers as scanning every DNSZone, with status always read fresh.
 */
import { ZoneIndex, type ZoneSource } from '../../src/controllers/zone-index.js';
import type { DNSZone, DnsRecord } from '../../src/crds/types.js';
import type { InformerEventType, InformerHandler } from '../../src/kube/informer.js';

class FakeZones implements ZoneSource {
  private readonly items = new Map<string, DNSZone>();
  private readonly handlers: InformerHandler<DNSZone>[] = [];
  on(handler: InformerHandler<DNSZone>): void {
    this.handlers.push(handler);
  }
  get(key: string): DNSZone | undefined {
    return this.items.get(key);
  }
  list(): DNSZone[] {
    return [...this.items.values()];
  }
  emit(type: InformerEventType, z: DNSZone): void {
    const key = `${z.metadata.namespace}/${z.metadata.name}`;
    if (type === 'DELETED') this.items.delete(key);
    else this.items.set(key, z);
    for (const h of this.handlers) h(type, z);
  }
}

function zone(name: string, zoneName: string, created: string, recordsFrom: DNSZone['spec']['recordsFrom'], extra: Partial<DNSZone['metadata']> = {}): DNSZone {
  return { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'DNSZone', metadata: { name, namespace: 'ns', uid: `uid-${name}`, creationTimestamp: created, ...extra }, spec: { zoneName, recordsFrom } } as DNSZone;
}

function record(labels: Record<string, string>, namespace = 'ns'): DnsRecord {
  return { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', metadata: { name: 'r', namespace, labels }, spec: { name: 'www', ipv4Addresses: ['192.0.2.1'] } } as DnsRecord;
}

const byLabel = (k: string, v: string) => [{ selector: { matchLabels: { [k]: v } } }];
const names = (zs: DNSZone[]) => zs.map((z) => z.metadata.name).sort();

describe('ZoneIndex', () => {
  it('finds the zones whose first matchLabels label the record carries, and the zones without matchLabels', () => {
    const zones = new FakeZones();
    const index = new ZoneIndex(zones);
    zones.emit('ADDED', zone('a', 'a.test', '2026-01-01T00:00:00Z', byLabel('zone', 'a')));
    zones.emit('ADDED', zone('b', 'b.test', '2026-01-01T00:00:00Z', byLabel('zone', 'b')));
    zones.emit('ADDED', zone('any', 'any.test', '2026-01-01T00:00:00Z', [{ selector: { matchExpressions: [{ key: 'team', operator: 'Exists' }] } }]));
    expect(names(index.selecting(record({ zone: 'a' })))).toEqual(['a', 'any']);
    expect(names(index.selecting(record({ zone: 'c' })))).toEqual(['any']);
    expect(index.selecting(record({ zone: 'a' }, 'other'))).toEqual([]);
    expect(names(index.serving('ns'))).toEqual(['a', 'any', 'b']);
  });

  it('leaves a DuplicateZone loser out of serving and selecting, but not out of selectingAny', () => {
    const zones = new FakeZones();
    const index = new ZoneIndex(zones);
    zones.emit('ADDED', zone('old', 'x.test', '2026-01-01T00:00:00Z', byLabel('zone', 'x')));
    zones.emit('ADDED', zone('new', 'x.test.', '2026-02-01T00:00:00Z', byLabel('zone', 'x')));
    expect(names(index.selecting(record({ zone: 'x' })))).toEqual(['old']);
    expect(names(index.selectingAny(record({ zone: 'x' })))).toEqual(['new', 'old']);
    expect(names(index.named('X.test.'))).toEqual(['new', 'old']);
    // The older one going away makes the newer one the server.
    zones.emit('MODIFIED', zone('old', 'x.test', '2026-01-01T00:00:00Z', byLabel('zone', 'x'), { deletionTimestamp: '2026-03-01T00:00:00Z' }));
    expect(names(index.selecting(record({ zone: 'x' })))).toEqual(['new']);
    zones.emit('DELETED', zone('old', 'x.test', '2026-01-01T00:00:00Z', byLabel('zone', 'x')));
    expect(names(index.serving('ns'))).toEqual(['new']);
  });

  it('follows a selector edit and always returns the current object (status included)', () => {
    const zones = new FakeZones();
    const index = new ZoneIndex(zones);
    zones.emit('ADDED', zone('a', 'a.test', '2026-01-01T00:00:00Z', byLabel('zone', 'a')));
    zones.emit('MODIFIED', zone('a', 'a.test', '2026-01-01T00:00:00Z', byLabel('zone', 'b')));
    expect(index.selecting(record({ zone: 'a' }))).toEqual([]);
    const withStatus = { ...zone('a', 'a.test', '2026-01-01T00:00:00Z', byLabel('zone', 'b')), status: { serial: 7 } } as DNSZone;
    zones.emit('MODIFIED', withStatus);
    expect(index.rivals([record({ zone: 'b' })])[0]?.status?.serial).toBe(7);
  });
});
