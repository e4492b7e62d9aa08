/**
 * The agent recovers without a human, against a real named and the test bed's real Lease: a
 * corrupt or deleted epoch file, a stored zone named refuses at resync, malformed or oversized
 * requests, scratch files left by a crash, and a reload named refuses. After each, what the
 * agent reports is what `dig` answers.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, type Agent } from 'node:https';
import { agentConnections } from '../../src/agent/tls.js';
import { agentTlsFixture } from '../support/agent-tls.js';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { AgentClient, StaleEpochError } from '../../src/agent/client.js';
import type { Epoch } from '../../src/agent/epoch.js';
import { runAgent, type RunningAgent } from '../../src/agent/main.js';
import { renderZone, type ZoneData } from '../../src/dns/zone.js';
import type { KubeClient } from '../../src/kube/api-client.js';
import { startLocalNamed, type LocalNamed } from '../support/local-named.js';
import { adminClient } from '../../testbed/state.js';

const PKI = agentTlsFixture();
const NS = 'dns-system';
const LEASE = 'bindy-agent-recovery-test';
const TOKEN = 'recovery-test-token';
const LEADER: Epoch = { holder: 'operator-b', transitions: 4 };
const DEPOSED: Epoch = { holder: 'operator-a', transitions: 3 };

function zoneText(zone: string, serial: number, extra: ZoneData['records'] = []): string {
  return renderZone(
    {
      zoneName: zone,
      ttl: 60,
      soa: { primaryNs: `ns1.${zone}`, adminEmail: `h@${zone}`, refresh: 60, retry: 60, expire: 600, negativeTtl: 60 },
      nameServers: [],
      records: [{ name: 'ns1', type: 'A', rdata: '192.0.2.53', source: 'ns1' }, { name: 'www', type: 'A', rdata: `192.0.2.${serial % 250}`, source: 'www' }, ...extra],
    },
    serial,
  );
}

async function setLease(client: KubeClient, epoch: Epoch | undefined): Promise<void> {
  const path = `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/${LEASE}`;
  await client.delete(path).catch(() => undefined);
  if (!epoch) return;
  const spec = { holderIdentity: epoch.holder, leaseTransitions: epoch.transitions, leaseDurationSeconds: 15 };
  await client.create(`/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: LEASE, namespace: NS }, spec });
}

/** logLines collects the agent's JSON log lines, to assert what it warned about. */
function logSink(): { lines: Array<{ level: number; msg: string; zone?: string; files?: string[] }>; stream: Writable } {
  const lines: Array<{ level: number; msg: string }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  });
  return { lines, stream };
}

