/**
 * A record's Ready from its zone's status: Attached once a serial containing it is served by every
 * pod; NotYetServed (or still Ready, if it already was) while its zone is on its way there;
 * ZoneNotReady with the zone's reason while its zone is failing (losing every pod of a zone that was
 * served included; a zone never served that waits for its first pod is on its way).
 */
import type { Caches } from '../../src/controllers/caches.js';
import { withInstanceNameServers } from '../../src/controllers/name-server-addresses.js';
import { RecordIndex, type RecordSource } from '../../src/controllers/record-index.js';
import { ZoneBuilds } from '../../src/controllers/zone-builds.js';
import { ZoneClaims } from '../../src/controllers/zone-claims.js';
import { ZoneIndex, type ZoneSource } from '../../src/controllers/zone-index.js';
import { judgeRecord } from '../../src/controllers/records.js';
import type { DNSZone, DnsRecord, RecordKind } from '../../src/crds/types.js';
import { buildZone } from '../../src/dns/build.js';
import { contentHash, zoneText } from '../../src/dns/zone.js';
import type { KubeObject } from '../../src/kube/objects.js';

function cache<T extends KubeObject>(items: T[]) {
  return {
    get: (key: string) => items.find((i) => `${i.metadata.namespace}/${i.metadata.name}` === key),
    list: (ns?: string) => items.filter((i) => ns === undefined || i.metadata.namespace === ns),
    on: (handler: (type: 'ADDED', obj: T) => void) => items.forEach((i) => handler('ADDED', i)),
  };
}

const SOA = { primaryNs: 'ns1.other.test.', adminEmail: 'h.x.test.', serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 };

function zone(status: DNSZone['status']): DNSZone {
  return {
    apiVersion: 'bindy.firestoned.io/v1beta1',
    kind: 'DNSZone',
    metadata: { name: 'z', namespace: 'ns', uid: 'uid-z', creationTimestamp: '2026-01-01T00:00:00Z', generation: 1 },
    spec: { zoneName: 'x.test', clusterRef: 'c', recordsFrom: [{ selector: { matchLabels: { zone: 'x' } } }], soaRecord: SOA },
    status,
  };
}

function www(status?: DnsRecord['status']): DnsRecord {
  return { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', metadata: { name: 'www', namespace: 'ns', labels: { zone: 'x' }, generation: 1 }, spec: { name: 'www', ipv4Addresses: ['192.0.2.1', '192.0.2.2'] }, status } as DnsRecord;
}

const HASH = contentHash(zoneText(buildZone(zone(undefined), [www()]).data));
const readyCondition = (status: 'True' | 'False', reason: string, message = '') => [{ type: 'Ready', status, reason, message, observedGeneration: 1 }];
const wasReady = { zone: 'x.test', conditions: readyCondition('True', 'Attached', 'served in zone x.test (DNSZone z) at serial 4 by every pod') };

function judge(z: DNSZone, record: DnsRecord) {
  const records = new Map([['ARecord', cache([record])]]) as unknown as Map<RecordKind, RecordSource>;
  const zones = cache([z]);
  const recordIndex = new RecordIndex(records);
  const pods = { instances: cache([]), providers: cache([]), slices: cache([]), pods: cache([]), replicaSets: cache([]), deployments: cache([]) } as unknown as Caches;
  const zoneIndex = new ZoneIndex(zones as unknown as ZoneSource, () => {
    const claims = new ZoneClaims({ ...pods, zones } as unknown as Caches);
    return (zone) => claims.refused(zone);
  });
  const zoneBuilds = new ZoneBuilds(recordIndex, zoneIndex, (zone) => withInstanceNameServers(pods, zone));
  const caches = { ...pods, zones, records, recordIndex, zoneIndex, zoneBuilds } as unknown as Caches;
  return judgeRecord(caches, record);
}

describe('judgeRecord', () => {
  it('is Attached once every pod serves a serial rendered from the content the record is in', () => {
    const z = zone({ serial: 5, syncedSerial: 5, contentHash: HASH, conditions: readyCondition('True', 'Synced') });
    expect(judge(z, www())).toMatchObject({ ready: true, reason: 'Attached', message: 'served in zone x.test (DNSZone z) by every pod since serial 5', zone: 'x.test' });
  });

  it('keeps the message of a record already Attached when its zone moves on to a later serial (no rewrite per zone change)', () => {
    const z = zone({ serial: 9, syncedSerial: 9, contentHash: HASH, conditions: readyCondition('True', 'Synced') });
    expect(judge(z, www(wasReady))).toMatchObject({ ready: true, reason: 'Attached', message: wasReady.conditions[0]!.message });
  });

  it.each<[string, DNSZone['status']]>([
    ['its zone was not reconciled yet', undefined],
    ['a pod still serves an older serial (NotServed)', { serial: 5, syncedSerial: 4, contentHash: HASH, conditions: readyCondition('False', 'NotServed', 'serial 5 is not served yet') }],
    ['its zone is Synced at older content', { serial: 4, syncedSerial: 4, contentHash: 'older', conditions: readyCondition('True', 'Synced') }],
    ['its zone, never served yet, waits for its first ready pod (NoReadyPods)', { serial: 5, contentHash: HASH, conditions: readyCondition('False', 'NoReadyPods', 'serial 5 waits for a ready named pod') }],
  ])('is NotYetServed while %s, and stays Ready if it already was', (_what, status) => {
    expect(judge(zone(status), www())).toMatchObject({ ready: false, reason: 'NotYetServed' });
    expect(judge(zone(status), www(wasReady))).toMatchObject({ ready: true, reason: 'Attached' });
  });

  it.each<[string, string]>([
    ['PushFailed', '10.0.0.1:8053 serves serial 4: named-checkzone refused'],
    ['NoInstances', 'no Bind9Instance has spec.clusterRef "c"'],
    ['InvalidAdminEmail', 'soaRecord.adminEmail is 300 octets on the wire'],
    ['NoReadyPods', 'serial 5 waits for a ready named pod'],
  ])('is ZoneNotReady with the zone\'s reason while its zone is %s, even if it was Ready', (reason, message) => {
    const z = zone({ serial: 5, syncedSerial: 4, contentHash: HASH, conditions: readyCondition('False', reason, message) });
    for (const record of [www(), www(wasReady)]) {
      expect(judge(z, record)).toMatchObject({ ready: false, reason: 'ZoneNotReady', message: `DNSZone z is not Ready (${reason}: ${message})` });
    }
  });
});
