/**
 * Fencing at the agent, against the real apiserver (Lease) and a real named: a write carrying an
 * older epoch than the agent has accepted is refused with 409 and what named serves is
 * unchanged; an agent restarted on an empty disk learns the epoch from the Lease and still
 * refuses the deposed leader; the operator side counts the refusal and deposes itself.
 */
import { agentTlsFixture } from '../support/agent-tls.js';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Counter, Registry } from 'prom-client';
import { AgentClient, StaleEpochError } from '../../src/agent/client.js';
import type { Epoch } from '../../src/agent/epoch.js';
import { runAgent, type RunningAgent } from '../../src/agent/main.js';
import { DeposedError } from '../../src/controllers/controller.js';
import { Pusher } from '../../src/controllers/push.js';
import type { Caches } from '../../src/controllers/caches.js';
import { renderNamedConf, renderRndcKey } from '../../src/dns/named-conf.js';
import { renderZone, type ZoneData } from '../../src/dns/zone.js';
import type { KubeClient } from '../../src/kube/api-client.js';
import { addLoopback, podFiles, removeLoopback, startNamed, stopNamed, writePodFiles } from '../../testbed/node/named.js';
import { adminClient } from '../../testbed/state.js';

const PKI = agentTlsFixture();
const ADDRESS = '127.0.0.91';
const NS = 'dns-system';
const LEASE = 'bindy-fencing-test';
const TOKEN = 'fencing-test-token';
const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

function zoneText(address: string, serial: number): string {
  const data: ZoneData = {
    zoneName: 'fence.test',
    ttl: 60,
    soa: { primaryNs: 'ns1.fence.test', adminEmail: 'h@fence.test', refresh: 60, retry: 60, expire: 600, negativeTtl: 60 },
    nameServers: [],
    records: [
      { name: 'ns1', type: 'A', rdata: '192.0.2.53', source: 'ns1' },
      { name: 'www', type: 'A', rdata: address, source: 'www' },
    ],
  };
  return renderZone(data, serial);
}

function dig(name: string): string {
  return execFileSync('dig', [`@${ADDRESS}`, '+short', '+time=1', '+tries=2', name, 'A'], { encoding: 'utf8' }).trim();
}

async function setLease(client: KubeClient, holder: string, transitions: number): Promise<void> {
  const path = `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/${LEASE}`;
  const spec = { holderIdentity: holder, leaseTransitions: transitions, leaseDurationSeconds: 15, renewTime: new Date().toISOString().replace('Z', '000Z') };
  try {
    const current = await client.get<{ metadata: { resourceVersion: string } }>(path);
    await client.replace(path, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: LEASE, namespace: NS, resourceVersion: current.metadata.resourceVersion }, spec });
  } catch (err) {
    if ((err as { code?: number }).code !== 404) throw err;
    await client.create(`/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: LEASE, namespace: NS }, spec });
  }
}

describe('fencing at the agent (real named, real Lease)', () => {
  const A: Epoch = { holder: 'operator-a', transitions: 1 };
  const B: Epoch = { holder: 'operator-b', transitions: 2 };
  let client: KubeClient;
  let named: ChildProcess;
  let agent: RunningAgent;
  let root: string;
  const files = () => podFiles(root);
  const start = () =>
    runAgent({ listenHost: ADDRESS, port: 8053, dataDir: join(files().data, 'bindy'), token: () => TOKEN, tls: PKI.tls, rndc: { server: ADDRESS, port: 953, keyFile: files().rndcKey }, lease: { client, namespace: NS, name: LEASE }, log });
  const agentClient = () => new AgentClient(ADDRESS, 8053, TOKEN, PKI.connection());

  beforeAll(async () => {
    client = adminClient();
    root = mkdtempSync(join(tmpdir(), 'fencing-'));
    await addLoopback(ADDRESS);
    const conf = renderNamedConf({ recursion: false, allowQuery: ['any'], allowTransfer: ['none'], hideVersion: true });
    const confPath = writePodFiles(files(), conf, renderRndcKey(Buffer.alloc(32, 7).toString('base64')), ADDRESS);
    named = await startNamed(confPath, files(), ADDRESS, join(root, 'named.log'));
    await setLease(client, A.holder, A.transitions);
    agent = await start();
  });

  afterAll(async () => {
    await agent?.close();
    if (named) await stopNamed(named);
    await removeLoopback(ADDRESS);
    await client.delete(`/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/${LEASE}`).catch(() => undefined);
    client.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('refuses a stale epoch with 409 and leaves the served zone untouched', async () => {
    await agentClient().put('fence.test', zoneText('192.0.2.1', 1), A);
    expect(dig('www.fence.test')).toBe('192.0.2.1');
    await setLease(client, B.holder, B.transitions); // B takes over
    await agentClient().put('fence.test', zoneText('192.0.2.2', 2), B);
    expect(dig('www.fence.test')).toBe('192.0.2.2');
    const stale = agentClient().put('fence.test', zoneText('192.0.2.66', 3), A);
    await expect(stale).rejects.toBeInstanceOf(StaleEpochError);
    await expect(stale).rejects.toThrow(/operator-a@1.*operator-b@2/);
    await expect(agentClient().delete('fence.test', A)).rejects.toBeInstanceOf(StaleEpochError);
    expect(dig('www.fence.test')).toBe('192.0.2.2');
    expect(await agentClient().list()).toEqual([{ name: 'fence.test', serial: 2 }]);
    expect(await agent.registry.metrics()).toMatch(/bindy_fenced_writes_total\{component="agent"\} 2/);
  });

  it('after a restart on an empty disk, learns the epoch from the Lease and still refuses the old leader', async () => {
    await agent.close();
    rmSync(files().data, { recursive: true, force: true });
    agent = await start();
    await expect(agentClient().put('fence.test', zoneText('192.0.2.66', 9), A)).rejects.toBeInstanceOf(StaleEpochError);
    expect(dig('www.fence.test')).toBe('192.0.2.2'); // named still has the zone in memory; the stale write changed nothing
    await agentClient().put('fence.test', zoneText('192.0.2.3', 4), B);
    expect(dig('www.fence.test')).toBe('192.0.2.3');
  });

  it('makes the operator count the refusal and depose itself', async () => {
    const registry = new Registry();
    const fenced = new Counter({ name: 'bindy_fenced_writes_total', help: 'x', labelNames: ['component'], registers: [registry] });
    const reasons: string[] = [];
    const leadership = { fence: () => A, deposed: (r: string) => void reasons.push(r), signal: new AbortController().signal };
    const pusher = new Pusher(client, {} as Caches, leadership, { fencedWritesTotal: fenced }, { ...PKI.ca, fingerprint: '' });
    const write = pusher.apply(agentClient(), { create: [], update: [{ name: 'fence.test', serial: 10, text: zoneText('192.0.2.66', 10) }], delete: [] }, log);
    await expect(write).rejects.toBeInstanceOf(DeposedError);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/stale epoch/);
    expect(await registry.metrics()).toMatch(/bindy_fenced_writes_total\{component="operator"\} 1/);
    expect(dig('www.fence.test')).toBe('192.0.2.3');
  });
});
