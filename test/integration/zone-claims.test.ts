/**
 * Zone ownership that cannot be squatted (real apiserver, real named, controllers watching every
 * namespace as a cluster-wide operator does): a DNSZone that selects no server claims nothing;
 * one zoneName is served by two DNSZones on different instances; on a ClusterBind9Provider's
 * shared instances its allowed-zones annotation keeps other namespaces off a name, the refused
 * claim names the owner, and the owner keeps serving.
 */
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { createControllers } from '../../src/controllers/manager.js';
import { ZONE_POLICY_ANNOTATION } from '../../src/controllers/zone-claims.js';
import type { KubeClient } from '../../src/kube/api-client.js';
import { OperatorMetrics } from '../../src/observability/metrics.js';
import type { TestNode } from '../../testbed/node/node.js';
import { deleteDnsObjects, dig, ensureNamespace, eventually, holdLease, LEASE_NS, prepareDnsTest, startNode } from './dns-support.js';

const LEASE = 'bindy-zone-claims';
const B = 'bindy.firestoned.io/v1beta1';
const [OWNER, TENANT, SHARED] = ['adv', 'adv-b', 'adv-shared'];
const api = (ns: string) => `/apis/${B}/namespaces/${ns}`;
const SUFFIX = randomBytes(3).toString('hex');
const PROVIDER = `claims-${SUFFIX}`;
const NAME = `adv-${SUFFIX}.test`;
const SHARED_NAME = `shared-${SUFFIX}.test`;
const SOA = { primaryNs: 'ns0.dns.example.', adminEmail: 'admin.corp.test.', serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 };

interface Obj {
  status?: { conditions?: Array<{ type: string; status: string; reason: string; message: string }> };
}

function zone(ns: string, name: string, zoneName: string, select: Record<string, unknown>) {
  return { apiVersion: B, kind: 'DNSZone', metadata: { name, namespace: ns }, spec: { zoneName, soaRecord: SOA, recordsFrom: [{ selector: { matchLabels: { zone: name } } }], ...select } };
}
const www = (ns: string, zoneLabel: string, address: string) => ({ apiVersion: B, kind: 'ARecord', metadata: { name: `${zoneLabel}-www`, namespace: ns, labels: { zone: zoneLabel } }, spec: { name: 'www', ipv4Addresses: [address] } });
const server = (ns: string, name: string) => ({ apiVersion: B, kind: 'Bind9Instance', metadata: { name, namespace: ns, labels: { server: name } }, spec: { clusterRef: 'own', role: 'primary', replicas: 1 } });
const byServer = (name: string) => ({ bind9InstancesFrom: [{ selector: { matchLabels: { server: name } } }] });

async function readyOf(admin: KubeClient, ns: string, name: string) {
  return (await admin.get<Obj>(`${api(ns)}/dnszones/${name}`)).status?.conditions?.find((c) => c.type === 'Ready');
}