describe('agent recovery (real named, real Lease)', () => {
  let client: KubeClient;
  let named: LocalNamed;
  let agent: RunningAgent | undefined;
  let sink = logSink();
  const dataDir = () => join(named.dataDir, 'bindy');
  const zonesDir = () => join(dataDir(), 'zones');
  const start = async () => {
    await agent?.close();
    sink = logSink();
    agent = await runAgent({
      listenHost: '127.0.0.1',
      port: 0,
      dataDir: dataDir(),
      token: () => TOKEN,
      tls: PKI.tls,
      rndc: named.rndc,
      lease: { client, namespace: NS, name: LEASE },
      log: pino({ level: 'debug' }, sink.stream),
      zoneOptions: { confirmMs: 1_500 },
    });
    return agent;
  };
  const api = () => new AgentClient('127.0.0.1', agent!.port, TOKEN, PKI.connection());

  beforeAll(async () => {
    client = adminClient();
    named = await startLocalNamed();
    await setLease(client, LEADER);
  });

  afterAll(async () => {
    await agent?.close();
    await named?.close();
    await setLease(client, undefined);
    client.close();
  });

  it('recovers a corrupt epoch file from the Lease without a restart, and still refuses the deposed leader', async () => {
    mkdirSync(dataDir(), { recursive: true });
    writeFileSync(join(dataDir(), 'epoch.json'), '{"holder":"operator-b","transi');
    await setLease(client, undefined); // no Lease can vouch for an epoch yet: writes must wait
    await start();
    await expect(api().put('a.test', zoneText('a.test', 1), LEADER)).rejects.toMatchObject({ status: 503 });
    await setLease(client, LEADER);
    expect(await api().put('a.test', zoneText('a.test', 1), LEADER)).toEqual({ name: 'a.test', serial: 1 });
    await expect(api().put('a.test', zoneText('a.test', 2), DEPOSED)).rejects.toBeInstanceOf(StaleEpochError);
    expect(named.soaSerial('a.test')).toBe(1);
    expect(JSON.parse(readFileSync(join(dataDir(), 'epoch.json'), 'utf8'))).toMatchObject({ holder: LEADER.holder, transitions: LEADER.transitions });
    expect(sink.lines.some((l) => l.level === 40 && /Corrupt epoch file replaced/.test(l.msg))).toBe(true);
  });

  it('re-adds every stored zone past one named refuses, warns about it and lists it as failed', async () => {
    for (const z of ['b.test', 'c.test']) await api().put(z, zoneText(z, 5), LEADER);
    await agent!.close();
    agent = undefined;
    // named restarts without the zones it was given at run time, and one stored file went bad.
    await named.stop();
    for (const f of readdirSync(named.dataDir).filter((f) => /\.nz[df](-lock)?$/.test(f))) rmSync(join(named.dataDir, f));
    writeFileSync(join(zonesDir(), 'b.test.zone'), `${zoneText('b.test', 5)}my_host IN A 192.0.2.99\n`);
    await named.start();
    await start();
    await eventually(() => sink.lines.some((l) => l.msg === 'resync done'));
    expect(named.soaSerial('a.test')).toBe(1);
    expect(named.soaSerial('b.test')).toBeUndefined();
    expect(named.soaSerial('c.test')).toBe(5);
    expect(await api().list()).toEqual([{ name: 'a.test', serial: 1 }, { name: 'c.test', serial: 5 }]);
    const warned = sink.lines.find((l) => l.level === 40 && l.zone === 'b.test');
    expect(warned?.msg).toMatch(/refused by named at resync/);
    const raw = await rawRequest(agent!.port, 'GET', '/v1/zones');
    expect(JSON.parse(raw.body).failed).toEqual([{ name: 'b.test', error: expect.stringMatching(/check-names/) }]);
    // The operator's next push repairs it.
    expect(await api().put('b.test', zoneText('b.test', 6), LEADER)).toEqual({ name: 'b.test', serial: 6 });
    expect(named.soaSerial('b.test')).toBe(6);
    expect(JSON.parse((await rawRequest(agent!.port, 'GET', '/v1/zones')).body).failed).toEqual([]);
  });

  it('answers 400 to a malformed path and 413 to an oversized body on a connection that stays usable', async () => {
    const keepAlive = agentConnections(PKI.ca.cert, PKI.serverName);
    try {
      const bad = await rawRequest(agent!.port, 'PUT', '/v1/zones/%zz', 'x', keepAlive);
      expect(bad.status).toBe(400);
      const big = await rawRequest(agent!.port, 'PUT', '/v1/zones/d.test', 'x'.repeat(9 * 1024 * 1024), keepAlive);
      expect(big.status).toBe(413);
      const after = await rawRequest(agent!.port, 'GET', '/v1/zones', undefined, keepAlive);
      expect(after.status).toBe(200);
      expect(after.reusedSocket).toBe(true);
    } finally {
      keepAlive.destroy();
    }
  });

  it('refuses a zone named would reject (check-names on an A owner) with 422 and keeps serving the old serial', async () => {
    const bad = api().put('c.test', `${zoneText('c.test', 7)}my_host IN A 192.0.2.7\n`, LEADER);
    await expect(bad).rejects.toMatchObject({ status: 422 });
    await expect(bad).rejects.toThrow(/my_host\.c\.test: bad owner name \(check-names\)/);
    expect(named.soaSerial('c.test')).toBe(5);
    expect(await api().list()).toContainEqual({ name: 'c.test', serial: 5 });
    expect(leftovers()).toEqual([]);
  });

  it('removes scratch files a crash left, at start', async () => {
    await agent!.close();
    agent = undefined;
    const junk = [join(zonesDir(), '.check-a.test-1b2c'), join(zonesDir(), '.tmp-a.test.zone-9f'), join(dataDir(), '.1234.1700000000000.tmp'), join(dataDir(), '.tmp-epoch.json-77')];
    for (const f of junk) writeFileSync(f, 'partial');
    await start();
    expect(junk.filter((f) => existsSync(f))).toEqual([]);
    expect(sink.lines.find((l) => l.msg === 'Removed scratch files left by an earlier agent')?.files).toHaveLength(4);
  });

  function leftovers(): string[] {
    return [...readdirSync(zonesDir()), ...readdirSync(dataDir())].filter((f) => f.startsWith('.'));
  }
});

