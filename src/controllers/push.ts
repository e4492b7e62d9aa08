import type { Logger } from 'pino';
import { AGENT_PORT, AgentClient, StaleEpochError } from '../agent/client.js';
import type { Bind9Instance } from '../crds/types.js';
import { plan, type DesiredZone, type Plan } from '../dns/plan.js';
import type { KubeClient } from '../kube/api-client.js';
import { NotLeaderError, type Leadership } from '../leader/leadership.js';
import { instanceNames } from './bind9-resources.js';
import { readyPodAddresses, type Caches, type Secret } from './caches.js';
import { DeposedError } from './controller.js';

/** PushMetrics is the part of OperatorMetrics the pusher records into. */
export interface PushMetrics {
  readonly fencedWritesTotal: { inc(labels: { component: string }): void };
}

/** PodResult is the outcome of making one pod serve one zone. */
export interface PodResult {
  readonly pod: string;
  readonly serial?: number;
  readonly changed: boolean;
  readonly error?: string;
}

/**
 * Pusher is the only code that changes what BIND serves. Each write takes a fresh fencing
 * token from leadership.fence() immediately before it is sent, and an agent's 409 (stale epoch)
 * deposes this replica at once: a newer leader exists, so nothing more may be written.
 */
export class Pusher {
  constructor(
    private readonly client: KubeClient,
    private readonly caches: Caches,
    private readonly leadership: Leadership,
    private readonly metrics: PushMetrics,
    private readonly agentPort = AGENT_PORT,
  ) {}

  /** agents returns a client per ready pod of the instance. */
  async agents(instance: Bind9Instance): Promise<AgentClient[]> {
    const ns = instance.metadata.namespace ?? '';
    const names = instanceNames(instance);
    const pods = readyPodAddresses(this.caches, ns, names.service);
    if (pods.length === 0) return [];
    // The cache may lag a Secret created a moment ago; then ask the apiserver once.
    const secret = this.caches.secrets.get(`${ns}/${names.agentSecret}`) ?? (await this.client.get<Secret>(`/api/v1/namespaces/${ns}/secrets/${names.agentSecret}`));
    const token = Buffer.from(secret.data?.token ?? '', 'base64').toString('utf8');
    return pods.map((pod) => new AgentClient(pod, this.agentPort, token));
  }

  /** reportedSerials returns the serial each reachable agent reports for a zone. */
  async reportedSerials(agents: readonly AgentClient[], zoneName: string): Promise<number[]> {
    const lists = await Promise.allSettled(agents.map((a) => a.list()));
    return lists.flatMap((l) => (l.status === 'fulfilled' ? l.value.filter((z) => z.name === zoneName).map((z) => z.serial) : []));
  }

  /** syncZone makes every agent serve `desired` (or not serve `zoneName` when desired is undefined). */
  async syncZone(agents: readonly AgentClient[], zoneName: string, desired: DesiredZone | undefined, log: Logger): Promise<PodResult[]> {
    return Promise.all(
      agents.map(async (agent): Promise<PodResult> => {
        try {
          const current = (await agent.list()).filter((z) => z.name === zoneName);
          const p = plan(desired ? [desired] : [], current);
          const changed = await this.apply(agent, p, log);
          return { pod: agent.address, serial: desired?.serial, changed };
        } catch (err) {
          // Losing leadership is not a pod failure: it ends the reconcile (nothing more may be written, not even status).
          if (err instanceof DeposedError || err instanceof NotLeaderError) throw err;
          return { pod: agent.address, changed: false, error: (err as Error).message };
        }
      }),
    );
  }

  /** apply executes a plan against one agent; returns whether anything was written. */
  async apply(agent: AgentClient, p: Plan, log: Logger): Promise<boolean> {
    let changed = false;
    try {
      for (const zone of [...p.create, ...p.update]) {
        await agent.put(zone.name, zone.text, this.leadership.fence());
        log.info({ pod: agent.address, zone: zone.name, serial: zone.serial }, 'pushed zone');
        changed = true;
      }
      for (const zone of p.delete) {
        await agent.delete(zone, this.leadership.fence());
        log.info({ pod: agent.address, zone }, 'deleted zone from pod');
        changed = true;
      }
    } catch (err) {
      if (!(err instanceof StaleEpochError)) throw err;
      this.metrics.fencedWritesTotal.inc({ component: 'operator' });
      log.error({ pod: agent.address, err: err.message }, 'agent refused our epoch: a newer leader exists; stopping');
      this.leadership.deposed(`agent ${agent.address} refused a stale epoch: ${err.message}`);
      throw new DeposedError(err.message);
    }
    return changed;
  }
}