describe('zone ownership across tenants (real apiserver, real named)', () => {
  let admin: KubeClient;
  let unlock: () => void = () => undefined;
  const nodes = new Map<string, TestNode>();
  const stop = new AbortController();
  const runs: Array<Promise<void>> = [];

  const podOf = (ns: string, instance: string) =>
    eventually(() => nodes.get(ns)?.runtimes().find((rt) => rt.key.startsWith(`${ns}/${instance}-`))?.address ?? Promise.reject(new Error(`no pod of ${ns}/${instance}`)), 60_000);

  beforeAll(async () => {
    ({ admin, unlock } = await prepareDnsTest(OWNER));
    for (const ns of [TENANT, SHARED]) await ensureNamespace(admin, ns);
    const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
    const leadership = await holdLease(admin, LEASE, 'claims-operator', 1);
    [OWNER, TENANT, SHARED].forEach((ns, i) => nodes.set(ns, startNode(admin, log, LEASE, 170 + 10 * i, ns, false)));
    // No watchNamespace: claims are judged across namespaces, as by a cluster-wide operator; only
    // this test's objects are reconciled, so other test files' objects running beside it are untouched.
    const ours = (key: string) => [OWNER, TENANT, SHARED].includes(key.split('/')[0] ?? '') || key === PROVIDER;
    const set = createControllers({ client: admin, log, metrics: new OperatorMetrics({ defaultMetrics: false }), config: { leaderElection: true, leaseName: LEASE, leaseNamespace: LEASE_NS }, tuning: { resyncMs: 1_500, agentImage: 'bindy:test', reconcileOnly: ours } });
    runs.push(...[...nodes.values()].map((n) => n.start(stop.signal)), set.informers.start(stop.signal));
    await eventually(() => {
      if (!set.informers.ready?.()) throw new Error('informers not synced');
    }, 20_000, 50);
    runs.push(set.reconcilers(leadership).start(stop.signal));
  }, 240_000);

  afterAll(async () => {
    await admin.delete(`/apis/${B}/clusterbind9providers/${PROVIDER}`).catch(() => undefined);
    for (const ns of [OWNER, TENANT, SHARED]) {
      const zones = await admin.get<{ items: Array<{ metadata: { name: string } }> }>(`${api(ns)}/dnszones`).catch(() => ({ items: [] }));
      const instances = await admin.get<{ items: Array<{ metadata: { name: string } }> }>(`${api(ns)}/bind9instances`).catch(() => ({ items: [] }));
      await deleteDnsObjects(admin, api(ns), [...zones.items.map((z) => `${api(ns)}/dnszones/${z.metadata.name}`), ...instances.items.map((i) => `${api(ns)}/bind9instances/${i.metadata.name}`)], 20_000);
    }
    stop.abort();
    await Promise.all(runs);
    admin?.close();
    unlock();
  }, 90_000);

  it('a squat that selects no server claims nothing: the owner, created later, serves and dig answers', async () => {
    await admin.create(`${api(TENANT)}/dnszones`, zone(TENANT, 'squat', NAME, {}));
    await eventually(async () => expect(await readyOf(admin, TENANT, 'squat')).toMatchObject({ status: 'False', reason: 'NoInstances' }), 20_000);
    await admin.create(`${api(OWNER)}/bind9instances`, server(OWNER, 'own'));
    await admin.create(`${api(OWNER)}/dnszones`, zone(OWNER, 'real', NAME, byServer('own')));
    await admin.create(`${api(OWNER)}/arecords`, www(OWNER, 'real', '192.0.2.71'));
    const pod = await podOf(OWNER, 'own');
    await eventually(() => expect(dig(pod, `www.${NAME}`, 'A')).toBe('192.0.2.71'), 60_000);
    await eventually(async () => expect(await readyOf(admin, OWNER, 'real')).toMatchObject({ status: 'True', reason: 'Synced' }), 20_000);
    expect(await readyOf(admin, TENANT, 'squat')).toMatchObject({ status: 'False', reason: 'NoInstances' });
  }, 150_000);

  it('the same zoneName on two tenants\' own instances is served by both, each its own data', async () => {
    await admin.create(`${api(TENANT)}/bind9instances`, server(TENANT, 'own-b'));
    await admin.create(`${api(TENANT)}/dnszones`, zone(TENANT, 'twin', NAME, byServer('own-b')));
    await admin.create(`${api(TENANT)}/arecords`, www(TENANT, 'twin', '192.0.2.72'));
    const [mine, theirs] = [await podOf(OWNER, 'own'), await podOf(TENANT, 'own-b')];
    await eventually(() => expect(dig(theirs, `www.${NAME}`, 'A')).toBe('192.0.2.72'), 60_000);
    await eventually(async () => expect(await readyOf(admin, TENANT, 'twin')).toMatchObject({ status: 'True', reason: 'Synced' }), 20_000);
    expect(dig(mine, `www.${NAME}`, 'A')).toBe('192.0.2.71');
    expect(await readyOf(admin, OWNER, 'real')).toMatchObject({ status: 'True', reason: 'Synced' });
  }, 150_000);

  it('on a provider\'s shared instances the annotation refuses another namespace (even when first), naming the owner; the owner keeps serving', async () => {
    const policy = JSON.stringify({ [OWNER]: [SHARED_NAME], [TENANT]: [`tenant-${SUFFIX}.test`] });
    await admin.create(`/apis/${B}/clusterbind9providers`, { apiVersion: B, kind: 'ClusterBind9Provider', metadata: { name: PROVIDER, annotations: { [ZONE_POLICY_ANNOTATION]: policy } }, spec: { namespace: SHARED, primary: { replicas: 1 } } });
    // The tenant asks first: upstream's oldest-wins alone would hand it the name.
    await admin.create(`${api(TENANT)}/dnszones`, zone(TENANT, 'grab', SHARED_NAME, { clusterRef: PROVIDER }));
    await admin.create(`${api(TENANT)}/arecords`, www(TENANT, 'grab', '192.0.2.66'));
    await eventually(async () => expect(await readyOf(admin, TENANT, 'grab')).toMatchObject({ status: 'False', reason: 'ZoneNotAllowed' }), 30_000);
    await admin.create(`${api(OWNER)}/dnszones`, zone(OWNER, 'mine', SHARED_NAME, { clusterRef: PROVIDER }));
    await admin.create(`${api(OWNER)}/arecords`, www(OWNER, 'mine', '192.0.2.73'));
    const pod = await podOf(SHARED, `${PROVIDER}-primary-0`);
    await eventually(() => expect(dig(pod, `www.${SHARED_NAME}`, 'A')).toBe('192.0.2.73'), 60_000);
    await eventually(async () => expect(await readyOf(admin, OWNER, 'mine')).toMatchObject({ status: 'True', reason: 'Synced' }), 20_000);
    const shared = `${SHARED}/${PROVIDER}-primary-0`;
    await eventually(async () =>
      expect((await readyOf(admin, TENANT, 'grab'))?.message).toBe(
        `namespace ${TENANT} may not serve ${SHARED_NAME} on the instances of ClusterBind9Provider ${PROVIDER}: its annotation ${ZONE_POLICY_ANNOTATION} allows ${TENANT} only tenant-${SUFFIX}.test and their subdomains; DNSZone ${OWNER}/mine serves it on Bind9Instance ${shared}`,
      ),
    20_000);
    // A second claim from the allowed namespace is a DuplicateZone naming the owner; nothing changes for the owner.
    await admin.create(`${api(OWNER)}/dnszones`, zone(OWNER, 'mine-again', SHARED_NAME, { clusterRef: PROVIDER }));
    await admin.create(`${api(OWNER)}/arecords`, www(OWNER, 'mine-again', '192.0.2.74'));
    await eventually(async () => expect(await readyOf(admin, OWNER, 'mine-again')).toMatchObject({ status: 'False', reason: 'DuplicateZone', message: expect.stringContaining(`on Bind9Instance ${shared} is already served by DNSZone ${OWNER}/mine`) }), 30_000);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(dig(pod, `www.${SHARED_NAME}`, 'A')).toBe('192.0.2.73');
    expect(await readyOf(admin, OWNER, 'mine')).toMatchObject({ status: 'True', reason: 'Synced' });
  }, 180_000);
});
