import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareEpochs, CorruptEpochError, EpochFile, type Epoch } from '../../src/agent/epoch.js';
import { EpochGuard, type LeaseEpoch } from '../../src/agent/fence.js';
import { scratchDirs } from '../support/scratch-dirs.js';

const e = (holder: string, transitions: number): Epoch => ({ holder, transitions });
const l = (holder: string, transitions: number, uid = 'lease-1'): LeaseEpoch => ({ holder, transitions, uid });

describe('compareEpochs', () => {
  it.each([
    [e('a', 1), e('a', 2), 'older'],
    [e('b', 3), e('a', 2), 'newer'],
    [e('a', 2), e('a', 2), 'same'],
    [e('b', 2), e('a', 2), 'conflict'],
    [e('', 2), e('a', 2), 'conflict'],
  ])('%j vs %j is %s', (a, b, want) => expect(compareEpochs(a, b)).toBe(want));
});

describe('EpochFile', () => {
  const dir = scratchDirs('epoch-');

  it('round-trips an epoch and reports a missing file as none', async () => {
    const file = new EpochFile(join(dir(), 'epoch.json'));
    expect(await file.load()).toBeUndefined();
    await file.save(e('pod-a', 7));
    expect(await file.load()).toEqual(e('pod-a', 7));
  });

  it.each([
    ['torn write', (t: string) => t.slice(0, 10)],
    ['edited transitions', (t: string) => t.replace('"transitions":7', '"transitions":0')],
    ['empty file', () => ''],
  ])('treats a %s as corrupt, never as epoch zero', async (_, damage) => {
    const path = join(dir(), 'epoch.json');
    const file = new EpochFile(path);
    await file.save(e('pod-a', 7));
    writeFileSync(path, damage(readFileSync(path, 'utf8')));
    await expect(file.load()).rejects.toThrow(CorruptEpochError);
  });
});

