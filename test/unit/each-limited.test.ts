import { eachLimited } from '../../src/agent/each-limited.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('eachLimited', () => {
  it('runs every item, never more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await eachLimited([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      peak = Math.max(peak, ++running);
      await tick();
      running--;
      done.push(n);
    });
    expect(peak).toBe(3);
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('throws a failure only once the work in flight has ended', async () => {
    let inFlight = 0;
    const run = eachLimited(['fail', 'slow'], 2, async (item) => {
      inFlight++;
      await tick();
      if (item === 'fail') {
        inFlight--;
        throw new Error('write failed');
      }
      await tick();
      inFlight--;
    });
    await expect(run).rejects.toThrow('write failed');
    expect(inFlight).toBe(0);
  });

  it('does nothing for no items', async () => {
    await expect(eachLimited([], 4, () => Promise.reject(new Error('called')))).resolves.toBeUndefined();
  });
});
