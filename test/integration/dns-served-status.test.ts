/**
 * What the status says is what named serves (issue 14), end to end: real apiserver, the
 * controllers, a real named + agent per pod. Records named would refuse are left out with a
 * reason while the rest of the zone keeps updating, and every status serial equals `dig`'s.
 */
import type { KubeClient } from '../../src/kube/api-client.js';
import { dig, eventually, type Harness, holdLease, prepareDnsTest, startHarness, stopDnsTest } from './dns-support.js';

const NS = 'dns-served';
const LEASE = 'bindy-dns-served';
const API = `/apis/bindy.firestoned.io/v1beta1/namespaces/${NS}`;
const ZONE = 'served.test';
const KIND: Record<string, string> = { arecords: 'ARecord', txtrecords: 'TXTRecord', nsrecords: 'NSRecord', cnamerecords: 'CNAMERecord' };

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}
interface Obj {
  status?: { serial?: number; syncedSerial?: number; pods?: Array<{ pod: string; servedSerial?: number; error?: string }>; conditions?: Condition[] };
}
const ready = (o: Obj) => o.status?.conditions?.find((c) => c.type === 'Ready');

/** record makes a record the zone "served" selects by its label. */
function record(plural: string, name: string, spec: Record<string, unknown>) {
  return { apiVersion: 'bindy.firestoned.io/v1beta1', kind: KIND[plural], metadata: { name, namespace: NS, labels: { zone: 'served' } }, spec };
}

/** zone is served by the instances labelled dns=served and takes the records labelled zone=<name>. */
function zone(name: string, zoneName: string, adminEmail: string) {
  return {
    apiVersion: 'bindy.firestoned.io/v1beta1',
    kind: 'DNSZone',
    metadata: { name, namespace: NS },
    spec: {
      zoneName,
      bind9InstancesFrom: [{ selector: { matchLabels: { dns: 'served' } } }],
      recordsFrom: [{ selector: { matchLabels: { zone: name } } }],
      ttl: 60,
      soaRecord: { primaryNs: `ns1.${ZONE}.`, adminEmail, serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 },
    },
  };
}

