import type { AgentClient } from '../agent/client.js';
import type { ZoneInfo } from '../agent/zones.js';

/**
 * AgentLists shares each pod's zone list (GET /v1/zones) between the zone reconciles of one
 * leadership term: a list is reused for `maxAgeMs`, concurrent callers share one request, and
 * this term's own confirmed pushes and deletes are written into it, so it stays what the pod
 * serves. Before it, every zone reconcile fetched the whole list (twice when its content
 * changed): a new leader verifying 1,000 zones asked each pod 1,000 times for 1,000 entries.
 * Only the leader writes to agents, so within the window a list can only miss what a pod lost by
 * restarting on an empty disk; the resync after the window refills it, as without the cache.
 */
export class AgentLists {
  private readonly entries = new Map<string, { readonly at: number; readonly zones: Promise<Map<string, number>> }>();

  constructor(
    private readonly maxAgeMs = 1_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** list is the pod's zones with the serial its named serves, at most `maxAgeMs` old. */
  async list(agent: AgentClient): Promise<ZoneInfo[]> {
    return [...(await this.zones(agent))].map(([name, serial]) => ({ name, serial }));
  }

  /** serialOf is the serial the pod serves for one zone (undefined: none). */
  async serialOf(agent: AgentClient, zone: string): Promise<number | undefined> {
    return (await this.zones(agent)).get(zone);
  }

  /** served records a push the pod confirmed. */
  served(agent: AgentClient, zone: string, serial: number): void {
    void this.entries.get(agent.address)?.zones.then((zones) => zones.set(zone, serial), () => undefined);
  }

  /** removed records a zone the pod no longer serves. */
  removed(agent: AgentClient, zone: string): void {
    void this.entries.get(agent.address)?.zones.then((zones) => zones.delete(zone), () => undefined);
  }

  /** forget drops what is known of a pod (a call of unknown outcome): the next reader asks it again. */
  forget(agent: AgentClient): void {
    this.entries.delete(agent.address);
  }

  private zones(agent: AgentClient): Promise<Map<string, number>> {
    const cached = this.entries.get(agent.address);
    if (cached && this.now() - cached.at < this.maxAgeMs) return cached.zones;
    const zones = agent.list().then((list) => new Map(list.map((z) => [z.name, z.serial])));
    const entry = { at: this.now(), zones };
    this.entries.set(agent.address, entry);
    // A failed list is not kept: the next caller asks again.
    zones.catch(() => {
      if (this.entries.get(agent.address) === entry) this.entries.delete(agent.address);
    });
    return zones;
  }
}
