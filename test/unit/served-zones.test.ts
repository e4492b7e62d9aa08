/**
 * ServedZones: the periodic check that stands in for each served zone's resync. It must queue a
 * zone whose pod lost it or serves another serial, whose pods or instances changed, or whose
 * object changed since its reconcile — and nothing else, asking each pod once.
 */
import type { AgentClient } from '../../src/agent/client.js';
import type { SecondaryZone } from '../../src/agent/secondary.js';
import { AgentLists } from '../../src/controllers/agent-lists.js';
import type { Caches } from '../../src/controllers/caches.js';
import type { Pusher } from '../../src/controllers/push.js';
import { ServedZones } from '../../src/controllers/served-zones.js';
import type { Bind9Instance, DNSZone } from '../../src/crds/types.js';

const primary: Bind9Instance = { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'Bind9Instance', metadata: { name: 'p', namespace: 'ns', labels: { dns: 'x' } }, spec: { clusterRef: 'c', role: 'primary' } };
const secondary: Bind9Instance = { ...primary, metadata: { ...primary.metadata, name: 's' }, spec: { clusterRef: 'c', role: 'secondary' } };

function zone(name: string, resourceVersion = '7'): DNSZone {
  return {
    apiVersion: 'bindy.firestoned.io/v1beta1',
    kind: 'DNSZone',
    metadata: { name, namespace: 'ns', resourceVersion },
    spec: { zoneName: `${name}.test`, clusterRef: 'c', soaRecord: { primaryNs: 'ns1.x.test.', adminEmail: 'h.x.test.', serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 } },
  } as DNSZone;
}

/** bed is one primary pod and one secondary pod whose inventories the test edits, over caches of `zones`. */
function bed(zones: DNSZone[]) {
  const held = {
    p: new Map<string, number>(),
    s: new Map<string, SecondaryZone>(),
  };
  const asked: string[] = [];
  const down = new Set<string>();
  const pods = new Map<string, string[]>([['ns/p', ['10.0.0.1']], ['ns/s', ['10.0.0.2']]]);
  const agent = (host: string, role: 'p' | 's') =>
    ({
      address: `${host}:8053`,
      inventory: async () => {
        asked.push(host);
        if (down.has(host)) throw new Error('connection refused');
        return role === 'p' ? { zones: [...held.p].map(([name, serial]) => ({ name, serial })), secondaries: [] } : { zones: [], secondaries: [...held.s.values()] };
      },
    }) as unknown as AgentClient;
  const pusher = {
    agents: async (i: Bind9Instance) => (pods.get(`ns/${i.metadata.name}`) ?? []).map((h) => agent(h, i.spec.role === 'secondary' ? 's' : 'p')),
    lists: new AgentLists(),
  } as unknown as Pusher;
  const list = <T extends { metadata: { namespace?: string; name: string } }>(items: T[]) => ({ get: (k: string) => items.find((i) => `${i.metadata.namespace}/${i.metadata.name}` === k), list: () => items });
  const caches = { zones: list(zones), instances: list([primary, secondary]), providers: list([]) } as unknown as Caches;
  return { held, asked, down, pods, pusher, caches };
}

/** confirmAll confirms every zone as its reconcile would after a Synced report at `serial`. */
async function confirmAll(served: ServedZones, b: ReturnType<typeof bed>, zones: DNSZone[], serial: number): Promise<void> {
  const instances = [
    { instance: primary, agents: await b.pusher.agents(primary) },
    { instance: secondary, agents: await b.pusher.agents(secondary) },
  ];
  for (const z of zones) {
    b.held.p.set(z.spec.zoneName, serial);
    b.held.s.set(z.spec.zoneName, { name: z.spec.zoneName, primaries: ['10.0.0.1'], serial });
    served.confirm(z, z.spec.zoneName, serial, instances);
  }
}

describe('ServedZones', () => {
  it('queues nothing while every pod serves what was confirmed, asking each pod once per check', async () => {
    const zones = [zone('a'), zone('b'), zone('c')];
    const b = bed(zones);
    const served = new ServedZones();
    await confirmAll(served, b, zones, 5);
    expect(await served.drifted(b.caches, b.pusher)).toEqual([]);
    expect(await served.drifted(b.caches, b.pusher)).toEqual([]);
    expect(b.asked.sort()).toEqual(['10.0.0.1', '10.0.0.1', '10.0.0.2', '10.0.0.2']);
    expect(served.size).toBe(3);
  });

  it('queues the zones a primary pod lost or serves at another serial, and the ones a secondary pod lost', async () => {
    const zones = [zone('a'), zone('b'), zone('c'), zone('d')];
    const b = bed(zones);
    const served = new ServedZones();
    await confirmAll(served, b, zones, 5);
    b.held.p.delete('a.test');
    b.held.p.set('b.test', 4);
    b.held.s.delete('c.test');
    expect((await served.drifted(b.caches, b.pusher)).sort()).toEqual(['ns/a', 'ns/b', 'ns/c']);
    // Queued zones are forgotten until their reconcile confirms them again.
    expect(served.size).toBe(1);
    expect(await served.drifted(b.caches, b.pusher)).toEqual([]);
  });

  it('queues every zone of a pod that does not answer, and of an instance whose pods changed', async () => {
    const zones = [zone('a')];
    const b = bed(zones);
    const served = new ServedZones();
    await confirmAll(served, b, zones, 5);
    b.down.add('10.0.0.2');
    expect(await served.drifted(b.caches, b.pusher)).toEqual(['ns/a']);
    b.down.clear();
    await confirmAll(served, b, zones, 5);
    b.pods.set('ns/s', ['10.0.0.2', '10.0.0.3']);
    expect(await served.drifted(b.caches, b.pusher)).toEqual(['ns/a']);
  });

  it('queues a zone whose object changed since its reconcile (someone else edited its status), and forgets a deleted one', async () => {
    const zones = [zone('a'), zone('b')];
    const b = bed(zones);
    const served = new ServedZones();
    await confirmAll(served, b, zones, 5);
    zones[0] = zone('a', '8');
    zones.pop();
    expect(await served.drifted(b.caches, b.pusher)).toEqual(['ns/a']);
    expect(served.size).toBe(0);
  });
});