describe('status equals what named serves (real apiserver, real named)', () => {
  let admin: KubeClient;
  let harness: Harness;
  let pod = '';
  let unlock: () => void = () => undefined;
  const servedSerial = () => Number(dig(pod, ZONE, 'SOA').split(/\s+/)[2]);
  const get = (path: string) => admin.get<Obj>(`${API}/${path}`);

  /** expectSynced waits until the zone is Synced and checks its serials against dig. */
  async function expectSynced(): Promise<number> {
    return eventually(async () => {
      const z = await get('dnszones/served');
      expect(ready(z)).toMatchObject({ status: 'True', reason: 'Synced' });
      const serial = servedSerial();
      expect(z.status?.serial).toBe(serial);
      expect(z.status?.syncedSerial).toBe(serial);
      expect(z.status?.pods).toEqual([{ pod: expect.stringContaining(pod), servedSerial: serial }]);
      return serial;
    }, 30_000);
  }

  async function expectRefused(path: string, reason: string, mentions: RegExp): Promise<void> {
    await eventually(async () => {
      const r = ready(await get(path));
      expect(r).toMatchObject({ status: 'False', reason });
      expect(r?.message).toMatch(mentions);
    }, 20_000);
  }

  beforeAll(async () => {
    ({ admin, unlock } = await prepareDnsTest(NS));
    harness = await startHarness(admin, await holdLease(admin, LEASE, 'served-operator', 2), LEASE, 120, NS);
    await admin.create(`${API}/bind9instances`, { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'Bind9Instance', metadata: { name: 'dns', namespace: NS, labels: { dns: 'served' } }, spec: { clusterRef: 'served', role: 'primary', replicas: 1 } });
    await admin.create(`${API}/dnszones`, zone('served', ZONE, `hostmaster.${ZONE}.`));
    await admin.create(`${API}/arecords`, record('arecords', 'ns1', { name: 'ns1', ipv4Addresses: ['192.0.2.53'] }));
    await admin.create(`${API}/arecords`, record('arecords', 'www', { name: 'www', ipv4Addresses: ['192.0.2.10'] }));
    pod = await eventually(() => {
      const address = harness.node.runtimes()[0]?.address;
      if (!address) throw new Error('no pod running');
      return address;
    }, 120_000);
  }, 240_000);

  afterAll(async () => {
    await stopDnsTest({ admin, unlock, harness }, API, [`${API}/dnszones/served`, `${API}/dnszones/long-mailbox`, `${API}/bind9instances/dns`], 15_000);
  }, 60_000);

  it('reports the serial each pod serves, and a record Ready only once it is served', async () => {
    await eventually(() => expect(dig(pod, `www.${ZONE}`, 'A')).toBe('192.0.2.10'), 30_000);
    const serial = await expectSynced();
    await eventually(async () => expect(ready(await get('arecords/www'))).toMatchObject({ status: 'True', reason: 'Attached', message: expect.stringContaining(`serial ${serial}`) }), 15_000);
  }, 60_000);

  it('leaves out an A record named my_host (check-names) with a reason, and keeps serving and updating the zone', async () => {
    await admin.create(`${API}/arecords`, record('arecords', 'underscore', { name: 'my_host', ipv4Addresses: ['192.0.2.66', '192.0.2.67'] }));
    await expectRefused('arecords/underscore', 'CheckNames', /my_host\.served\.test.*check-names/);
    await admin.create(`${API}/arecords`, record('arecords', 'after', { name: 'after', ipv4Addresses: ['192.0.2.20'] }));
    await eventually(() => expect(dig(pod, `after.${ZONE}`, 'A')).toBe('192.0.2.20'), 20_000);
    expect(dig(pod, `my_host.${ZONE}`, 'A')).toBe('');
    const serial = await expectSynced();
    await eventually(async () => expect(ready(await get('arecords/after'))).toMatchObject({ status: 'True', message: expect.stringContaining(`serial ${serial}`) }), 15_000);
    expect(ready(await get('arecords/underscore'))).toMatchObject({ status: 'False', reason: 'CheckNames' });
  }, 60_000);

  it.each<[string, string, Record<string, unknown>, string, RegExp]>([
    ['a TXT record over 64 KiB', 'txtrecords', { name: 'big', text: Array.from({ length: 17 }, () => 'x'.repeat(4000)) }, 'TXTTooLarge', /65535/],
    ['an owner name over 255 octets', 'txtrecords', { name: ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(55)].join('.'), text: ['x'] }, 'NameTooLong', /octets on the wire/],
    ['an apex NS to an in-zone name without address', 'nsrecords', { name: '@', nameserver: `ns9.${ZONE}` }, 'NSTargetWithoutAddress', /ns9\.served\.test/],
  ])('leaves out %s; the zone keeps serving and its serial equals dig', async (_, plural, spec, reason, mentions) => {
    const name = `bad-${reason.toLowerCase()}`;
    await admin.create(`${API}/${plural}`, record(plural, name, spec));
    await expectRefused(`${plural}/${name}`, reason, mentions);
    const marker = `m-${reason.toLowerCase()}`;
    await admin.create(`${API}/arecords`, record('arecords', marker, { name: marker, ipv4Addresses: ['192.0.2.30'] }));
    await eventually(() => expect(dig(pod, `${marker}.${ZONE}`, 'A')).toBe('192.0.2.30'), 20_000);
    await expectSynced();
  }, 60_000);

  it('leaves out an NS pointing at a CNAME, keeping the CNAME', async () => {
    await admin.create(`${API}/cnamerecords`, record('cnamerecords', 'alias', { name: 'alias', target: `www.${ZONE}` }));
    await admin.create(`${API}/nsrecords`, record('nsrecords', 'ns-to-cname', { name: 'deleg', nameserver: `alias.${ZONE}` }));
    await expectRefused('nsrecords/ns-to-cname', 'NSTargetIsCNAME', /alias\.served\.test/);
    await eventually(() => expect(dig(pod, `alias.${ZONE}`, 'CNAME')).toBe(`www.${ZONE}.`), 20_000);
    expect(dig(pod, `deleg.${ZONE}`, 'NS')).toBe('');
    await expectSynced();
  }, 60_000);

  it('rejects an SOA mailbox named cannot hold at the DNSZone, pushing nothing', async () => {
    // A label over 63 octets never gets this far: upstream's schema (kept exactly) refuses it.
    const longLabel = zone('long-label', 'mailbox.test', `${'m'.repeat(70)}.mailbox.test.`);
    await expect(admin.create(`${API}/dnszones`, longLabel)).rejects.toThrow(/adminEmail/);
    // A name of short labels that is over 255 octets on the wire passes the schema; named would refuse it.
    const longName = `${Array.from({ length: 5 }, (_, i) => `${String.fromCharCode(97 + i)}`.repeat(60)).join('.')}.mailbox.test.`;
    await admin.create(`${API}/dnszones`, zone('long-mailbox', 'mailbox.test', longName));
    await eventually(async () => {
      const r = ready(await admin.get<Obj>(`${API}/dnszones/long-mailbox`));
      expect(r).toMatchObject({ status: 'False', reason: 'InvalidAdminEmail' });
      expect(r?.message).toMatch(/octets on the wire/);
    }, 20_000);
    expect(dig(pod, 'mailbox.test', 'SOA', true)).toMatch(/REFUSED/);
    expect(ready(await get('dnszones/served'))).toMatchObject({ status: 'True', reason: 'Synced' });
  }, 60_000);
});