describe('EpochGuard', () => {
  const dir = scratchDirs('guard-');
  function guard(lease: () => LeaseEpoch | undefined, path = join(dir(), 'epoch.json')) {
    const reads: number[] = [];
    const g = new EpochGuard(new EpochFile(path), async () => {
      reads.push(1);
      return lease();
    });
    return { g, reads, path };
  }

  it('accepts a first epoch that matches the Lease and stores it before answering', async () => {
    const { g, path } = guard(() => l('a', 1));
    await g.init();
    expect(await g.admit(e('a', 1))).toEqual({ ok: true });
    expect(await new EpochFile(path).load()).toEqual({ ...e('a', 1), leaseUid: 'lease-1' });
  });

  it('refuses an older epoch, naming both', async () => {
    const { g } = guard(() => l('b', 2));
    await g.init();
    expect(await g.admit(e('b', 2))).toEqual({ ok: true });
    const refused = await g.admit(e('a', 1));
    expect(refused).toMatchObject({ ok: false, status: 409 });
    expect(!refused.ok && refused.message).toMatch(/a@1.*b@2/);
  });

  it('refuses a different holder at the same term', async () => {
    const { g } = guard(() => l('a', 1));
    await g.init();
    await g.admit(e('a', 1));
    expect(await g.admit(e('b', 1))).toMatchObject({ ok: false, status: 409 });
  });

  it('with an empty disk, learns from the Lease and refuses the deposed leader', async () => {
    const { g } = guard(() => l('b', 5));
    await g.init();
    expect(g.current).toMatchObject(e('b', 5));
    expect(await g.admit(e('a', 4))).toMatchObject({ ok: false, status: 409 });
    expect(await g.admit(e('b', 5))).toEqual({ ok: true });
  });

  it('checks the Lease before accepting a higher epoch it has not seen', async () => {
    let lease = l('a', 1);
    const { g, reads } = guard(() => lease);
    await g.init();
    await g.admit(e('a', 1));
    const before = reads.length;
    await g.admit(e('a', 1));
    expect(reads.length).toBe(before); // same epoch: no apiserver round trip
    lease = l('c', 3);
    expect(await g.admit(e('b', 2))).toMatchObject({ ok: false, status: 409 });
    expect(await g.admit(e('c', 3))).toEqual({ ok: true });
  });

  it('refuses writes with 503 when the Lease cannot be read for an unseen epoch', async () => {
    const { g } = guard(() => {
      throw new Error('apiserver down');
    });
    await g.init();
    expect(await g.admit(e('a', 1))).toMatchObject({ ok: false, status: 503 });
  });

  describe('with a corrupt epoch file', () => {
    const corruptFile = () => {
      const path = join(dir(), 'epoch.json');
      writeFileSync(path, '{"holder":"a","transitions":3');
      return path;
    };

    it('adopts the Lease\'s epoch without a restart, rewrites the file and still refuses the deposed leader', async () => {
      const path = corruptFile();
      const { g } = guard(() => l('b', 4), path);
      await g.init();
      expect(g.current).toMatchObject(e('b', 4));
      expect(await new EpochFile(path).load()).toEqual({ ...e('b', 4), leaseUid: 'lease-1' });
      expect(await g.admit(e('a', 3))).toMatchObject({ ok: false, status: 409 });
      expect(await g.admit(e('b', 4))).toEqual({ ok: true });
    });

    it('refuses every write with 503 while no Lease can vouch for an epoch, and recovers once one can', async () => {
      const path = corruptFile();
      let lease: LeaseEpoch | undefined | 'down' = undefined;
      const { g } = guard(() => {
        if (lease === 'down') throw new Error('apiserver down');
        return lease;
      }, path);
      await g.init();
      for (const state of [undefined, 'down'] as const) {
        lease = state;
        const refused = await g.admit(e('a', 3));
        expect(refused).toMatchObject({ ok: false, status: 503 });
        expect(!refused.ok && refused.message).toMatch(/corrupt/);
      }
      lease = l('a', 5);
      expect(await g.admit(e('a', 3))).toMatchObject({ ok: false, status: 409 });
      expect(await g.admit(e('a', 5))).toEqual({ ok: true });
    });

    it('resumes from the file once it is restored, or relearns once it is deleted', async () => {
      const path = corruptFile();
      const { g } = guard(() => undefined, path);
      await g.init();
      expect(await g.admit(e('a', 3))).toMatchObject({ ok: false, status: 503 });
      await new EpochFile(path).save(e('b', 7));
      expect(await g.admit(e('a', 6))).toMatchObject({ ok: false, status: 409 });
      expect(await g.admit(e('b', 7))).toEqual({ ok: true });
      writeFileSync(path, 'garbage');
      const again = guard(() => undefined, path).g;
      await again.init();
      expect(await again.admit(e('b', 7))).toMatchObject({ ok: false, status: 503 });
      rmSync(path);
      expect(await again.admit(e('b', 8))).toEqual({ ok: true });
    });
  });

  it('does not fence without a Lease (leader election disabled), so a restarted operator is not locked out', async () => {
    const g = new EpochGuard(new EpochFile(join(dir(), 'epoch.json')), undefined);
    await g.init();
    expect(g.fencing).toBe(false);
    expect(await g.admit(e('pod-old', 0))).toEqual({ ok: true });
    expect(await g.admit(e('pod-new', 0))).toEqual({ ok: true });
  });

  it('refuses a "newer" epoch the Lease does not name (a leader of a deleted Lease, or a forged one)', async () => {
    const { g } = guard(() => l('b', 2));
    await g.init();
    expect(await g.admit(e('x', 9))).toMatchObject({ ok: false, status: 409 });
    expect(await g.admit(e('b', 2))).toEqual({ ok: true });
  });

  it('follows a recreated Lease (transitions restart at 0) and refuses the old sequence afterwards', async () => {
    let lease = l('a', 5, 'uid-old');
    const { g } = guard(() => lease);
    await g.init();
    expect(await g.admit(e('a', 5))).toEqual({ ok: true });
    lease = l('b', 0, 'uid-new');
    expect(await g.admit(e('b', 0))).toEqual({ ok: true });
    expect(await g.admit(e('a', 5))).toMatchObject({ ok: false, status: 409 });
    expect(await g.admit(e('a', 6))).toMatchObject({ ok: false, status: 409 });
  });

  it('orders by epoch alone while no Lease exists (bootstrap)', async () => {
    const { g } = guard(() => undefined);
    await g.init();
    expect(await g.admit(e('a', 0))).toEqual({ ok: true });
    expect(await g.admit(e('b', 1))).toEqual({ ok: true });
    expect(await g.admit(e('a', 0))).toMatchObject({ ok: false, status: 409 });
  });
});
