/**
 * Secondaries follow their primaries by zone transfer, as upstream Bindy's do: the operator
 * never sends them zone data. It tells each primary pod's named whom to NOTIFY and whom to let
 * transfer the zone (the secondaries' pod addresses, plus the primary instance's own
 * allowTransfer), tells each secondary pod's named to hold the zone as `type secondary` with
 * the primary pods as its primaries, and reads back the serial each secondary serves.
 */
import type { Logger } from 'pino';
import type { AgentClient } from '../agent/client.js';
import { sameOptions, type ZoneOptions } from '../agent/zone-options.js';
import type { Bind9Instance } from '../crds/types.js';
import { DEFAULTS } from '../crds/types.js';
import { NotLeaderError } from '../leader/leadership.js';
import { DeposedError } from './controller.js';
import type { PodResult, Pusher } from './push.js';

/** InstanceAgents are the ready pods of one instance. */
export interface InstanceAgents {
  readonly instance: Bind9Instance;
  readonly agents: readonly AgentClient[];
}

/** TransferPlan is what one zone's primaries and secondaries are told. */
export interface TransferPlan {
  readonly zoneName: string;
  readonly primaries: readonly InstanceAgents[];
  readonly secondaries: readonly InstanceAgents[];
  /** A dnssec-policy the primaries sign the zone with; secondaries transfer the signed zone. */
  readonly dnssecPolicy?: string;
}

/** SecondaryOutcome is what each secondary pod of one instance serves after the sync. */
export interface SecondaryOutcome {
  readonly instance: Bind9Instance;
  readonly results: PodResult[];
}

/** instanceAgents pairs each instance with its ready pods' agents. */
export async function instanceAgents(pusher: Pusher, instances: readonly Bind9Instance[]): Promise<InstanceAgents[]> {
  return Promise.all(instances.map(async (instance) => ({ instance, agents: await pusher.agents(instance) })));
}

/**
 * primaryOptions are one primary instance's options for the zone: NOTIFY to every secondary pod,
 * transfer allowed to them first, then to what the instance's allowTransfer allows (a zone's
 * allow-transfer replaces named.conf's, so that list is repeated here). Without secondaries or
 * signing there is nothing to add and named.conf alone applies.
 */
export function primaryOptions(instance: Bind9Instance, secondaryAddresses: readonly string[], dnssecPolicy: string | undefined): ZoneOptions {
  const signing = dnssecPolicy === undefined ? {} : { dnssecPolicy };
  if (secondaryAddresses.length === 0) return { alsoNotify: [], allowTransfer: [], ...signing };
  const own = (instance.spec.config?.allowTransfer ?? DEFAULTS.bind9Instance.config.allowTransfer).filter((e) => e !== 'none');
  return { alsoNotify: [...secondaryAddresses], allowTransfer: [...secondaryAddresses, ...own.filter((e) => !secondaryAddresses.includes(e))], ...signing };
}

/**
 * syncPrimaryOptions runs before the zone's data is pushed, so a zone new to a pod is added with
 * its options at once (a signed zone is signed from its first load): each primary pod whose
 * options differ from what it reports gets them. Returns the failures by pod.
 */
export async function syncPrimaryOptions(pusher: Pusher, plan: TransferPlan, log: Logger): Promise<Map<string, string>> {
  const secondaryAddresses = addresses(plan.secondaries);
  const errors = new Map<string, string>();
  for (const { instance, agents } of plan.primaries) {
    const desired = primaryOptions(instance, secondaryAddresses, plan.dnssecPolicy);
    await Promise.all(
      agents.map(async (agent) => {
        const error = await settled(async () => {
          if (sameOptions(await pusher.lists.optionsOf(agent, plan.zoneName), desired)) return;
          await pusher.write(agent, log, (epoch) => agent.putOptions(plan.zoneName, desired, epoch));
          pusher.lists.optionsSet(agent, plan.zoneName, desired);
          log.info({ pod: agent.address, zone: plan.zoneName, options: desired }, 'set zone options');
        });
        if (error !== undefined) errors.set(agent.address, error);
      }),
    );
  }
  return errors;
}

/**
 * syncSecondaries runs after the data reached the primaries: each secondary pod holds the zone
 * as a secondary of the primary pods (told only when its primaries differ) and reports the
 * serial it serves now. Secondaries are told nothing while no primary pod is ready: there would
 * be nobody to transfer from.
 */
