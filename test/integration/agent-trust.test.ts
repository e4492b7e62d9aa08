/**
 * Zone data goes only to the instance's own pods (real apiserver + controller-manager, real named
 * and agents on the test node): a Pod someone creates in the namespace with the instance's labels
 * joins the Service's EndpointSlice and, mounting the instance's Secrets, even runs an agent with
 * the instance's valid certificate; it still gets no zone, because its Pod was not made by the
 * instance's Deployment.
 */
import type { KubeClient } from '../../src/kube/api-client.js';
import { dig, eventually, type Harness, holdLease, prepareDnsTest, startHarness, stopDnsTest } from './dns-support.js';

const NS = 'agent-trust';
const LEASE = 'bindy-agent-trust';
const B = 'bindy.firestoned.io/v1beta1';
const API = `/apis/${B}/namespaces/${NS}`;
const ZONE = 'trust.test';
const SOA = { primaryNs: 'ns0.dns.example.', adminEmail: 'h.trust.test.', serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 };

interface Pod {
  metadata: { name: string; labels?: Record<string, string>; ownerReferences?: unknown[] };
  spec: Record<string, unknown>;
}
interface Slice {
  endpoints?: Array<{ addresses: string[]; targetRef?: { name?: string } }>;
}

describe('pushing only to the instance\'s own pods (real apiserver, real named)', () => {
  let admin: KubeClient;
  let harness: Harness;
  let unlock: () => void = () => undefined;

  beforeAll(async () => {
    ({ admin, unlock } = await prepareDnsTest(NS));
    harness = await startHarness(admin, await holdLease(admin, LEASE, 'trust-operator', 1), LEASE, 200, NS);
  }, 120_000);

  afterAll(async () => {
    await admin.delete(`/api/v1/namespaces/${NS}/pods/rogue`, { query: { gracePeriodSeconds: 0 } }).catch(() => undefined);
    await stopDnsTest({ admin, unlock, harness }, API, [`${API}/dnszones/trust`, `${API}/bind9instances/own`], 20_000);
  }, 60_000);

  it('leaves out a look-alike pod that holds the instance\'s certificate, and keeps serving the real one', async () => {
    await admin.create(`${API}/bind9instances`, { apiVersion: B, kind: 'Bind9Instance', metadata: { name: 'own', namespace: NS, labels: { server: 'own' } }, spec: { clusterRef: 'own', role: 'primary', replicas: 1 } });
    await admin.create(`${API}/dnszones`, { apiVersion: B, kind: 'DNSZone', metadata: { name: 'trust', namespace: NS }, spec: { zoneName: ZONE, bind9InstancesFrom: [{ selector: { matchLabels: { server: 'own' } } }], recordsFrom: [{ selector: { matchLabels: { zone: 'trust' } } }], soaRecord: SOA } });
    await admin.create(`${API}/arecords`, { apiVersion: B, kind: 'ARecord', metadata: { name: 'www', namespace: NS, labels: { zone: 'trust' } }, spec: { name: 'www', ipv4Addresses: ['192.0.2.81'] } });
    const real = await eventually(() => harness.node.runtimes()[0]?.address ?? Promise.reject(new Error('no pod yet')), 60_000);
    await eventually(() => expect(dig(real, `www.${ZONE}`, 'A')).toBe('192.0.2.81'), 60_000);

    // A copy of the real pod's spec and labels, made by hand: same volumes (so the instance's token
    // and certificate), no owner.
    const pods = await admin.get<{ items: Pod[] }>(`/api/v1/namespaces/${NS}/pods`);
    const template = pods.items[0]!;
    const { nodeName: _node, ...spec } = template.spec;
    // Without pod-template-hash the ReplicaSet does not adopt (and then delete) it; the Service still selects it.
    const { 'pod-template-hash': _hash, ...labels } = template.metadata.labels ?? {};
    await admin.create(`/api/v1/namespaces/${NS}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'rogue', namespace: NS, labels }, spec });
    const rogue = await eventually(() => harness.node.runtime(`${NS}/rogue`)?.address ?? Promise.reject(new Error('rogue pod not running yet')), 60_000);
    // It is a ready endpoint of the instance's Service, like the real pod.
    await eventually(async () => {
      const slices = await admin.get<{ items: Slice[] }>(`/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Down`);
      expect(slices.items.flatMap((s) => s.endpoints ?? []).map((e) => e.targetRef?.name)).toContain('rogue');
    }, 30_000);

    await admin.mergePatch(`${API}/arecords/www`, { spec: { ipv4Addresses: ['192.0.2.82'] } });
    await eventually(() => expect(dig(real, `www.${ZONE}`, 'A')).toBe('192.0.2.82'), 60_000);
    // Three resyncs later the look-alike still has no zone: named there refuses the name.
    await new Promise((r) => setTimeout(r, 5_000));
    expect(dig(rogue, `www.${ZONE}`, 'A', true)).toMatch(/status: REFUSED/);
    const zone = await admin.get<{ status?: { pods?: Array<{ pod: string }> } }>(`${API}/dnszones/trust`);
    expect(zone.status?.pods?.map((p) => p.pod)).toEqual([`${real}:8053`]);
  }, 240_000);
});
