import type { Logger } from 'pino';
import { AGENT_PORT, AgentClient, StaleEpochError, type AgentConnection } from '../agent/client.js';
import type { Epoch } from '../agent/epoch.js';
import { agentConnections, agentServerName } from '../agent/tls.js';
import type { Bind9Instance } from '../crds/types.js';
import { plan, type DesiredZone, type Plan } from '../dns/plan.js';
import type { KubeClient } from '../kube/api-client.js';
import { NotLeaderError, type Leadership } from '../leader/leadership.js';
import { instanceNames } from './bind9-resources.js';
import type { Caches, Secret } from './caches.js';
import { ownedPodAddresses } from './owned-pods.js';
import type { AgentCa } from './agent-certificates.js';
import { AgentLists } from './agent-lists.js';
import { DeposedError } from './controller.js';

/** PushMetrics is the part of OperatorMetrics the pusher records into. */
export interface PushMetrics {
  readonly fencedWritesTotal: { inc(labels: { component: string }): void };
}

/** PodResult is the outcome of making one pod serve one zone. */
export interface PodResult {
  readonly pod: string;
  /** The serial the pod's named serves now, as its agent confirmed it (undefined: none, or unknown). */
  readonly serial?: number;
  readonly changed: boolean;
  readonly error?: string;
  /** A secondary follows by zone transfer: it is current once it serves at least the serial (a signed zone's is higher). */
  readonly secondary?: boolean;
}

/** Applied is what one plan did on one pod: whether it wrote, and the serial named confirmed per zone put. */
export interface Applied {
  readonly changed: boolean;
  readonly served: ReadonlyMap<string, number>;
}

/**
 * Pusher is the only code that changes what BIND serves. Each write takes a fresh fencing
 * token from leadership.fence() immediately before it is sent, and an agent's 409 (stale epoch)
 * deposes this replica at once: a newer leader exists, so nothing more may be written.
 */
export class Pusher {
  /** One TLS pool per instance for the whole term: pushes reuse connections (and their handshakes). */
  private readonly connections = new Map<string, AgentConnection>();
  /** This term's view of what each pod holds, shared by the reconciles; writes through the pusher keep it current. */
  readonly lists = new AgentLists();

  constructor(
    private readonly client: KubeClient,
    private readonly caches: Caches,
    private readonly leadership: Leadership,
    private readonly metrics: PushMetrics,
    /** The term's agent CA: it issues the instances' certificates and is the only root their agents are trusted by. */
    readonly ca: AgentCa,
    private readonly agentPort = AGENT_PORT,
  ) {}

  /** close ends the term's idle agent connections. */
  close(): void {
    for (const c of this.connections.values()) c.pool.destroy();
    this.connections.clear();
  }

  private connectionTo(instance: Bind9Instance): AgentConnection {
    const serverName = agentServerName(instance.metadata.namespace ?? '', instance.metadata.name);
    let connection = this.connections.get(serverName);
    if (!connection) {
      connection = { pool: agentConnections(this.ca.cert, serverName), serverName };
      this.connections.set(serverName, connection);
    }
    return connection;
  }

  /** agents returns a client per ready pod the instance's own Deployment made. */
  async agents(instance: Bind9Instance): Promise<AgentClient[]> {
    const ns = instance.metadata.namespace ?? '';
    const names = instanceNames(instance);
    const pods = ownedPodAddresses(this.caches, instance);
    if (pods.length === 0) return [];
    // The cache may lag a Secret created a moment ago; then ask the apiserver once.
    const secret = this.caches.secrets.get(`${ns}/${names.agentSecret}`) ?? (await this.client.get<Secret>(`/api/v1/namespaces/${ns}/secrets/${names.agentSecret}`));
    const token = Buffer.from(secret.data?.token ?? '', 'base64').toString('utf8');
    const connection = this.connectionTo(instance);
    return pods.map((pod) => new AgentClient(pod, this.agentPort, token, connection));
  }

  /** reportedSerials returns the serial each reachable agent reports for a zone. */
  async reportedSerials(agents: readonly AgentClient[], zoneName: string): Promise<number[]> {
    const serials = await Promise.allSettled(agents.map((a) => this.lists.serialOf(a, zoneName)));
    return serials.flatMap((s) => (s.status === 'fulfilled' && s.value !== undefined ? [s.value] : []));
  }

  /**
   * syncZone makes every agent serve `desired` (or not serve `zoneName` when desired is undefined)
   * and reports, per pod, the serial its named serves afterwards: the agent's confirmation of a
   * push, or its report when nothing needed pushing, never merely the serial that was sent.
   */
  async syncZone(agents: readonly AgentClient[], zoneName: string, desired: DesiredZone | undefined, log: Logger): Promise<PodResult[]> {
    return Promise.all(
      agents.map(async (agent): Promise<PodResult> => {
        let before: number | undefined;
        try {
          before = await this.lists.serialOf(agent, zoneName);
          const current = before === undefined ? [] : [{ name: zoneName, serial: before }];
          const applied = await this.apply(agent, plan(desired ? [desired] : [], current), log);
          const serial = desired ? (applied.served.get(zoneName) ?? before) : undefined;
          return { pod: agent.address, serial, changed: applied.changed };
        } catch (err) {
          // Losing leadership is not a pod failure: it ends the reconcile (nothing more may be written, not even status).
          if (err instanceof DeposedError || err instanceof NotLeaderError) throw err;
          // A refused push leaves the pod serving what it served before (the agent restores it).
          return { pod: agent.address, serial: before, changed: false, error: (err as Error).message };
        }
      }),
    );
  }

  /** apply executes a plan against one agent; returns whether anything was written and what named confirmed. */
  async apply(agent: AgentClient, p: Plan, log: Logger): Promise<Applied> {
    let changed = false;
    const served = new Map<string, number>();
    try {
      for (const zone of [...p.create, ...p.update]) {
        const confirmed = await agent.put(zone.name, zone.text, this.leadership.fence());
        served.set(zone.name, confirmed.serial);
        this.lists.served(agent, zone.name, confirmed.serial);
        log.info({ pod: agent.address, zone: zone.name, serial: confirmed.serial }, 'pushed zone');
        changed = true;
      }
      for (const zone of p.delete) {
        await agent.delete(zone, this.leadership.fence());
        this.lists.removed(agent, zone);
        log.info({ pod: agent.address, zone }, 'deleted zone from pod');
        changed = true;
      }
    } catch (err) {
      // A failed write may or may not have landed: the next reader asks the pod.
      this.lists.forget(agent);
      throw this.deposedBy(agent, err, log);
    }
    return { changed, served };
  }

  /**
   * write sends one other fenced mutation (zone options, secondary zones) with the same fencing as
   * apply; the caller records what landed in `lists`.
   */
  async write<T>(agent: AgentClient, log: Logger, send: (epoch: Epoch) => Promise<T>): Promise<T> {
    try {
      return await send(this.leadership.fence());
    } catch (err) {
      this.lists.forget(agent);
      throw this.deposedBy(agent, err, log);
    }
  }

  /** deposedBy turns an agent's 409 into this replica's deposal; other errors pass through. */
  private deposedBy(agent: AgentClient, err: unknown, log: Logger): unknown {
    if (!(err instanceof StaleEpochError)) return err;
    this.metrics.fencedWritesTotal.inc({ component: 'operator' });
    log.error({ pod: agent.address, err: err.message }, 'agent refused our epoch: a newer leader exists; stopping');
    this.leadership.deposed(`agent ${agent.address} refused a stale epoch: ${err.message}`);
    return new DeposedError(err.message);
  }
}
