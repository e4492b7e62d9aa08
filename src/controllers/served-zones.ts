import type { Logger } from 'pino';
import type { AgentClient } from '../agent/client.js';
import type { Bind9Instance, DNSZone } from '../crds/types.js';
import { sleep } from '../kube/informer.js';
import { intern } from '../kube/intern.js';
import { objectKey } from '../kube/objects.js';
import type { PodInventory } from './agent-lists.js';
import type { Caches } from './caches.js';
import type { Pusher } from './push.js';
import { zoneInstances } from './selection.js';

/** What a zone's last reconcile confirmed: every pod of its instances served `serial`. */
interface Confirmed {
  /** The zone object as that reconcile left it (after its own writes): any later change re-runs it. */
  readonly resourceVersion: string;
  readonly zoneName: string;
  readonly serial: number;
  /** Its instances and their pods then (targetsOf), interned: the zones of one set of pods share one string. */
  readonly targets: string;
}

/** InstancePods is one instance with the agents of its ready pods, as the zone reconciler and the check both see them. */
export interface InstancePods {
  readonly instance: Bind9Instance;
  readonly agents: readonly AgentClient[];
}

/**
 * targetsOf names a zone's instances (role included) and their ready pods, primaries first, in
 * zoneInstances' order: equal strings mean the zone would be pushed to the same pods.
 */
export function targetsOf(instances: readonly InstancePods[]): string {
  return intern(instances.map(({ instance, agents }) => `${objectKey(instance)}${instance.spec.role === 'secondary' ? '~' : ''}=${agents.map((a) => a.address).join(',')}`).join(' '));
}

/**
 * ServedZones re-checks, every resync period, the zones whose last reconcile found every pod
 * serving them (Synced): it asks each pod for its inventory once and queues only the zones that
 * drifted — a pod that lost a zone or serves another serial (restarted on an empty disk), pods or
 * instances that changed, or a zone object changed since (someone else's status edit; our own
 * writes are remembered). Reconciling every zone at every resync instead kept an idle leader of
 * 10,000 zones at 333 reconciles a second (19 % of a core, and garbage enough to hold its heap
 * twice a standby's). Zones in any other state keep their own requeue (dns-zone.ts).
 */
export class ServedZones {
  private readonly confirmed = new Map<string, Confirmed>();

  /** confirm records that a reconcile left `zone` (as written) served at `serial` by every pod of `instances`. */
  confirm(zone: DNSZone, zoneName: string, serial: number, instances: readonly InstancePods[]): void {
    this.confirmed.set(objectKey(zone), { resourceVersion: zone.metadata.resourceVersion ?? '', zoneName, serial, targets: targetsOf(instances) });
  }

  /** unconfirm: a reconcile of the zone started, and only its outcome says whether it is confirmed again. */
  unconfirm(key: string): void {
    this.confirmed.delete(key);
  }

  get size(): number {
    return this.confirmed.size;
  }

  /** run checks the confirmed zones every `periodMs` until the signal aborts, queueing the ones that drifted. */
  async run(signal: AbortSignal, periodMs: number, check: () => Promise<string[]>, enqueue: (key: string) => void, log: Logger): Promise<void> {
    while (!signal.aborted) {
      await sleep(periodMs, signal);
      if (signal.aborted) return;
      try {
        const drifted = await check();
        for (const key of drifted) enqueue(key);
        if (drifted.length > 0) log.info({ zones: drifted.length, first: drifted.slice(0, 3) }, 'resync: zones drifted from what their pods serve; reconciling them');
      } catch (err) {
        log.error({ err: (err as Error).message }, 'resync check failed; trying again next period');
      }
    }
  }

  /**
   * drifted returns (and forgets) the confirmed zones that need a reconcile: (1) each instance's
   * ready pods and (2) each pod's inventory, read once and now; then per zone (3) its object,
   * (4) its instances and their pods, (5) what each pod holds, against what was confirmed.
   */
  async drifted(caches: Pick<Caches, 'zones' | 'instances' | 'providers'>, pusher: Pick<Pusher, 'agents' | 'lists'>): Promise<string[]> {
    const pods = new Map<string, readonly AgentClient[]>();
    const inventories = new Map<string, PodInventory | undefined>();
    for (const instance of caches.instances.list()) {
      const agents = await pusher.agents(instance).catch(() => []);
      pods.set(objectKey(instance), agents);
      await Promise.all(agents.map(async (a) => inventories.set(a.address, await pusher.lists.fresh(a).catch(() => undefined))));
    }
    const due: string[] = [];
    for (const [key, c] of this.confirmed) {
      const zone = caches.zones.get(key);
      if (zone && zone.metadata.resourceVersion === c.resourceVersion && this.serves(zone, c, pods, inventories, caches)) continue;
      this.confirmed.delete(key);
      if (zone) due.push(key);
    }
    return due;
  }

  private serves(zone: DNSZone, c: Confirmed, pods: ReadonlyMap<string, readonly AgentClient[]>, inventories: ReadonlyMap<string, PodInventory | undefined>, caches: Pick<Caches, 'instances' | 'providers'>): boolean {
    const instances = zoneInstances(caches, zone).map((instance) => ({ instance, agents: pods.get(objectKey(instance)) ?? [] }));
    // Primaries first, as the reconciler lists them.
    const ordered = [...instances.filter((i) => i.instance.spec.role !== 'secondary'), ...instances.filter((i) => i.instance.spec.role === 'secondary')];
    if (targetsOf(ordered) !== c.targets) return false;
    return ordered.every(({ instance, agents }) =>
      agents.every((a) => {
        const held = inventories.get(a.address);
        if (!held) return false;
        return instance.spec.role === 'secondary' ? held.secondaries.has(c.zoneName) : held.zones.get(c.zoneName) === c.serial;
      }),
    );
  }
}
