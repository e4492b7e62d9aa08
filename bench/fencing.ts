/**
 * `npx tsx bench/fencing.ts [n]` measures what fencing costs at the agent, against a real named
 * (no apiserver needed: the Lease reader is in memory, with a configurable delay standing for an
 * apiserver round trip):
 *   - put, same epoch: the steady state (epoch compared in memory, nothing extra on disk);
 *   - put, new epoch: the first write of a new leader (Lease read + epoch file fsync);
 *   - stale put: a deposed leader's write being refused (409);
 *   - epoch file save alone (write + fsync + rename + dir fsync);
 *   - the TLS channel: a zone list on a new connection (handshake included) and on a reused one.
 * Prints a table and writes bench/results/fencing.json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { AgentClient, StaleEpochError } from '../src/agent/client.js';
import { EpochFile, type Epoch } from '../src/agent/epoch.js';
import { agentConnections, agentServerName, createAgentCa, issueAgentCertificate } from '../src/agent/tls.js';
import { runAgent } from '../src/agent/main.js';
import { renderNamedConf, renderRndcKey } from '../src/dns/named-conf.js';
import { renderZone } from '../src/dns/zone.js';
import { addLoopback, podFiles, removeLoopback, startNamed, stopNamed, writePodFiles } from '../testbed/node/named.js';
import { printTable, summarize, writeResult, type Summary } from './lib/report.js';

const ADDRESS = '127.0.0.93';
const TOKEN = 'bench-token';
const LEASE_RTT_MS = Number(process.env.BENCH_LEASE_RTT_MS ?? 2);

function zone(serial: number): string {
  const soa = { primaryNs: 'ns1.bench.test', adminEmail: 'h@bench.test', refresh: 60, retry: 60, expire: 600, negativeTtl: 60 };
  const records = Array.from({ length: 50 }, (_, i) => ({ name: `host${i}`, type: 'A', rdata: `192.0.2.${i + 1}`, source: `r${i}` }));
  return renderZone({ zoneName: 'bench.test', ttl: 60, soa, nameServers: [], records: [{ name: 'ns1', type: 'A', rdata: '192.0.2.53', source: 'ns' }, ...records] }, serial);
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** benchFencing runs every series `n` times and returns their summaries in milliseconds. */
export async function benchFencing(n: number): Promise<Record<string, Summary>> {
  const root = mkdtempSync(join(tmpdir(), 'bench-fencing-'));
  const files = podFiles(root);
  await addLoopback(ADDRESS);
  const conf = writePodFiles(files, renderNamedConf({ recursion: false, allowQuery: ['any'], allowTransfer: ['none'], hideVersion: true }), renderRndcKey(Buffer.alloc(32, 3).toString('base64')), ADDRESS);
  const named = await startNamed(conf, files, ADDRESS, join(root, 'named.log'));
  let lease: Epoch = { holder: 'op-0', transitions: 0 };
  const ca = createAgentCa();
  const serverName = agentServerName('bench', 'agent');
  const withLease = await runAgent({
    listenHost: ADDRESS,
    port: 8053,
    dataDir: join(files.data, 'bindy'),
    token: () => TOKEN,
    tls: issueAgentCertificate(ca, serverName),
    rndc: { server: ADDRESS, port: 953, keyFile: files.rndcKey },
    log: pino({ level: 'silent' }),
    lease: { client: fakeLeaseClient(() => lease), namespace: 'x', name: 'y' },
  });
  const connection = { pool: agentConnections(ca.cert, serverName), serverName };
  const client = new AgentClient(ADDRESS, 8053, TOKEN, connection);
  let serial = 1;
  const series: Record<string, number[]> = { 'put, same epoch': [], 'put, new epoch': [], 'stale put (409)': [], 'epoch file save': [], 'list, new TLS connection': [], 'list, reused connection': [] };
  try {
    await client.put('bench.test', zone(serial++), lease);
    for (let i = 0; i < n; i++) series['put, same epoch']!.push(await timed(() => client.put('bench.test', zone(serial++), lease)));
    for (let i = 0; i < n; i++) {
      lease = { holder: `op-${i + 1}`, transitions: i + 1 };
      series['put, new epoch']!.push(await timed(() => client.put('bench.test', zone(serial++), lease)));
    }
    const stale = { holder: 'op-0', transitions: 0 };
    for (let i = 0; i < n; i++) {
      series['stale put (409)']!.push(await timed(() => client.put('bench.test', zone(serial + 1000), stale).catch((e: unknown) => { if (!(e instanceof StaleEpochError)) throw e; })));
    }
    for (let i = 0; i < n; i++) {
      const fresh = { pool: agentConnections(ca.cert, serverName), serverName };
      series['list, new TLS connection']!.push(await timed(() => new AgentClient(ADDRESS, 8053, TOKEN, fresh).list()));
      fresh.pool.destroy();
    }
    for (let i = 0; i < n; i++) series['list, reused connection']!.push(await timed(() => client.list()));
    const file = new EpochFile(join(root, 'epoch-bench.json'));
    for (let i = 0; i < n; i++) series['epoch file save']!.push(await timed(() => file.save({ holder: 'x', transitions: i })));
  } finally {
    connection.pool.destroy();
    await withLease.close();
    await stopNamed(named);
    await removeLoopback(ADDRESS);
    rmSync(root, { recursive: true, force: true });
  }
  return Object.fromEntries(Object.entries(series).map(([k, v]) => [k, summarize(v)]));
}

/** fakeLeaseClient answers the agent's Lease GET from memory after LEASE_RTT_MS. */
function fakeLeaseClient(current: () => Epoch) {
  return {
    get: async () => {
      await new Promise((r) => setTimeout(r, LEASE_RTT_MS));
      const e = current();
      return { metadata: { uid: 'bench-lease' }, spec: { holderIdentity: e.holder, leaseTransitions: e.transitions } };
    },
  } as never;
}

/** reportFencing runs the benchmark, prints its table and writes bench/results/fencing.json. */
export async function reportFencing(n: number): Promise<void> {
  const results = await benchFencing(n);
  printTable(`agent fencing cost, ms (n=${n}, 51-record zone, simulated Lease RTT ${LEASE_RTT_MS} ms)`, Object.entries(results).map(([series, s]) => ({ series, ...s })));
  writeResult('fencing', { n, leaseRttMs: LEASE_RTT_MS, results });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  reportFencing(Number(process.argv[2] ?? 50)).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
