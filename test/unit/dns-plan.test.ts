import { isEmpty, plan, type CurrentZone, type DesiredZone } from '../../src/dns/plan.js';

const d = (name: string, serial: number): DesiredZone => ({ name, serial, text: `${name} ${serial}` });
const c = (name: string, serial: number): CurrentZone => ({ name, serial });

describe('plan(desired, current)', () => {
  it.each<[string, DesiredZone[], CurrentZone[], string[], string[], string[]]>([
    ['nothing to do', [], [], [], [], []],
    ['in sync', [d('a', 2)], [c('a', 2)], [], [], []],
    ['empty pod is refilled', [d('a', 1), d('b', 4)], [], ['a', 'b'], [], []],
    ['behind pod is updated', [d('a', 3)], [c('a', 2)], [], ['a'], []],
    ['pod ahead (old leader pushed) is overwritten', [d('a', 3)], [c('a', 9)], [], ['a'], []],
    ['undesired zone is deleted', [], [c('gone', 1)], [], [], ['gone']],
    ['mixed', [d('b', 2), d('a', 1)], [c('a', 1), c('c', 1), c('b', 1)], [], ['b'], ['c']],
  ])('%s', (_, desired, current, create, update, del) => {
    const p = plan(desired, current);
    expect(p.create.map((z) => z.name)).toEqual(create);
    expect(p.update.map((z) => z.name)).toEqual(update);
    expect(p.delete).toEqual(del);
    expect(isEmpty(p)).toBe(create.length + update.length + del.length === 0);
  });

  it('never deletes a zone it does not own', () => {
    expect(plan([], [c('handmade', 1), c('ours', 1)], (z) => z === 'ours').delete).toEqual(['ours']);
  });
});
