/**
 * Pushes that reach an agent together are applied together against a real named: new zones are
 * added, changed zones reloaded with one `rndc reload`, every serial is confirmed by what named
 * answers (a SOA query), and a zone named-checkzone refuses fails alone while the rest of its
 * batch is served.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { AgentClient, AgentError } from '../../src/agent/client.js';
import type { Epoch } from '../../src/agent/epoch.js';
import { runAgent, type RunningAgent } from '../../src/agent/main.js';
import { querySoa } from '../../src/agent/soa-query.js';
import { renderZone } from '../../src/dns/zone.js';
import type { KubeClient } from '../../src/kube/api-client.js';
import { KubeApiError } from '../../src/kube/api-error.js';
import { startLocalNamed, type LocalNamed } from '../support/local-named.js';

const TOKEN = 'batch-test-token';
const EPOCH: Epoch = { holder: 'operator-a', transitions: 1 };
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
  let named: LocalNamed;
  let agent: RunningAgent;
  let dataDir: string;
  const client = () => new AgentClient('127.0.0.1', agent.port, TOKEN);

  beforeAll(async () => {
    named = await startLocalNamed();
    dataDir = mkdtempSync(join(tmpdir(), 'agent-batch-'));
    agent = await runAgent({
      listenHost: '127.0.0.1',
      port: 0,
      dataDir,
      token: () => TOKEN,
      rndc: { ...named.rndc, dns: { server: '127.0.0.1', port: named.dnsPort } },
      lease: { client: noLease, namespace: 'dns-system', name: 'bindy-leader' },
      log: pino({ level: 'silent' }),
    });
  });
  afterAll(async () => {
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

  it('reads a loaded serial with a SOA query, and no authoritative answer for a zone named does not serve', async () => {
    expect(await querySoa('127.0.0.1', named.dnsPort, ZONES[0]!)).toEqual({ served: true, serial: 50 });
    expect(await querySoa('127.0.0.1', named.dnsPort, 'absent.batch.test')).toMatchObject({ served: false });
  });
});
