/**
 * ZoneIndex: which zones serve their name (their claim is not refused), and which zones may
 * select a record, kept from zone, instance and provider events — the same answers as scanning
 * every DNSZone, with status always read fresh.
 */
import type { Caches } from '../../src/controllers/caches.js';
import { ZoneClaims } from '../../src/controllers/zone-claims.js';
import { ZoneIndex } from '../../src/controllers/zone-index.js';
import type { Bind9Instance, ClusterBind9Provider, DNSZone, DnsRecord } from '../../src/crds/types.js';
import type { InformerEventType, InformerHandler } from '../../src/kube/informer.js';

class Fake<T extends { metadata: { name: string; namespace?: string } }> {
  private readonly items = new Map<string, T>();
  private readonly handlers: InformerHandler<T>[] = [];
  on(handler: InformerHandler<T>): void {
    this.handlers.push(handler);
  }
  get(key: string): T | undefined {
    return this.items.get(key);
  }
  list(ns?: string): T[] {
    return [...this.items.values()].filter((i) => ns === undefined || i.metadata.namespace === ns);
  }
  emit(type: InformerEventType, o: T): void {
    const key = `${o.metadata.namespace}/${o.metadata.name}`;
    const previous = this.items.get(key);
    if (type === 'DELETED') this.items.delete(key);
    else this.items.set(key, o);
    for (const h of this.handlers) h(type, o, previous);
  }
}

/** indexed is a ZoneIndex judging claims as the manager wires it: instances and providers followed. */
function indexed() {
  const zones = new Fake<DNSZone>();
  const instances = new Fake<Bind9Instance>();
  const providers = new Fake<ClusterBind9Provider>();
  const index = new ZoneIndex(zones, () => {
    const claims = new ZoneClaims({ zones, instances, providers } as unknown as Caches);
    return (z) => claims.refused(z);
  });
  index.follow(instances, (i) => JSON.stringify(i.metadata.labels ?? {}));
  index.follow(providers, () => '');
  return { zones, instances, index };
}

const server = (name: string, labels: Record<string, string> = { server: name }): Bind9Instance => ({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'Bind9Instance', metadata: { name, namespace: 'ns', labels }, spec: { clusterRef: 'c', role: 'primary' } });

/** zone selects its instances by the labels of `servers` (instance x by default). */
function zone(name: string, zoneName: string, created: string, recordsFrom: DNSZone['spec']['recordsFrom'], extra: Partial<DNSZone['metadata']> = {}, servers: Record<string, string>[] = [{ server: 'x' }]): DNSZone {
  const bind9InstancesFrom = servers.map((matchLabels) => ({ selector: { matchLabels } }));
  return { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'DNSZone', metadata: { name, namespace: 'ns', uid: `uid-${name}`, creationTimestamp: created, ...extra }, spec: { zoneName, recordsFrom, bind9InstancesFrom } } as unknown as DNSZone;
}

