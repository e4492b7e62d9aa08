import { sameJson } from '../../src/kube/status.js';

describe('sameJson (what patchStatus compares before writing)', () => {
  it.each<[string, unknown, unknown]>([
    ['objects with keys in another order', { a: 1, b: { c: [1, 2], d: 'x' } }, { b: { d: 'x', c: [1, 2] }, a: 1 }],
    ['a property holding undefined and a missing one', { a: 1, b: undefined }, { a: 1 }],
    ['an array item undefined and null (JSON writes null)', [undefined, 1], [null, 1]],
    ['equal scalars', 'Synced', 'Synced'],
  ])('equal: %s', (_what, a, b) => {
    expect(sameJson(a, b)).toBe(true);
    expect(sameJson(b, a)).toBe(true);
    expect(sameJson(a, b)).toBe(JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b)));
  });

  it.each<[string, unknown, unknown]>([
    ['a changed nested value', { conditions: [{ type: 'Ready', reason: 'Synced' }] }, { conditions: [{ type: 'Ready', reason: 'NotServed' }] }],
    ['an extra key', { a: 1 }, { a: 1, b: 2 }],
    ['null and a missing property (a merge patch deletes with null)', { a: null }, {}],
    ['arrays of other lengths', [1], [1, 1]],
    ['an array and an object', [], {}],
    ['a number and its string', 1, '1'],
    ['reordered array items', [1, 2], [2, 1]],
  ])('different: %s', (_what, a, b) => {
    expect(sameJson(a, b)).toBe(false);
    expect(sameJson(b, a)).toBe(false);
  });
});

/** sortKeys is the slow reference: serialise with sorted keys. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => sortKeys(v ?? null));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).sort(([x], [y]) => x.localeCompare(y)).map(([k, v]) => [k, sortKeys(v)]));
  return value;
}
