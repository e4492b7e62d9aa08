/**
 * intern: cached objects share one copy of each repeated string. Identity is not observable
 * from JavaScript (bench/cache-memory.ts measures the bytes); these check that interning never
 * changes a value.
 */
import { intern, internStrings } from '../../src/kube/intern.js';

describe('intern', () => {
  it('returns an equal string, for names, index-like strings, the empty string and __proto__', () => {
    for (const s of ['bindy.firestoned.io/v1beta1', 'z1.bench.test', '12345', '0', '', '__proto__', 'constructor', 'a\u0000b', 'ünïcode']) expect(intern(s)).toBe(s);
  });

  it('internStrings keeps every value and key of a decoded object, nested in objects and arrays', () => {
    const text = JSON.stringify({
      apiVersion: 'bindy.firestoned.io/v1beta1',
      metadata: { name: 'www', resourceVersion: '42', generation: 3, labels: { zone: 'z1' } },
      spec: { name: 'www', ipv4Addresses: ['192.0.2.1', '192.0.2.2'], ttl: null, flag: true },
      status: { conditions: [{ type: 'Ready', status: 'True', observedGeneration: 3 }], zoneRef: { kind: 'DNSZone', name: 'z1' } },
    });
    const interned = internStrings(JSON.parse(text) as unknown);
    expect(interned).toEqual(JSON.parse(text));
    expect(JSON.stringify(interned)).toBe(text);
  });

  it('internStrings leaves frozen objects as they are and returns non-objects unchanged', () => {
    const frozen = Object.freeze({ a: 'x', inner: { b: 'y' } });
    expect(internStrings(frozen)).toBe(frozen);
    expect(internStrings('s')).toBe('s');
    expect(internStrings(7)).toBe(7);
    expect(internStrings(null)).toBeNull();
  });
});
