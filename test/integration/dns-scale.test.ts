/**
 * Scale check of the DNS data path: many records in one zone reach named, and how long it takes.
 * DNS_SCALE_RECORDS sets the count (default 300).
 */
import type { KubeClient } from '../../src/kube/api-client.js';
import { dig, eventually, type Harness, holdLease, prepareDnsTest, startHarness, stopDnsTest } from './dns-support.js';

const NS = 'dns-scale';
const LEASE = 'bindy-dns-scale';
const API = `/apis/bindy.firestoned.io/v1beta1/namespaces/${NS}`;
const N = Number(process.env.DNS_SCALE_RECORDS ?? 300);

describe(`DNS data path at scale (${N} records)`, () => {
  let admin: KubeClient;
  let harness: Harness;
  let unlock: () => void = () => undefined;

  beforeAll(async () => {
    ({ admin, unlock } = await prepareDnsTest(NS));
    harness = await startHarness(admin, await holdLease(admin, LEASE, 'scale-operator', 1), LEASE, 90, NS);
  }, 240_000);

  afterAll(async () => {
    await stopDnsTest({ admin, unlock, harness }, API, [`${API}/dnszones/scale`, `${API}/bind9instances/dns`]);
  }, 60_000);

  it('serves every record, with the time it took', async () => {
    const base = { apiVersion: 'bindy.firestoned.io/v1beta1' };
    await admin.create(`${API}/bind9instances`, { ...base, kind: 'Bind9Instance', metadata: { name: 'dns', namespace: NS, labels: { dns: 'scale' } }, spec: { clusterRef: 'scale', role: 'primary', replicas: 1 } });
    await admin.create(`${API}/dnszones`, {
      ...base,
      kind: 'DNSZone',
      metadata: { name: 'scale', namespace: NS },
      spec: { zoneName: 'scale.test', bind9InstancesFrom: [{ selector: { matchLabels: { dns: 'scale' } } }], recordsFrom: [{ selector: { matchLabels: { zone: 'scale' } } }], soaRecord: { primaryNs: 'ns.other.test.', adminEmail: 'h.scale.test.', serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 } },
    });
    const pod = await eventually(() => harness.node.runtimes()[0]?.address ?? Promise.reject(new Error('no pod')), 30_000);
    const started = Date.now();
    const batch = 20;
    for (let i = 0; i < N; i += batch) {
      await Promise.all(
        Array.from({ length: Math.min(batch, N - i) }, (_, j) => i + j).map((k) =>
          admin.create(`${API}/arecords`, { ...base, kind: 'ARecord', metadata: { name: `h${k}`, namespace: NS, labels: { zone: 'scale' } }, spec: { name: `h${k}`, ipv4Addresses: [`10.1.${Math.floor(k / 250)}.${(k % 250) + 1}`] } }),
        ),
      );
    }
    const created = Date.now();
    await eventually(() => expect(dig(pod, `h${N - 1}.scale.test`, 'A')).not.toBe(''), 120_000, 100);
    const served = Date.now();
    await eventually(async () => {
      const z = await admin.get<{ status?: { recordsCount?: number } }>(`${API}/dnszones/scale`);
      expect(z.status?.recordsCount).toBe(N);
    }, 60_000);
    process.stderr.write(`${N} records: created in ${created - started} ms, all served ${served - started} ms after the first create\n`);
    const reconciles = (await harness.metrics.registry.getSingleMetricAsString('bindy_reconcile_total')).split('\n').filter((l) => l.startsWith('bindy_reconcile_total{')).map((l) => l.replace('bindy_reconcile_total', '')).join(' ');
    process.stderr.write(`reconciles: ${reconciles}\n`);
  }, 300_000);
});
