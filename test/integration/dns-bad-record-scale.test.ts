/**
 * Bad input at scale, against real named: a zone of 10,000 records, one of which named would
 * refuse (an A record owner with `_`, check-names), is served with the other 9,999; the refused
 * record says so in its own status, and the zone's Ready message names it.
 * DNS_BAD_RECORD_SCALE sets the count (default 10,000).
 */
import { STATUS_RECORDS_LIMIT } from '../../src/controllers/dns-zone.js';
import type { KubeClient } from '../../src/kube/api-client.js';
import { deleteDnsObjects, dig, eventually, type Harness, holdLease, prepareDnsTest, startHarness } from './dns-support.js';

const NS = 'dns-bad-scale';
const LEASE = 'bindy-dns-bad-scale';
const API = `/apis/bindy.firestoned.io/v1beta1/namespaces/${NS}`;
const N = Number(process.env.DNS_BAD_RECORD_SCALE ?? 10_000);
const BAD = 'h-bad';

type Status = { status?: { recordsCount?: number; records?: Array<{ name: string }>; conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> } };
const ready = (o: Status) => o.status?.conditions?.find((c) => c.type === 'Ready');

describe(`one invalid record among ${N} in one zone (real named)`, () => {
  let admin: KubeClient;
  let harness: Harness;
  let unlock: () => void = () => undefined;
  // A test that times out must not leave its creators running into the teardown.
  let stopped = false;

  beforeAll(async () => {
    ({ admin, unlock } = await prepareDnsTest(NS));
    harness = await startHarness(admin, await holdLease(admin, LEASE, 'bad-scale-operator', 1), LEASE, 180, NS);
  }, 240_000);

  afterAll(async () => {
    stopped = true;
    await deleteDnsObjects(admin, API, [`${API}/dnszones/big`, `${API}/bind9instances/dns`]);
    // The namespace goes with its records: 10,000 DELETEs would outlast the hook.
    await admin.delete(`/api/v1/namespaces/${NS}`).catch(() => undefined);
    await harness?.stop();
    admin.close();
    unlock();
  }, 120_000);

  it(`serves the other ${N - 1} records and names the refused one`, async () => {
    const base = { apiVersion: 'bindy.firestoned.io/v1beta1' };
    await admin.create(`${API}/bind9instances`, { ...base, kind: 'Bind9Instance', metadata: { name: 'dns', namespace: NS, labels: { dns: 'big' } }, spec: { clusterRef: 'big', role: 'primary', replicas: 1 } });
    await admin.create(`${API}/dnszones`, {
      ...base,
      kind: 'DNSZone',
      metadata: { name: 'big', namespace: NS },
      spec: { zoneName: 'big.test', bind9InstancesFrom: [{ selector: { matchLabels: { dns: 'big' } } }], recordsFrom: [{ selector: { matchLabels: { zone: 'big' } } }], soaRecord: { primaryNs: 'ns.other.test.', adminEmail: 'h.big.test.', serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 } },
    });
    const pod = await eventually(() => harness.node.runtimes()[0]?.address ?? Promise.reject(new Error('no pod')), 60_000);
    const names = Array.from({ length: N }, (_, k) => (k === Math.floor(N / 2) ? BAD : `h${k}`));
    const record = (name: string, k: number) => ({ ...base, kind: 'ARecord', metadata: { name, namespace: NS, labels: { zone: 'big' } }, spec: { name: name === BAD ? 'bad_host' : name, ipv4Addresses: [`10.1.${Math.floor(k / 250)}.${(k % 250) + 1}`] } });
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      for (let k = next++; k < N && !stopped; k = next++) await admin.create(`${API}/arecords`, record(names[k]!, k));
    }));
    await eventually(async () => {
      const zone = await admin.get<Status>(`${API}/dnszones/big`);
      expect(zone.status?.recordsCount).toBe(N - 1);
      // The list stops at the limit (the full one would near etcd's object size limit); the count does not.
      expect(zone.status?.records).toHaveLength(Math.min(N - 1, STATUS_RECORDS_LIMIT));
      expect(ready(zone)).toMatchObject({ status: 'True', reason: 'Synced', message: expect.stringContaining(`1 invalid record(s) left out: ARecord/${NS}/${BAD} (CheckNames)`) });
    }, 240_000, 500);
    expect(dig(pod, `h${N - 1}.big.test`, 'A')).toBe(`10.1.${Math.floor((N - 1) / 250)}.${((N - 1) % 250) + 1}`);
    expect(dig(pod, 'h0.big.test', 'A')).toBe('10.1.0.1');
    expect(dig(pod, 'bad_host.big.test', 'A')).toBe('');
    // Record status is written after the zone's (10,000 of them queue behind each other).
    await eventually(async () => {
      const bad = await admin.get<Status>(`${API}/arecords/${BAD}`);
      expect(ready(bad)).toMatchObject({ status: 'False', reason: 'CheckNames', message: expect.stringContaining('bad_host') });
    }, 120_000, 500);
  }, 600_000);
});
