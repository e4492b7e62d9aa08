/**
 * standby-rss.ts (a child process of the cache-memory benchmark, run with the V8 flags to
 * compare): a standby's controllers (createControllers) hear `zones` DNSZones and their A records
 * through watch events — each object ADDED, then MODIFIED once bindy wrote its status, every event
 * decoded with JSON.parse as KubeClient decodes a watch line — and the process's RSS is sampled
 * until 5 s after the last event. Prints one JSON line: idle and peak RSS, and the peak's growth
 * per object. Unlike heap after GC, RSS counts what the garbage of decoding costs until collected.
 */
import { pino } from 'pino';
import { createControllers } from '../../src/controllers/manager.js';
import { RESOURCES } from '../../src/crds/definitions.js';
import { API_VERSION } from '../../src/crds/types.js';
import type { KubeClient, WatchEvent } from '../../src/kube/api-client.js';
import { resourcePath, type KubeObject } from '../../src/kube/objects.js';
import { OperatorMetrics } from '../../src/observability/metrics.js';
import { NS, recordJson, zoneJson } from './cache-objects.js';

const zones = Number(process.argv[2] ?? 2000);
const records = 10;
const watchers = new Map<string, (e: WatchEvent<KubeObject>) => void>();
const client = {
  get: async () => ({ metadata: { resourceVersion: '1' }, items: [] }),
  watch: (path: string, options: { signal: AbortSignal }, onEvent: (e: WatchEvent<KubeObject>) => void) => {
    watchers.set(path, onEvent);
    return new Promise<void>((resolve) => options.signal.addEventListener('abort', () => resolve(), { once: true }));
  },
} as unknown as KubeClient;

const zonesPath = resourcePath(API_VERSION, RESOURCES.DNSZone.plural);
const recordsPath = resourcePath(API_VERSION, RESOURCES.ARecord.plural);
const stop = new AbortController();
const set = createControllers({ client, log: pino({ level: 'silent' }), metrics: new OperatorMetrics({ defaultMetrics: false }), config: { leaderElection: true, leaseName: 'bindy-leader', leaseNamespace: NS } });
const running = set.informers.start(stop.signal);
while (!watchers.has(zonesPath) || !watchers.has(recordsPath)) await new Promise((r) => setTimeout(r, 10));
await new Promise((r) => setTimeout(r, 1000));
const idle = process.memoryUsage().rss;
let peak = idle;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
let rv = 1000;
async function stream(path: string, type: 'ADDED' | 'MODIFIED', n: number, json: (i: number) => string): Promise<void> {
  const deliver = watchers.get(path)!;
  for (let i = 0; i < n; i++) {
    const text = json(i).replace(/"resourceVersion":"\d+"/, `"resourceVersion":"${++rv}"`);
    deliver(JSON.parse(`{"type":"${type}","object":${text}}`) as WatchEvent<KubeObject>);
    // Events arrive in chunks off the socket: let timers and the GC's idle tasks run between them.
    if (i % 200 === 0) await new Promise((r) => setImmediate(r));
  }
}
await stream(zonesPath, 'ADDED', zones, (z) => zoneJson(z, records, false));
await stream(recordsPath, 'ADDED', zones * records, (i) => recordJson(Math.floor(i / records), i % records, false));
await stream(zonesPath, 'MODIFIED', zones, (z) => zoneJson(z, records));
await stream(recordsPath, 'MODIFIED', zones * records, (i) => recordJson(Math.floor(i / records), i % records));
await new Promise((r) => setTimeout(r, 5000));
clearInterval(sampler);
const objects = zones * (records + 1);
const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
process.stdout.write(`${JSON.stringify({ objects, idleRssMiB: mib(idle), peakRssMiB: mib(peak), rssKiBPerObject: Math.round(((peak - idle) / 1024 / objects) * 100) / 100 })}\n`);
stop.abort();
await running;
process.exit(0);