export async function syncSecondaries(pusher: Pusher, plan: TransferPlan & { readonly serial: number }, log: Logger): Promise<SecondaryOutcome[]> {
  const primaryAddresses = addresses(plan.primaries);
  if (primaryAddresses.length === 0) return [];
  return Promise.all(plan.secondaries.map(async ({ instance, agents }) => ({ instance, results: await Promise.all(agents.map((agent) => followPrimaries(pusher, agent, { ...plan, primaryAddresses }, log))) })));
}

function addresses(instances: readonly InstanceAgents[]): string[] {
  return instances.flatMap((i) => i.agents.map((a) => a.podAddress)).sort();
}

/**
 * followPrimaries makes one secondary pod hold the zone as a secondary of the primaries, and
 * reports the serial it serves. What the pod holds comes from the term's shared inventory
 * (pusher.lists); the serial named serves is read anew only while the one last read is below the
 * desired serial: a secondary's serial only grows, so a caught-up secondary costs no request.
 */
async function followPrimaries(pusher: Pusher, agent: AgentClient, plan: { zoneName: string; primaryAddresses: readonly string[]; serial: number }, log: Logger): Promise<PodResult> {
  const { zoneName, primaryAddresses: primaries } = plan;
  let changed = false;
  let serial: number | undefined;
  const error = await settled(async () => {
    // An instance that was a primary before may still hold the zone as one: named holds a zone once.
    if ((await pusher.lists.serialOf(agent, zoneName)) !== undefined) {
      await pusher.write(agent, log, (epoch) => agent.delete(zoneName, epoch));
      pusher.lists.removed(agent, zoneName);
    }
    let current = await pusher.lists.secondaryOf(agent, zoneName);
    if (current?.primaries.join(',') !== primaries.join(',')) {
      current = await pusher.write(agent, log, (epoch) => agent.putSecondary(zoneName, primaries, epoch));
      pusher.lists.secondaryRead(agent, current);
      changed = true;
      log.info({ pod: agent.address, zone: zoneName, primaries }, 'secondary zone follows primaries');
    } else if ((current.serial ?? -1) < plan.serial) {
      const live = await agent.secondary(zoneName);
      // Gone from the pod (it lost its disk): the next reconcile reads its inventory anew and gives it back.
      if (live) pusher.lists.secondaryRead(agent, live);
      else pusher.lists.forget(agent);
      current = live ?? current;
    }
    serial = current.serial;
  });
  return { pod: agent.address, serial, changed, secondary: true, ...(error === undefined ? {} : { error }) };
}

/** removeSecondaryZone takes a zone off secondary pods (a deleted DNSZone); returns the first failure. */
export async function removeSecondaryZone(pusher: Pusher, agents: readonly AgentClient[], zoneName: string, log: Logger): Promise<string | undefined> {
  const errors = await Promise.all(
    agents.map((agent) =>
      settled(async () => {
        await pusher.write(agent, log, (epoch) => agent.deleteSecondary(zoneName, epoch));
        pusher.lists.secondaryRemoved(agent, zoneName);
      }),
    ),
  );
  return errors.find((e) => e !== undefined);
}

/** removeOrphanSecondaries deletes from one pod the secondary zones no DNSZone assigns to its instance. */
export async function removeOrphanSecondaries(pusher: Pusher, agent: AgentClient, wanted: ReadonlySet<string>, log: Logger): Promise<void> {
  const current = await pusher.lists.secondaries(agent).catch(() => undefined);
  for (const zone of current ?? []) {
    if (wanted.has(zone.name)) continue;
    await pusher.write(agent, log, (epoch) => agent.deleteSecondary(zone.name, epoch));
    pusher.lists.secondaryRemoved(agent, zone.name);
    log.info({ pod: agent.address, zone: zone.name }, 'deleted secondary zone from pod');
  }
}

/** settled runs one pod's step; a failure is that pod's (returned), losing leadership ends the reconcile (thrown). */
async function settled(step: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await step();
    return undefined;
  } catch (err) {
    if (err instanceof DeposedError || err instanceof NotLeaderError) throw err;
    return (err as Error).message;
  }
}
