/**
 * AgentLists: one zone list per pod shared by the reconciles of a term, kept equal to what the
 * pod serves by this term's own pushes and deletes, and asked again after its window or a failure.
 */
import type { AgentClient } from '../../src/agent/client.js';
import { AgentLists } from '../../src/controllers/agent-lists.js';

function agent(zones: Array<{ name: string; serial: number }>) {
  const calls = { n: 0, fail: false };
  const client = {
    address: '10.0.0.1:8053',
    list: async () => {
      calls.n++;
      if (calls.fail) throw new Error('connection refused');
      return zones.map((z) => ({ ...z }));
    },
  } as unknown as AgentClient;
  return { client, calls };
}

describe('AgentLists', () => {
  it('asks a pod once for concurrent and recent readers, and again after the window', async () => {
    let now = 0;
    const lists = new AgentLists(1_000, () => now);
    const { client, calls } = agent([{ name: 'a.test', serial: 3 }]);
    const answers = await Promise.all([lists.serialOf(client, 'a.test'), lists.serialOf(client, 'b.test'), lists.list(client)]);
    expect(answers).toEqual([3, undefined, [{ name: 'a.test', serial: 3 }]]);
    expect(calls.n).toBe(1);
    now = 999;
    await lists.serialOf(client, 'a.test');
    expect(calls.n).toBe(1);
    now = 1_000;
    await lists.serialOf(client, 'a.test');
    expect(calls.n).toBe(2);
  });

  it('writes confirmed pushes and deletes into the shared list', async () => {
    const lists = new AgentLists(1_000, () => 0);
    const { client } = agent([{ name: 'a.test', serial: 3 }]);
    await lists.list(client);
    lists.served(client, 'a.test', 4);
    lists.served(client, 'b.test', 1);
    expect(await lists.serialOf(client, 'a.test')).toBe(4);
    lists.removed(client, 'b.test');
    expect(await lists.list(client)).toEqual([{ name: 'a.test', serial: 4 }]);
  });

  it('keeps no failed list, and forgets a pod after a write of unknown outcome', async () => {
    const lists = new AgentLists(1_000, () => 0);
    const { client, calls } = agent([{ name: 'a.test', serial: 3 }]);
    calls.fail = true;
    await expect(lists.list(client)).rejects.toThrow('connection refused');
    calls.fail = false;
    expect(await lists.serialOf(client, 'a.test')).toBe(3);
    expect(calls.n).toBe(2);
    lists.forget(client);
    await lists.list(client);
    expect(calls.n).toBe(3);
  });
});
