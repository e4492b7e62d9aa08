/**
 * BuildWarmer: a standby builds each zone a change touched once per window, a leader builds
 * nothing (its reconciles do), and a standby that becomes leader stops warming.
 */
import { BuildWarmer } from '../../src/controllers/build-warmer.js';
import type { Caches } from '../../src/controllers/caches.js';
import type { DNSZone } from '../../src/crds/types.js';

const zone = (name: string): DNSZone => ({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'DNSZone', metadata: { name, namespace: 'ns' }, spec: { zoneName: `${name}.test` } }) as DNSZone;
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

function bed(names: string[]) {
  const built: string[] = [];
  const zones = new Map(names.map((n) => [`ns/${n}`, zone(n)]));
  const caches = { zones: { get: (key: string) => zones.get(key) }, zoneBuilds: { of: (z: DNSZone) => void built.push(z.metadata.name) } } as unknown as Pick<Caches, 'zones' | 'zoneBuilds'>;
  return { built, zones, caches };
}

describe('BuildWarmer', () => {
  it('builds each changed zone once per window on a standby, and skips a zone gone meanwhile', async () => {
    const { built, zones, caches } = bed(['a', 'b', 'c']);
    const warmer = new BuildWarmer(caches, () => true, 20);
    for (const key of ['ns/a', 'ns/b', 'ns/a', 'ns/c', 'ns/a']) warmer.changed(key);
    zones.delete('ns/c');
    expect(built).toEqual([]);
    await settle(60);
    expect(built).toEqual(['a', 'b']);
    warmer.changed('ns/b');
    await settle(60);
    expect(built).toEqual(['a', 'b', 'b']);
  });

  it('warms nothing while leading, and drops what is due once it leads', async () => {
    const { built, caches } = bed(['a', 'b']);
    let standby = false;
    const warmer = new BuildWarmer(caches, () => standby, 20);
    warmer.changed('ns/a');
    await settle(60);
    expect(built).toEqual([]);
    standby = true;
    warmer.changed('ns/a');
    warmer.changed('ns/b');
    standby = false;
    await settle(60);
    expect(built).toEqual([]);
  });
});
