/**
 * The DNS data path end to end: real apiserver + controller-manager, the controllers, and a real
 * named + agent per pod (testbed/node). Resources in, `dig` answers out.
 */
import { crossNamespaceName } from '../../src/controllers/bind9-resources.js';
import type { Bind9Instance } from '../../src/crds/types.js';
import type { KubeClient } from '../../src/kube/api-client.js';
import { dig, eventually, type Harness, holdLease, prepareDnsTest, startHarness, stopDnsTest } from './dns-support.js';

const NS = 'dns-e2e';
const LEASE = 'bindy-dns-e2e';
const API = '/apis/bindy.firestoned.io/v1beta1/namespaces/dns-e2e';
const ZONE = 'e2e.test';

const records: Array<[string, string, Record<string, unknown>]> = [
  ['arecords', 'www', { name: 'www', ipv4Addresses: ['192.0.2.10'] }],
  ['arecords', 'ns1', { name: 'ns1', ipv4Addresses: ['192.0.2.53'] }],
  ['arecords', 'rr', { name: 'rr', ipv4Addresses: ['192.0.2.21', '192.0.2.20', '192.0.2.22'] }],
  ['aaaarecords', 'www6', { name: 'www', ipv6Addresses: ['2001:db8::10'] }],
  ['cnamerecords', 'blog', { name: 'blog', target: 'www.e2e.test' }],
  ['mxrecords', 'mx', { name: '@', priority: 10, mailServer: 'mail.e2e.test' }],
  ['txtrecords', 'spf', { name: '@', text: ['v=spf1 -all'] }],
  ['nsrecords', 'sub', { name: 'sub', nameserver: 'ns.other.example' }],
  ['srvrecords', 'sip', { name: '_sip._tcp', priority: 1, weight: 5, port: 5060, target: 'sip.e2e.test' }],
  ['caarecords', 'caa', { name: '@', flags: 0, tag: 'issue', value: 'letsencrypt.org' }],
];

const kindOf = (plural: string) => ({ arecords: 'ARecord', aaaarecords: 'AAAARecord', cnamerecords: 'CNAMERecord', mxrecords: 'MXRecord', txtrecords: 'TXTRecord', nsrecords: 'NSRecord', srvrecords: 'SRVRecord', caarecords: 'CAARecord' })[plural];

/** record makes a record the zone selects by label (one kind by matchExpressions, the rest by matchLabels). */
function record(plural: string, name: string, spec: Record<string, unknown>) {
  const labels = plural === 'caarecords' ? { team: 'e2e-security' } : { zone: 'e2e' };
  return { apiVersion: 'bindy.firestoned.io/v1beta1', kind: kindOf(plural), metadata: { name, namespace: NS, labels }, spec };
}

function zone(name: string, zoneName = ZONE) {
  return {
    apiVersion: 'bindy.firestoned.io/v1beta1',
    kind: 'DNSZone',
    metadata: { name, namespace: NS },
    spec: {
      zoneName,
      clusterRef: 'e2e',
      recordsFrom: [{ selector: { matchLabels: { zone: 'e2e' } } }, { selector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['e2e-security'] }] } }],
      ttl: 60,
      soaRecord: { primaryNs: 'ns1.e2e.test.', adminEmail: 'hostmaster.e2e.test.', serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 },
      nameServers: [{ hostname: 'ns2.e2e.test.', ipv4Address: '192.0.2.54' }],
    },
  };
}

interface Status {
  status?: { serial?: number; conditions?: Array<{ type: string; status: string; reason: string; message: string }> };
}
const ready = (o: Status) => o.status?.conditions?.find((c) => c.type === 'Ready');