function record(labels: Record<string, string>, namespace = 'ns'): DnsRecord {
  return { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', metadata: { name: 'r', namespace, labels }, spec: { name: 'www', ipv4Addresses: ['192.0.2.1'] } } as DnsRecord;
}

const byLabel = (k: string, v: string) => [{ selector: { matchLabels: { [k]: v } } }];
const names = (zs: DNSZone[]) => zs.map((z) => z.metadata.name).sort();

describe('ZoneIndex', () => {
  it('finds the zones whose first matchLabels label the record carries, and the zones without matchLabels', () => {
    const { zones, index } = indexed();
    zones.emit('ADDED', zone('a', 'a.test', '2026-01-01T00:00:00Z', byLabel('zone', 'a')));
    zones.emit('ADDED', zone('b', 'b.test', '2026-01-01T00:00:00Z', byLabel('zone', 'b')));
    zones.emit('ADDED', zone('any', 'any.test', '2026-01-01T00:00:00Z', [{ selector: { matchExpressions: [{ key: 'team', operator: 'Exists' }] } }]));
    expect(names(index.selecting(record({ zone: 'a' })))).toEqual(['a', 'any']);
    expect(names(index.selecting(record({ zone: 'c' })))).toEqual(['any']);
    expect(index.selecting(record({ zone: 'a' }, 'other'))).toEqual([]);
    expect(names(index.serving('ns'))).toEqual(['a', 'any', 'b']);
  });

  it('leaves a DuplicateZone loser out of serving and selecting, but not out of selectingAny', () => {
    const { zones, instances, index } = indexed();
    instances.emit('ADDED', server('x'));
    zones.emit('ADDED', zone('old', 'x.test', '2026-01-01T00:00:00Z', byLabel('zone', 'x')));
    zones.emit('ADDED', zone('new', 'x.test.', '2026-02-01T00:00:00Z', byLabel('zone', 'x')));
    expect(names(index.selecting(record({ zone: 'x' })))).toEqual(['old']);
    expect(names(index.selectingAny(record({ zone: 'x' })))).toEqual(['new', 'old']);
    expect(names(index.named('X.test.'))).toEqual(['new', 'old']);
    // A deleting owner serves no records but holds its servers until its finalizer took the zone out of them.
    zones.emit('MODIFIED', zone('old', 'x.test', '2026-01-01T00:00:00Z', byLabel('zone', 'x'), { deletionTimestamp: '2026-03-01T00:00:00Z' }));
    expect(index.selecting(record({ zone: 'x' }))).toEqual([]);
    // Once it is gone the newer one is the server.
    zones.emit('DELETED', zone('old', 'x.test', '2026-01-01T00:00:00Z', byLabel('zone', 'x')));
    expect(names(index.serving('ns'))).toEqual(['new']);
  });

  it('serves one zoneName twice on instances that do not meet, and judges again when an instance\'s labels change', () => {
    const { zones, instances, index } = indexed();
    instances.emit('ADDED', server('x'));
    instances.emit('ADDED', server('y', { server: 'y', pool: 'b' }));
    zones.emit('ADDED', zone('old', 'x.test', '2026-01-01T00:00:00Z', byLabel('zone', 'x'), {}, [{ server: 'x' }]));
    zones.emit('ADDED', zone('new', 'x.test', '2026-02-01T00:00:00Z', byLabel('zone', 'x'), {}, [{ pool: 'b' }]));
    expect(names(index.selecting(record({ zone: 'x' })))).toEqual(['new', 'old']);
    const before = index.version;
    // x joins pool b: the two claims meet on x, and the younger one is refused.
    instances.emit('MODIFIED', server('x', { server: 'x', pool: 'b' }));
    expect(index.version).not.toBe(before);
    expect(names(index.selecting(record({ zone: 'x' })))).toEqual(['old']);
    // A status write of an instance changes no claim.
    const after = index.version;
    instances.emit('MODIFIED', { ...server('x', { server: 'x', pool: 'b' }), status: {} } as Bind9Instance);
    expect(index.version).toBe(after);
  });

  it('keeps a zone that selects no instance serving (it claims nothing) but a refused one out', () => {
    const { zones, instances, index } = indexed();
    instances.emit('ADDED', server('x'));
    zones.emit('ADDED', zone('old', 'example.com', '2026-01-01T00:00:00Z', byLabel('zone', 'a')));
    zones.emit('ADDED', zone('dup', 'example.com', '2026-02-01T00:00:00Z', byLabel('zone', 'b')));
    zones.emit('ADDED', zone('idle', 'idle.example.com', '2026-01-01T00:00:00Z', byLabel('zone', 'c'), {}, [{ server: 'none' }]));
    expect(names(index.serving('ns'))).toEqual(['idle', 'old']);
  });

  it('follows a selector edit and always returns the current object (status included)', () => {
    const { zones, index } = indexed();
    zones.emit('ADDED', zone('a', 'a.test', '2026-01-01T00:00:00Z', byLabel('zone', 'a')));
    zones.emit('MODIFIED', zone('a', 'a.test', '2026-01-01T00:00:00Z', byLabel('zone', 'b')));
    expect(index.selecting(record({ zone: 'a' }))).toEqual([]);
    const withStatus = { ...zone('a', 'a.test', '2026-01-01T00:00:00Z', byLabel('zone', 'b')), status: { serial: 7 } } as DNSZone;
    zones.emit('MODIFIED', withStatus);
    expect(index.rivals([record({ zone: 'b' })])[0]?.status?.serial).toBe(7);
  });
});
