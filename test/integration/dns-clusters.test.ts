/**
 * Upstream's infrastructure kinds against a real apiserver and real named: a Bind9Cluster owns a
 * primary and two secondaries; a DNSZone served by clusterRef reaches the primary's named; a
 * ClusterBind9Provider owns a Bind9Cluster in its namespace whose instances serve zones naming
 * the provider. Secondaries get the zone only by zone transfer (NOTIFY + AXFR/IXFR) from the
 * primary's named: their agents are told the primaries, never sent zone data.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeClient } from '../../src/kube/api-client.js';
import { dig, eventually, type Harness, holdLease, prepareDnsTest, startHarness, stopDnsTest } from './dns-support.js';

const NS = 'dns-clusters';
const LEASE = 'bindy-dns-clusters';
const B = 'bindy.firestoned.io/v1beta1';
const API = `/apis/${B}/namespaces/${NS}`;
const PROVIDER = `prov-${randomBytes(3).toString('hex')}`;
const SOA = { primaryNs: 'ns0.dns.example.', adminEmail: 'admin.corp.test.', serial: 2026010100, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 };

interface Obj {
  metadata: { name: string; labels?: Record<string, string>; ownerReferences?: Array<{ kind: string; name: string }> };
  spec: Record<string, unknown>;
  status?: { conditions?: Array<{ type: string; status: string; reason: string; message: string }>; [k: string]: unknown };
}
const ready = (o: Obj) => o.status?.conditions?.find((c) => c.type === 'Ready');

function zone(name: string, zoneName: string, clusterRef: string) {
  return { apiVersion: B, kind: 'DNSZone', metadata: { name, namespace: NS }, spec: { zoneName, clusterRef, soaRecord: SOA, nameServers: [{ hostname: `ns1.${zoneName}.`, ipv4Address: '192.0.2.53' }], recordsFrom: [{ selector: { matchLabels: { zone: name } } }] } };
}

function aRecord(name: string, zoneLabel: string, addresses: string[]) {
  return { apiVersion: B, kind: 'ARecord', metadata: { name, namespace: NS, labels: { zone: zoneLabel } }, spec: { name: 'www', ipv4Addresses: addresses } };
}

describe('Bind9Cluster and ClusterBind9Provider (real apiserver, real named)', () => {
  let admin: KubeClient;
  let harness: Harness;
  let unlock: () => void = () => undefined;

  beforeAll(async () => {
    ({ admin, unlock } = await prepareDnsTest(NS));
    harness = await startHarness(admin, await holdLease(admin, LEASE, 'clusters-operator', 2), LEASE, 120, NS);
  }, 240_000);

  afterAll(async () => {
    await admin.delete(`/apis/${B}/clusterbind9providers/${PROVIDER}`).catch(() => undefined);
    await stopDnsTest({ admin, unlock, harness }, API, [`${API}/dnszones/corp`, `${API}/dnszones/signed`, `${API}/dnszones/custom`, `${API}/dnszones/unknown`, `${API}/bind9instances/signer`, `${API}/dnszones/shared`, `${API}/bind9clusters/corp`], 20_000);
  }, 60_000);

  it('creates and owns a primary and two secondaries; a zone by clusterRef reaches the secondaries only by zone transfer, a change within seconds', async () => {
    await admin.create(`${API}/bind9clusters`, { apiVersion: B, kind: 'Bind9Cluster', metadata: { name: 'corp', namespace: NS }, spec: { primary: { replicas: 1, labels: { tier: 'edge' } }, secondary: { replicas: 2 }, global: { recursion: false } } });
    const instances = await eventually(async () => {
      const list = await admin.get<{ items: Obj[] }>(`${API}/bind9instances`);
      expect(list.items.map((i) => i.metadata.name).sort()).toEqual(['corp-primary-0', 'corp-secondary-0', 'corp-secondary-1']);
      return list.items;
    }, 20_000);
    const primary = instances.find((i) => i.metadata.name === 'corp-primary-0')!;
    expect(primary.spec).toMatchObject({ clusterRef: 'corp', role: 'primary', replicas: 1, config: { recursion: false } });
    expect(primary.metadata.labels).toMatchObject({ tier: 'edge', 'bindy.firestoned.io/role': 'primary', 'bindy.firestoned.io/cluster': 'corp' });
    expect(primary.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Bind9Cluster', name: 'corp' })]);

    await admin.create(`${API}/dnszones`, zone('corp', 'corp.test', 'corp'));
    await admin.create(`${API}/arecords`, aRecord('corp-www', 'corp', ['192.0.2.31', '192.0.2.32']));
    const podOf = (name: string) => harness.node.runtimes().find((rt) => rt.key.includes(`/${name}-`));
    const [primary0, secondary0, secondary1] = await eventually(() => {
      const rts = ['corp-primary-0', 'corp-secondary-0', 'corp-secondary-1'].map(podOf);
      if (rts.some((rt) => rt === undefined)) throw new Error('pods not running yet');
      return rts.map((rt) => rt!);
    }, 30_000);
    const pod = primary0!.address;
    await eventually(() => expect(dig(pod, 'www.corp.test', 'A').split('\n').sort()).toEqual(['192.0.2.31', '192.0.2.32']), 30_000);
    // soaRecord.serial is the floor: the first serial served, then +1 per change (the record arrived after the zone).
    const serialOf = (address: string) => Number(dig(address, 'corp.test', 'SOA').split(' ')[2]);
    const z = await eventually(async () => {
      const got = await admin.get<Obj>(`${API}/dnszones/corp`);
      expect(ready(got)).toMatchObject({ status: 'True', reason: 'Synced', message: expect.stringMatching(/3 pod\(s\) \(2 by zone transfer\)/) });
      expect(got.status?.serial).toBe(serialOf(pod));
      return got;
    }, 30_000);
    const serial = serialOf(pod);
    expect(serial).toBeGreaterThanOrEqual(2026010100);
    expect(serial).toBeLessThan(2026010110);
    expect(z.status).toMatchObject({ recordsCount: 1, bind9InstancesCount: 3, syncedSerial: serial });
    expect((z.status?.bind9Instances as Array<{ name: string; status: string }>).map((i) => `${i.name}=${i.status}`).sort()).toEqual(['corp-primary-0=Configured', 'corp-secondary-0=Configured', 'corp-secondary-1=Configured']);
    expect((z.status?.pods as Array<{ servedSerial: number }>).map((p) => p.servedSerial)).toEqual([serial, serial, serial]);
    for (const secondary of [secondary0!, secondary1!]) {
      expect(serialOf(secondary.address)).toBe(serial);
      expect(dig(secondary.address, 'www.corp.test', 'A').split('\n').sort()).toEqual(['192.0.2.31', '192.0.2.32']);
      // The data came by zone transfer from the primary's named; the agent only holds the primaries.
      expect(readFileSync(join(secondary.files.root, 'named.log'), 'utf8')).toMatch(new RegExp(`transfer of 'corp\\.test/IN' from ${pod.replaceAll('.', '\\.')}#53: Transfer completed`));
      expect(JSON.parse(readFileSync(join(secondary.files.data, 'bindy', 'secondary', 'corp.test.json'), 'utf8'))).toEqual({ primaries: [pod] });
    }
    // The secondary's agent never received a zone-file PUT: it stores no zone file at all.
    for (const secondary of [secondary0!, secondary1!]) {
      const zonesDir = join(secondary.files.data, 'bindy', 'zones');
      expect(existsSync(zonesDir) ? readdirSync(zonesDir) : []).toEqual([]);
    }
    await eventually(async () => {
      expect(ready(await admin.get<Obj>(`${API}/bind9instances/corp-secondary-0`))).toMatchObject({ status: 'True', reason: 'AllReplicasReady' });
      expect((await admin.get<Obj>(`${API}/bind9instances/corp-secondary-0`)).status).toMatchObject({ zonesCount: 1, zones: [{ name: 'corp', zoneName: 'corp.test' }] });
      expect((await admin.get<Obj>(`${API}/bind9instances/corp-primary-0`)).status).toMatchObject({ clusterRef: { kind: 'Bind9Cluster', name: 'corp', namespace: NS }, zonesCount: 1, zones: [{ name: 'corp', zoneName: 'corp.test' }] });
      expect((await admin.get<Obj>(`${API}/bind9clusters/corp`)).status).toMatchObject({ instanceCount: 3, instances: ['corp-primary-0', 'corp-secondary-0', 'corp-secondary-1'] });
    }, 15_000);

    // A record change reaches the secondaries by NOTIFY + transfer within seconds.
    await admin.mergePatch(`${API}/arecords/corp-www`, { spec: { ipv4Addresses: ['192.0.2.33'] } });
    const changedAt = Date.now();
    await eventually(() => expect(dig(pod, 'www.corp.test', 'A')).toBe('192.0.2.33'), 10_000, 50);
    const primaryMs = Date.now() - changedAt;
    await eventually(() => {
      for (const secondary of [secondary0!, secondary1!]) {
        expect(dig(secondary.address, 'www.corp.test', 'A')).toBe('192.0.2.33');
        expect(serialOf(secondary.address)).toBe(serial + 1);
      }
    }, 10_000, 50);
    harness.log.info({ primaryMs, secondariesMs: Date.now() - changedAt }, 'secondaries serve the changed record');
    await eventually(async () => expect(ready(await admin.get<Obj>(`${API}/dnszones/corp`))).toMatchObject({ status: 'True', reason: 'Synced', message: expect.stringMatching(new RegExp(`serial ${serial + 1} served by 3`)) }), 15_000);
  }, 120_000);

  it('scales the cluster down by deleting the instances it made', async () => {
    await admin.mergePatch(`${API}/bind9clusters/corp`, { spec: { secondary: { replicas: 1 } } });
    await eventually(async () => {
      const list = await admin.get<{ items: Obj[] }>(`${API}/bind9instances`);
      expect(list.items.map((i) => i.metadata.name).sort()).toEqual(['corp-primary-0', 'corp-secondary-0']);
    }, 20_000);
  }, 60_000);

  it('signs a zone with dnssecPolicy "default": the primary answers with RRSIGs from real named, the secondary serves the signed zone it transferred', async () => {
    await admin.create(`${API}/dnszones`, { ...zone('signed', 'signed.test', 'corp'), spec: { ...zone('signed', 'signed.test', 'corp').spec, dnssecPolicy: 'default' } });
    await admin.create(`${API}/arecords`, aRecord('signed-www', 'signed', ['192.0.2.51']));
    const [primary, secondary] = ['corp-primary-0', 'corp-secondary-0'].map((name) => harness.node.runtimes().find((rt) => rt.key.includes(`/${name}-`))!.address);
    const signedAnswer = (server: string) =>
      execFileSync('dig', [`@${server}`, '+norec', '+dnssec', '+time=1', '+tries=2', 'www.signed.test', 'A'], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => /^www\.signed\.test\.\s/.test(l));
    await eventually(async () => {
      const z = await admin.get<Obj>(`${API}/dnszones/signed`);
      expect(ready(z)).toMatchObject({ status: 'True', reason: 'Synced' });
      expect(z.status).toMatchObject({ dnssec: { signed: true, algorithm: 'ECDSAP256SHA256', dsRecords: [expect.stringMatching(/^signed\.test\. IN DS \d+ 13 2 [0-9A-F]{64}$/)] } });
    }, 30_000);
    // The DS names the key named signs the zone's DNSKEY set with (the CSK of "default").
    const keyTag = ((await admin.get<Obj>(`${API}/dnszones/signed`)).status?.dnssec as { keyTag: number }).keyTag;
    expect(execFileSync('dig', [`@${harness.node.runtimes().find((rt) => rt.key.includes('/corp-primary-0-'))!.address}`, '+norec', '+multiline', 'signed.test', 'DNSKEY'], { encoding: 'utf8' })).toContain(`key id = ${keyTag}`);
    for (const server of [primary, secondary]) {
      await eventually(() => {
        const lines = signedAnswer(server!);
        expect(lines.some((l) => /\sA\s+192\.0\.2\.51$/.test(l))).toBe(true);
        expect(lines.some((l) => /\sRRSIG\s+A 13 3 /.test(l))).toBe(true);
      }, 15_000);
      expect(dig(server!, 'signed.test', 'DNSKEY')).toMatch(/^257 3 13 /m);
    }
  }, 90_000);

  it('signs with a custom policy from an instance\'s config.dnssec.signing (NSEC3), and names the primaries that lack it', async () => {
    const signing = { enabled: true, policy: 'corp-nsec3', algorithm: 'ECDSAP256SHA256', kskLifetime: 'unlimited', zskLifetime: '90d', nsec3: true, nsec3Iterations: 0 };
    await admin.create(`${API}/bind9instances`, { apiVersion: B, kind: 'Bind9Instance', metadata: { name: 'signer', namespace: NS, labels: { signer: 'yes' } }, spec: { clusterRef: 'none', role: 'primary', config: { dnssec: { signing } } } });
    const custom = (name: string, zoneName: string, policy: string) => ({ ...zone(name, zoneName, 'none'), spec: { ...zone(name, zoneName, 'none').spec, clusterRef: undefined, bind9InstancesFrom: [{ selector: { matchLabels: { signer: 'yes' } } }], dnssecPolicy: policy } });
    await admin.create(`${API}/dnszones`, custom('custom', 'custom.test', 'corp-nsec3'));
    await admin.create(`${API}/dnszones`, custom('unknown', 'unknown.test', 'other-policy'));
    await eventually(async () => expect(ready(await admin.get<Obj>(`${API}/dnszones/custom`))).toMatchObject({ status: 'True', reason: 'Synced' }), 40_000);
    const pod = harness.node.runtimes().find((rt) => rt.key.includes('/signer-'))!.address;
    await eventually(() => {
      // NSEC3 with 0 iterations and a 16-octet salt, as the policy says.
      expect(dig(pod, 'custom.test', 'NSEC3PARAM')).toMatch(/^1 0 0 [0-9A-F]{32}$/);
      expect(dig(pod, 'custom.test', 'DNSKEY').split('\n').map((k) => k.split(' ')[0]).sort()).toEqual(['256', '257']);
    }, 15_000);
    expect(ready(await admin.get<Obj>(`${API}/dnszones/unknown`))).toMatchObject({ status: 'False', reason: 'UnknownDnssecPolicy', message: expect.stringMatching(new RegExp(`"other-policy" is neither built into named .* ${NS}/signer`)) });
    expect(dig(pod, 'unknown.test', 'SOA')).toBe('');
  }, 90_000);

  it('a ClusterBind9Provider owns a Bind9Cluster in its namespace; a zone naming the provider is served', async () => {
    await admin.create(`/apis/${B}/clusterbind9providers`, { apiVersion: B, kind: 'ClusterBind9Provider', metadata: { name: PROVIDER }, spec: { namespace: NS, primary: { replicas: 1 } } });
    const cluster = await eventually(() => admin.get<Obj>(`${API}/bind9clusters/${PROVIDER}`), 20_000);
    expect(cluster.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'ClusterBind9Provider', name: PROVIDER })]);
    await admin.create(`${API}/dnszones`, zone('shared', 'shared.test', PROVIDER));
    await admin.create(`${API}/arecords`, aRecord('shared-www', 'shared', ['192.0.2.41']));
    const pod = await eventually(() => harness.node.runtimes().find((rt) => rt.key.includes(`${PROVIDER}-primary-0`))?.address ?? Promise.reject(new Error('no provider pod')), 30_000);
    await eventually(() => expect(dig(pod, 'www.shared.test', 'A')).toBe('192.0.2.41'), 30_000);
    await eventually(async () => expect((await admin.get<Obj>(`/apis/${B}/clusterbind9providers/${PROVIDER}`)).status).toMatchObject({ instanceCount: 1, instances: [`${PROVIDER}-primary-0`] }), 20_000);
  }, 120_000);
});