describe('DNS data path (real apiserver, real named)', () => {
  let admin: KubeClient;
  let harness: Harness;
  let pod = '';
  let unlock: () => void = () => undefined;

  beforeAll(async () => {
    ({ admin, unlock } = await prepareDnsTest(NS));
    const leadership = await holdLease(admin, LEASE, 'e2e-operator', 3);
    harness = await startHarness(admin, leadership, LEASE, 30, NS);
  }, 240_000);

  afterAll(async () => {
    await stopDnsTest({ admin, unlock, harness }, API, [`${API}/dnszones/e2e`, `${API}/dnszones/e2e-dup`, `${API}/bind9instances/dns`], 15_000);
  }, 60_000);

  it('serves one record of every kind from the pods of a Bind9Instance', async () => {
    await admin.create(`${API}/bind9instances`, { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'Bind9Instance', metadata: { name: 'dns', namespace: NS }, spec: { clusterRef: 'e2e', role: 'primary', replicas: 2 } });
    await admin.create(`${API}/dnszones`, zone('e2e'));
    for (const [plural, name, spec] of records) await admin.create(`${API}/${plural}`, record(plural, name, spec));
    const pods = await eventually(() => {
      const running = harness.node.runtimes().map((rt) => rt.address);
      if (running.length < 2) throw new Error(`${running.length}/2 pods running`);
      return running;
    }, 30_000);
    pod = pods[0]!;
    // Records arrive one by one; the zone converges on all of them.
    await eventually(() => {
      expect(dig(pod, `www.${ZONE}`, 'A')).toBe('192.0.2.10');
      expect(dig(pod, `www.${ZONE}`, 'AAAA')).toBe('2001:db8::10');
      expect(dig(pod, `blog.${ZONE}`, 'CNAME')).toBe('www.e2e.test.');
      expect(dig(pod, ZONE, 'MX')).toBe('10 mail.e2e.test.');
      expect(dig(pod, ZONE, 'TXT')).toBe('"v=spf1 -all"');
      expect(dig(pod, `sub.${ZONE}`, 'NS', true)).toMatch(/sub\.e2e\.test\.\s+\d+\s+IN\s+NS\s+ns\.other\.example\./);
      expect(dig(pod, `_sip._tcp.${ZONE}`, 'SRV')).toBe('1 5 5060 sip.e2e.test.');
      expect(dig(pod, ZONE, 'CAA')).toBe('0 issue "letsencrypt.org"');
      expect(dig(pod, `rr.${ZONE}`, 'A').split('\n').sort()).toEqual(['192.0.2.20', '192.0.2.21', '192.0.2.22']);
      expect(dig(pod, ZONE, 'NS').split('\n').sort()).toEqual(['ns1.e2e.test.', 'ns2.e2e.test.']);
      expect(dig(pod, `ns2.${ZONE}`, 'A')).toBe('192.0.2.54');
    }, 30_000);
    await eventually(() => expect(dig(pods[1]!, ZONE, 'CAA')).toBe('0 issue "letsencrypt.org"'), 15_000);
    await eventually(async () => expect(ready(await admin.get<Status>(`${API}/dnszones/e2e`))).toMatchObject({ status: 'True', reason: 'Synced', message: expect.stringMatching(/by 2 pod/) }), 15_000);
    await eventually(async () => expect(ready(await admin.get<Status>(`${API}/bind9instances/dns`))).toMatchObject({ status: 'True', message: '2/2 named pods ready' }), 15_000);
    await eventually(async () => expect(ready(await admin.get<Status>(`${API}/caarecords/caa`))).toMatchObject({ status: 'True', reason: 'Attached' }), 15_000);
    const z = await admin.get<{ status: { recordsCount?: number; bind9InstancesCount?: number } }>(`${API}/dnszones/e2e`);
    expect(z.status).toMatchObject({ recordsCount: records.length, bind9InstancesCount: 1 });
    const rr = await admin.get<{ status: { addresses?: string; zoneRef?: { zoneName: string } } }>(`${API}/arecords/rr`);
    expect(rr.status).toMatchObject({ addresses: '192.0.2.21,192.0.2.20,192.0.2.22', zoneRef: { zoneName: ZONE } });
  }, 90_000);

  it('propagates an update and a delete, with a higher serial each time', async () => {
    const before = (await admin.get<Status>(`${API}/dnszones/e2e`)).status?.serial ?? 0;
    const started = Date.now();
    await admin.mergePatch(`${API}/arecords/www`, { spec: { ipv4Addresses: ['192.0.2.11'] } });
    await eventually(() => expect(dig(pod, `www.${ZONE}`, 'A')).toBe('192.0.2.11'), 20_000, 20);
    process.stderr.write(`record update → served by named: ${Date.now() - started} ms\n`);
    await admin.delete(`${API}/srvrecords/sip`);
    await eventually(() => expect(dig(pod, `_sip._tcp.${ZONE}`, 'SRV')).toBe(''), 20_000);
    const after = (await admin.get<Status>(`${API}/dnszones/e2e`)).status?.serial ?? 0;
    expect(after).toBeGreaterThanOrEqual(before + 2);
    expect(dig(pod, ZONE, 'SOA')).toContain(` ${after} `);
  }, 60_000);

  it('reports an invalid record as Ready=False with what to fix, and keeps serving the zone', async () => {
    // These pass the CRD schema and are caught by the zone rules.
    await admin.create(`${API}/cnamerecords`, record('cnamerecords', 'clash', { name: 'www', target: 'elsewhere.example' }));
    await admin.create(`${API}/cnamerecords`, record('cnamerecords', 'apex', { name: '@', target: 'elsewhere.example' }));
    const clash = await eventually(async () => {
      const r = ready(await admin.get<Status>(`${API}/cnamerecords/clash`));
      expect(r).toMatchObject({ status: 'False', reason: 'CNAMEConflict' });
      return r;
    }, 20_000);
    expect(clash?.message).toMatch(/ARecord\/dns-e2e\/www/);
    await eventually(async () => expect(ready(await admin.get<Status>(`${API}/cnamerecords/apex`))).toMatchObject({ status: 'False', reason: 'CNAMEAtApex' }), 20_000);
    expect(dig(pod, `www.${ZONE}`, 'A')).toBe('192.0.2.11');
    expect(dig(pod, `www.${ZONE}`, 'CNAME')).toBe('');
    await eventually(async () => expect(ready(await admin.get<Status>(`${API}/dnszones/e2e`))).toMatchObject({ status: 'True', message: expect.stringMatching(/2 invalid record/) }), 10_000);
  }, 60_000);

  it('gives a second DNSZone with the same zoneName Ready=False DuplicateZone', async () => {
    await admin.create(`${API}/dnszones`, zone('e2e-dup'));
    await eventually(async () => expect(ready(await admin.get<Status>(`${API}/dnszones/e2e-dup`))).toMatchObject({ status: 'False', reason: 'DuplicateZone' }), 20_000);
    expect(ready(await admin.get<Status>(`${API}/dnszones/e2e`))).toMatchObject({ status: 'True' });
    await admin.delete(`${API}/dnszones/e2e-dup`);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(dig(pod, `www.${ZONE}`, 'A')).toBe('192.0.2.11'); // deleting the loser never unserves the winner
  }, 60_000);

  it('refills a pod whose named and agent restarted on an empty disk', async () => {
    const rt = harness.node.runtimes()[0];
    if (!rt) throw new Error('no pod');
    await harness.node.restartPod(rt.key, true);
    expect(dig(pod, `www.${ZONE}`, 'A', true)).toMatch(/REFUSED|SERVFAIL|NXDOMAIN/);
    await eventually(() => expect(dig(pod, `www.${ZONE}`, 'A')).toBe('192.0.2.11'), 20_000);
  }, 60_000);

  it('removes the zone from BIND when its DNSZone is deleted', async () => {
    await admin.delete(`${API}/dnszones/e2e`);
    await eventually(() => expect(dig(pod, `www.${ZONE}`, 'A', true)).toMatch(/REFUSED/), 20_000);
    await eventually(async () => {
      await expect(admin.get(`${API}/dnszones/e2e`)).rejects.toMatchObject({ code: 404 });
    }, 10_000);
  }, 60_000);

  it('deleting the Bind9Instance removes its cross-namespace lease RBAC; owned objects are left to the garbage collector', async () => {
    const role = `/apis/rbac.authorization.k8s.io/v1/namespaces/dns-system/roles/${crossNamespaceName('bindy-lease-reader', { metadata: { name: 'dns', namespace: NS } } as Bind9Instance)}`;
    await admin.get(role); // made by the instance controller for the agents' Lease read
    const instance = await admin.get<{ metadata: { uid: string } }>(`${API}/bind9instances/dns`);
    const deployment = await admin.get<{ metadata: { ownerReferences?: Array<{ uid: string; controller?: boolean }> } }>(`/apis/apps/v1/namespaces/${NS}/deployments/dns`);
    expect(deployment.metadata.ownerReferences).toEqual([expect.objectContaining({ uid: instance.metadata.uid, controller: true })]);
    await admin.delete(`${API}/bind9instances/dns`);
    await eventually(async () => {
      await expect(admin.get(`${API}/bind9instances/dns`)).rejects.toMatchObject({ code: 404 });
      await expect(admin.get(role)).rejects.toMatchObject({ code: 404 });
    }, 15_000);
  }, 60_000);
});
