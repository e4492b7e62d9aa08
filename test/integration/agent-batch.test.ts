/**
 * Pushes that reach an agent together are applied together against a real named: new zones are
 * added, changed zones reloaded with one `rndc reload`, every serial is confirmed by what named
 * answers (a SOA query; `rndc zonestatus` for a zone named signs), new zones get the options
 * stored for them, and a zone named-checkzone refuses fails alone while the rest of its batch is
 * served.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { AgentClient, AgentError } from '../../src/agent/client.js';
import type { Epoch } from '../../src/agent/epoch.js';
import { runAgent, type RunningAgent } from '../../src/agent/main.js';
import { querySoa } from '../../src/agent/soa-query.js';
import { renderZone } from '../../src/dns/zone.js';
import type { KubeClient } from '../../src/kube/api-client.js';
import { KubeApiError } from '../../src/kube/api-error.js';
import { agentTlsFixture } from '../support/agent-tls.js';
import { startLocalNamed, type LocalNamed } from '../support/local-named.js';

const run = promisify(execFile);
const TOKEN = 'batch-test-token';
const EPOCH: Epoch = { holder: 'operator-a', transitions: 1 };
const PKI = agentTlsFixture();
const ZONES = Array.from({ length: 24 }, (_, i) => `b${i}.batch.test`);

// No Lease exists (404): the agent orders epochs by themselves, as at bootstrap.
const noLease = { get: async () => Promise.reject(new KubeApiError(404, 'NotFound', 'lease not found')) } as unknown as KubeClient;

function zoneText(zone: string, serial: number, host = 'www'): string {
  return renderZone(
    {
      zoneName: zone,
      ttl: 60,
      soa: { primaryNs: `ns1.${zone}`, adminEmail: `h@${zone}`, refresh: 60, retry: 60, expire: 600, negativeTtl: 60 },
      nameServers: [],
      records: [{ name: 'ns1', type: 'A', rdata: '192.0.2.53', source: 'ns1' }, { name: host, type: 'A', rdata: `192.0.2.${serial % 250}`, source: host }],
    },
    serial,
  );
}

describe('agent batches (real named)', () => {
  /** showzone is the config named holds for a zone added at run time. */
  const showzone = async (zone: string) => (await run('rndc', ['-s', named.rndc.server, '-p', String(named.rndc.port), '-k', named.rndc.keyFile, 'showzone', zone])).stdout;
  let named: LocalNamed;
  let agent: RunningAgent;
  let dataDir: string;
  // One pool, as the operator keeps per instance: concurrent pushes reach the agent together.
  const connection = PKI.connection();
  const client = () => new AgentClient('127.0.0.1', agent.port, TOKEN, connection);

  beforeAll(async () => {
    named = await startLocalNamed();
    dataDir = mkdtempSync(join(tmpdir(), 'agent-batch-'));
    agent = await runAgent({
      listenHost: '127.0.0.1',
      port: 0,
      dataDir,
      token: () => TOKEN,
      tls: PKI.tls,
      rndc: { ...named.rndc, dns: { server: '127.0.0.1', port: named.dnsPort } },
      lease: { client: noLease, namespace: 'dns-system', name: 'bindy-leader' },
      log: pino({ level: 'silent' }),
    });
  });
  afterAll(async () => {
    connection.pool.destroy();
    await agent?.close();
    await named?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('adds and then updates many zones pushed at once, confirming each serial named serves', async () => {
    const added = await Promise.all(ZONES.map((z) => client().put(z, zoneText(z, 10), EPOCH)));
    expect(added).toEqual(ZONES.map((name) => ({ name, serial: 10 })));
    const updated = await Promise.all(ZONES.map((z, i) => client().put(z, zoneText(z, 11 + i), EPOCH)));
    expect(updated).toEqual(ZONES.map((name, i) => ({ name, serial: 11 + i })));
    for (const [i, z] of ZONES.entries()) expect(named.soaSerial(z)).toBe(11 + i);
    expect(await client().list()).toEqual(ZONES.map((name, i) => ({ name, serial: 11 + i })).sort((a, b) => a.name.localeCompare(b.name)));
  });

  it('refuses one bad zone of a batch with 422 and serves the others', async () => {
    const bad = ZONES[3]!;
    const answers = await Promise.allSettled(ZONES.map((z) => client().put(z, z === bad ? zoneText(z, 99, 'my_host') : zoneText(z, 50), EPOCH)));
    const refused = answers.flatMap((a, i) => (a.status === 'rejected' ? [ZONES[i]] : []));
    expect(refused).toEqual([bad]);
    const reason = (answers[3] as PromiseRejectedResult).reason as AgentError;
    expect(reason.status).toBe(422);
    expect(reason.message).toMatch(/my_host/);
    expect(named.soaSerial(bad)).toBe(14);
    for (const z of ZONES.filter((z) => z !== bad)) expect(named.soaSerial(z)).toBe(50);
  });

  it('adds zones of one batch with the options stored for them (NOTIFY, transfer, signing) and confirms a signed zone by the serial pushed', async () => {
    const zones = ['plain.options.test', 'signed0.options.test', 'signed1.options.test'];
    const transfer = { alsoNotify: ['127.0.0.2'], allowTransfer: ['127.0.0.2'] };
    await client().putOptions(zones[0]!, transfer, EPOCH);
    for (const z of zones.slice(1)) await client().putOptions(z, { ...transfer, dnssecPolicy: 'default' }, EPOCH);
    expect(await Promise.all(zones.map((z) => client().put(z, zoneText(z, 20), EPOCH)))).toEqual(zones.map((name) => ({ name, serial: 20 })));
    for (const z of zones) {
      const config = await showzone(z);
      expect(config).toMatch(/also-notify \{ 127\.0\.0\.2; \}/);
      expect(config).toMatch(/allow-transfer\s+\{ 127\.0\.0\.2\/32; \}/);
      expect(config.includes('dnssec-policy "default"')).toBe(z.startsWith('signed'));
    }
    // Known zones pushed together share one rndc reload; a signed zone answers a SOA query with
    // the serial named signed, so its own serial is confirmed as pushed.
    expect(await Promise.all(zones.map((z) => client().put(z, zoneText(z, 21), EPOCH)))).toEqual(zones.map((name) => ({ name, serial: 21 })));
    for (const z of zones.slice(1)) {
      const deadline = Date.now() + 15_000;
      while (named.dig(z, 'DNSKEY') === '' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(named.dig(z, 'DNSKEY')).toMatch(/^257 3 13 /m);
    }
  });

  it('reads a loaded serial with a SOA query, and no authoritative answer for a zone named does not serve', async () => {
    expect(await querySoa('127.0.0.1', named.dnsPort, ZONES[0]!)).toEqual({ served: true, serial: 50 });
    expect(await querySoa('127.0.0.1', named.dnsPort, 'absent.batch.test')).toMatchObject({ served: false });
  });
});
