import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { Counter, Registry } from 'prom-client';
import type { KubeClient } from '../kube/api-client.js';
import { isNotFound } from '../kube/api-error.js';
import { RndcControl, type BindControl, type RndcOptions } from './bind.js';
import { EpochFile } from './epoch.js';
import { EpochGuard, type LeaseReader } from './fence.js';
import { AgentApi } from './server.js';
import { SecondaryZones, type SecondaryControl } from './secondary.js';
import { NO_OPTIONS, renderZoneOptions, ZoneOptionsStore } from './zone-options.js';
import { ZoneFiles, type ZoneFilesOptions } from './zones.js';
import { removeLeftovers } from './durable.js';
import type { CertificatePem } from './tls.js';

/** AgentConfig is everything one agent needs; the CLI builds it from the environment. */
export interface AgentConfig {
  readonly listenHost: string;
  readonly port: number;
  /**
   * Shared with named: zones under `<dataDir>/zones` (their options under `zone-options`),
   * secondary zones under `secondary`, signing keys under `keys`, the fencing epoch in `epoch.json`.
   */
  readonly dataDir: string;
  /** The bearer token the operator must present (from the instance's agent Secret). */
  readonly token: () => string;
  /** The server certificate and key the operator issued for this instance; the agent serves TLS only. */
  readonly tls: CertificatePem;
  readonly rndc: RndcOptions;
  /** The Lease the leader holds, read to learn the current epoch; absent with leader election off. */
  readonly lease?: { readonly client: KubeClient; readonly namespace: string; readonly name: string };
  readonly log: Logger;
  /** Replaces rndc (tests). */
  readonly bind?: BindControl;
  /** Replaces rndc for secondary zones (tests). */
  readonly secondaryBind?: SecondaryControl;
  readonly zoneOptions?: ZoneFilesOptions;
}

/** RunningAgent is a started agent. */
export interface RunningAgent {
  readonly port: number;
  readonly registry: Registry;
  close(): Promise<void>;
}

/** leaseReader reads the Lease's current epoch; a missing Lease means no leader has ever held it. */
export function leaseReader(client: KubeClient, namespace: string, name: string): LeaseReader {
  return async () => {
    try {
      const lease = await client.get<{ metadata: { uid: string }; spec?: { holderIdentity?: string; leaseTransitions?: number } }>(
        `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${name}`,
        { timeoutMs: 5_000 },
      );
      return { holder: lease.spec?.holderIdentity ?? '', transitions: lease.spec?.leaseTransitions ?? 0, uid: lease.metadata.uid };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  };
}

/**
 * runAgent starts the agent: (1) load the epoch and the stored zones, (2) make named serve the
 * stored zones again (it may have restarted without them), (3) serve the API. named may still be
 * starting, so step 2 retries in the background instead of blocking the API.
 */
export async function runAgent(config: AgentConfig): Promise<RunningAgent> {
  const log = config.log;
  const registry = new Registry();
  const fencedWrites = new Counter({ name: 'bindy_fenced_writes_total', help: 'Writes refused because they carried a stale epoch', labelNames: ['component'], registers: [registry] });
  // Present at 0 from the start, so increase() in alerts sees the first refusal.
  fencedWrites.inc({ component: 'agent' }, 0);
  const readLease: LeaseReader | undefined = config.lease ? leaseReader(config.lease.client, config.lease.namespace, config.lease.name) : undefined;
  // Scratch files of a crashed agent (epoch tmp files live next to epoch.json) go before anything reads the directory.
  const leftovers = await removeLeftovers(config.dataDir);
  const guard = new EpochGuard(new EpochFile(join(config.dataDir, 'epoch.json')), readLease, log);
  await guard.init();
  const zoneOptions = new ZoneOptionsStore(join(config.dataDir, 'zone-options'));
  await zoneOptions.load();
  // named writes a signed zone's keys here: in the data volume, which named can write.
  const keyDirectory = join(config.dataDir, 'keys');
  await mkdir(keyDirectory, { recursive: true });
  const rndc = new RndcControl(
    config.rndc,
    (zone) => renderZoneOptions(zoneOptions.get(zone) ?? NO_OPTIONS, keyDirectory),
    (zone) => zoneOptions.get(zone)?.dnssecPolicy !== undefined,
  );
  const zones = new ZoneFiles(join(config.dataDir, 'zones'), config.bind ?? rndc, config.zoneOptions);
  const secondaries = new SecondaryZones(join(config.dataDir, 'secondary'), config.secondaryBind ?? rndc);
  await secondaries.load();
  const stored = await zones.load();
  leftovers.push(...stored.leftovers);
  if (leftovers.length > 0) log.warn({ files: leftovers }, 'Removed scratch files left by an earlier agent');
  const stop = new AbortController();
  void resyncUntilDone(zones, secondaries, stop.signal, log);
  const api = new AgentApi({ token: config.token, zones, zoneOptions, secondaries, keyDirectory, guard, log, registry, fencedWrites });
  const server = createServer({ cert: config.tls.cert, key: config.tls.key, minVersion: 'TLSv1.3' }, api.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.listenHost, () => resolve());
  });
  // Longer than the operator's idle keep-alive (agentConnections), so the operator closes first and never reuses a socket being closed.
  server.keepAliveTimeout = 65_000;
  const port = (server.address() as AddressInfo).port;
  log.info({ host: config.listenHost, port, zones: stored.zones.length, epoch: guard.current ?? null, fencing: guard.fencing }, 'agent started');
  if (!guard.fencing) log.warn('Leader election is disabled: writes are not fenced by epoch; run a single operator replica');
  return { port, registry, close: () => closeAll(server, stop) };
}

/**
 * resyncUntilDone re-adds the stored zones to named. A zone named refuses is skipped with a
 * warning (and listed as failed in GET /v1/zones, so the operator re-pushes it); only an
 * unreachable named (still starting) makes it wait and go on with the zones left.
 */
async function resyncUntilDone(zones: ZoneFiles, secondaries: SecondaryZones, signal: AbortSignal, log: Logger): Promise<void> {
  for (let delay = 200; !signal.aborted; delay = Math.min(delay * 2, 5_000)) {
    try {
      const refused = await zones.resync();
      for (const f of await secondaries.resync()) log.warn({ zone: f.name, err: f.error }, 'Stored secondary zone refused by named at resync; the operator\'s next PUT replaces it');
      for (const f of refused) log.warn({ zone: f.name, err: f.error }, 'Stored zone refused by named at resync; the operator\'s next push replaces it');
      log.info({ served: zones.list().length, refused: refused.length }, 'resync done');
      return;
    } catch (err) {
      log.debug({ err }, 'named not ready for resync yet');
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

function closeAll(server: Server, stop: AbortController): Promise<void> {
  stop.abort();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