describe('agent confirms what named loaded (named stricter than named-checkzone)', () => {
  let client: KubeClient;
  let named: LocalNamed;
  let agent: RunningAgent;

  beforeAll(async () => {
    client = adminClient();
    // check-mx-cname fail: named refuses an MX that points at a CNAME, named-checkzone only warns.
    named = await startLocalNamed(['check-mx-cname fail;']);
    await setLease(client, LEADER);
    agent = await runAgent({ listenHost: '127.0.0.1', port: 0, dataDir: join(named.dataDir, 'bindy'), token: () => TOKEN, tls: PKI.tls, rndc: named.rndc, lease: { client, namespace: NS, name: LEASE }, log: pino({ level: 'silent' }), zoneOptions: { confirmMs: 1_500 } });
  });

  afterAll(async () => {
    await agent?.close();
    await named?.close();
    await setLease(client, undefined);
    client.close();
  });

  it('reports a reload named refused as a failed push, with the serial named still serves', async () => {
    const api = new AgentClient('127.0.0.1', agent.port, TOKEN, PKI.connection());
    await api.put('m.test', zoneText('m.test', 3), LEADER);
    const mxToCname: ZoneData['records'] = [
      { name: '@', type: 'MX', rdata: '10 mail.m.test.', source: 'mx' },
      { name: 'mail', type: 'CNAME', rdata: 'www.m.test.', source: 'cname' },
    ];
    const refused = api.put('m.test', zoneText('m.test', 4, mxToCname), LEADER);
    await expect(refused).rejects.toMatchObject({ status: 422 });
    await expect(refused).rejects.toThrow(/named did not load serial 4 of m\.test .* still serves serial 3/);
    expect(named.soaSerial('m.test')).toBe(3);
    expect(await api.list()).toEqual([{ name: 'm.test', serial: 3 }]);
  });

  it('reports for a new zone exactly what named serves after addzone', async () => {
    const api = new AgentClient('127.0.0.1', agent.port, TOKEN, PKI.connection());
    // named 9.18 applies check-mx-cname on reload but not to a zone added at run time; whichever
    // it does, the agent's answer and its list must match what named answers.
    const put = await api.put('n.test', zoneText('n.test', 1, [{ name: '@', type: 'MX', rdata: '10 mail.n.test.', source: 'mx' }, { name: 'mail', type: 'CNAME', rdata: 'www.n.test.', source: 'cname' }]), LEADER).catch((err: Error) => err);
    const served = named.soaSerial('n.test');
    if (put instanceof Error) expect(served).toBeUndefined();
    else expect(put.serial).toBe(served);
    expect((await api.list()).find((z) => z.name === 'n.test')?.serial).toBe(served);
  });
});

function rawRequest(port: number, method: string, path: string, body?: string, agent?: Agent): Promise<{ status: number; body: string; reusedSocket: boolean }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}`, 'x-bindy-epoch-holder': LEADER.holder, 'x-bindy-epoch-transitions': String(LEADER.transitions) };
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: agent ?? agentConnections(PKI.ca.cert, PKI.serverName) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), reusedSocket: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function eventually(check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
