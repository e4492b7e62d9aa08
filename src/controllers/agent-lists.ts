import type { AgentClient } from '../agent/client.js';
import type { SecondaryZone } from '../agent/secondary.js';
import type { ZoneOptions } from '../agent/zone-options.js';
import type { ZoneInfo } from '../agent/zones.js';

/** PodInventory is what one pod holds: primary zones with their serial and options, and secondary zones. */
export interface PodInventory {
  readonly zones: Map<string, number>;
  readonly options: Map<string, ZoneOptions>;
  readonly secondaries: Map<string, SecondaryZone>;
}

/**
 * AgentLists shares each pod's inventory (GET /v1/zones: primary zones with their options,
 * secondary zones) between the reconciles of one leadership term: an inventory is reused for
 * `maxAgeMs`, concurrent callers share one request, and this term's own confirmed writes (pushes,
 * deletes, zone options, secondary zones) are written into it, so it stays what the pod holds.
 * Before it, every zone reconcile fetched the whole list (twice when its content changed, once
 * more per primary and secondary pod for the zone transfer's options): a new leader verifying
 * 1,000 zones asked each pod 1,000 times for 1,000 entries. Only the leader writes to agents, so
 * within the window an inventory can only miss what a pod lost by restarting on an empty disk;
 * the resync after the window refills it, as without the cache. A secondary's serial is the one
 * last read; it only grows, so a reader that needs it current reads it anew (secondaryRead).
 */
export class AgentLists {
  private readonly entries = new Map<string, { readonly at: number; readonly held: Promise<PodInventory> }>();

  constructor(
    private readonly maxAgeMs = 1_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** list is the pod's primary zones with the serial its named serves, at most `maxAgeMs` old. */
  async list(agent: AgentClient): Promise<ZoneInfo[]> {
    return [...(await this.held(agent)).zones].map(([name, serial]) => ({ name, serial }));
  }

  /** secondaries is the pod's secondary zones, at most `maxAgeMs` old. */
  async secondaries(agent: AgentClient): Promise<SecondaryZone[]> {
    return [...(await this.held(agent)).secondaries.values()];
  }

  /** serialOf is the serial the pod serves for one primary zone (undefined: none). */
  async serialOf(agent: AgentClient, zone: string): Promise<number | undefined> {
    return (await this.held(agent)).zones.get(zone);
  }

  /** optionsOf is what the pod reports of a zone's options (undefined: none set, or the zone not served). */
  async optionsOf(agent: AgentClient, zone: string): Promise<ZoneOptions | undefined> {
    return (await this.held(agent)).options.get(zone);
  }

  /** secondaryOf is the pod's secondary zone of that name (undefined: none). */
  async secondaryOf(agent: AgentClient, zone: string): Promise<SecondaryZone | undefined> {
    return (await this.held(agent)).secondaries.get(zone);
  }

  /**
   * fresh is the pod's inventory read now, whatever the age of the one held; later readers share
   * it. The periodic check of confirmed zones (served-zones.ts) reads each pod once this way.
   */
  fresh(agent: AgentClient): Promise<PodInventory> {
    this.entries.delete(agent.address);
    return this.held(agent);
  }

  /** served records a push the pod confirmed. */
  served(agent: AgentClient, zone: string, serial: number): void {
    this.update(agent, (held) => held.zones.set(zone, serial));
  }

  /** removed records a primary zone the pod no longer serves (the agent drops its options with it). */
  removed(agent: AgentClient, zone: string): void {
    this.update(agent, (held) => {
      held.zones.delete(zone);
      held.options.delete(zone);
    });
  }

  /** optionsSet records zone options the pod accepted. */
  optionsSet(agent: AgentClient, zone: string, options: ZoneOptions): void {
    this.update(agent, (held) => held.options.set(zone, options));
  }

  /** secondaryRead records a secondary zone as the pod answered it (after a PUT, or a read of its serial). */
  secondaryRead(agent: AgentClient, secondary: SecondaryZone): void {
    this.update(agent, (held) => held.secondaries.set(secondary.name, secondary));
  }

  /** secondaryRemoved records a secondary zone the pod no longer holds. */
  secondaryRemoved(agent: AgentClient, zone: string): void {
    this.update(agent, (held) => held.secondaries.delete(zone));
  }

  /** forget drops what is known of a pod (a call of unknown outcome): the next reader asks it again. */
  forget(agent: AgentClient): void {
    this.entries.delete(agent.address);
  }

  private update(agent: AgentClient, change: (held: PodInventory) => void): void {
    void this.entries.get(agent.address)?.held.then(change, () => undefined);
  }

  private held(agent: AgentClient): Promise<PodInventory> {
    const cached = this.entries.get(agent.address);
    if (cached && this.now() - cached.at < this.maxAgeMs) return cached.held;
    const held = agent.inventory().then(({ zones, secondaries }) => ({
      zones: new Map(zones.map((z) => [z.name, z.serial])),
      options: new Map(zones.flatMap((z) => (z.options ? [[z.name, z.options] as const] : []))),
      secondaries: new Map(secondaries.map((s) => [s.name, s])),
    }));
    const entry = { at: this.now(), held };
    this.entries.set(agent.address, entry);
    // A failed inventory is not kept: the next caller asks again.
    held.catch(() => {
      if (this.entries.get(agent.address) === entry) this.entries.delete(agent.address);
    });
    return held;
  }
}
