/**
 * The resync of served zones (served-zones.ts) with a real apiserver and real named: an idle
 * leader does not reconcile a zone its pods serve at every resync — it reads each pod's
 * inventory instead — yet a status someone else edits is put back at the next resync. (A pod
 * that lost the zone is refilled: dns-e2e.test.ts.)
 */
import type { KubeClient } from '../../src/kube/api-client.js';
import { dig, eventually, type Harness, holdLease, prepareDnsTest, startHarness, stopDnsTest } from './dns-support.js';

const NS = 'zone-resync';
const LEASE = 'bindy-zone-resync';
const API = `/apis/bindy.firestoned.io/v1beta1/namespaces/${NS}`;
/** startHarness's resync period. */
const RESYNC_MS = 1_500;

interface Ready {
  status?: { conditions?: Array<{ type: string; status: string; reason: string }> };
}
const ready = (o: Ready) => o.status?.conditions?.find((c) => c.type === 'Ready');

describe('resync of served zones (real apiserver, real named)', () => {
  let admin: KubeClient;
  let harness: Harness;
  let unlock: () => void = () => undefined;

  const zoneReconciles = async (): Promise<number> => {
    const metric = await harness.metrics.reconcileTotal.get();
    return metric.values.filter((v) => v.labels.kind === 'DNSZone').reduce((sum, v) => sum + v.value, 0);
  };

  beforeAll(async () => {
    ({ admin, unlock } = await prepareDnsTest(NS));
    harness = await startHarness(admin, await holdLease(admin, LEASE, 'resync-operator', 1), LEASE, 245, NS);
    await admin.create(`${API}/bind9instances`, { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'Bind9Instance', metadata: { name: 'dns', namespace: NS }, spec: { clusterRef: 'resync', role: 'primary', replicas: 1 } });
    await admin.create(`${API}/dnszones`, {
      apiVersion: 'bindy.firestoned.io/v1beta1',
      kind: 'DNSZone',
      metadata: { name: 'z', namespace: NS },
      spec: { zoneName: 'resync.test', clusterRef: 'resync', recordsFrom: [{ selector: { matchLabels: { zone: 'resync' } } }], soaRecord: { primaryNs: 'ns1.other.example.', adminEmail: 'hostmaster.resync.test.', serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 } },
    });
    await admin.create(`${API}/arecords`, { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', metadata: { name: 'www', namespace: NS, labels: { zone: 'resync' } }, spec: { name: 'www', ipv4Addresses: ['192.0.2.80'] } });
    await eventually(async () => {
      expect(ready(await admin.get<Ready>(`${API}/dnszones/z`))).toMatchObject({ status: 'True', reason: 'Synced' });
      expect(ready(await admin.get<Ready>(`${API}/arecords/www`))).toMatchObject({ status: 'True' });
    }, 60_000);
  }, 240_000);

  afterAll(async () => {
    await stopDnsTest({ admin, unlock, harness }, API, [`${API}/dnszones/z`, `${API}/bind9instances/dns`], 15_000);
  }, 60_000);

  it('does not reconcile a served zone at each resync while nothing changes', async () => {
    const pod = harness.node.runtimes()[0]?.address ?? '';
    expect(dig(pod, 'www.resync.test', 'A')).toBe('192.0.2.80');
    // Let the events of the import settle (the record's status write, the slice).
    await new Promise((r) => setTimeout(r, RESYNC_MS));
    const before = await zoneReconciles();
    await new Promise((r) => setTimeout(r, 4 * RESYNC_MS));
    expect(await zoneReconciles()).toBe(before);
    expect(dig(pod, 'www.resync.test', 'A')).toBe('192.0.2.80');
  }, 30_000);

  it('puts back a status someone else edited, at the next resync', async () => {
    const zone = await admin.get<{ metadata: { resourceVersion: string } }>(`${API}/dnszones/z`);
    const tampered = { type: 'Ready', status: 'False', reason: 'Tampered', message: 'edited by hand', lastTransitionTime: new Date().toISOString() };
    await admin.mergePatch(`${API}/dnszones/z/status`, { metadata: { resourceVersion: zone.metadata.resourceVersion }, status: { conditions: [tampered] } });
    expect(ready(await admin.get<Ready>(`${API}/dnszones/z`))).toMatchObject({ reason: 'Tampered' });
    await eventually(async () => expect(ready(await admin.get<Ready>(`${API}/dnszones/z`))).toMatchObject({ status: 'True', reason: 'Synced' }), 4 * RESYNC_MS);
  }, 30_000);
});
