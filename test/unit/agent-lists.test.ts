/**
 * AgentLists: one inventory per pod shared by the reconciles of a term, kept equal to what the
 * pod holds by this term's own writes (pushes, deletes, zone options, secondary zones), and asked
 * again after its window or a failure.
 */
import type { AgentClient } from '../../src/agent/client.js';
import type { SecondaryZone } from '../../src/agent/secondary.js';
import type { ZoneOptions } from '../../src/agent/zone-options.js';
import { AgentLists } from '../../src/controllers/agent-lists.js';

function agent(zones: Array<{ name: string; serial: number; options?: ZoneOptions }>, secondaries: SecondaryZone[] = []) {
  const calls = { n: 0, fail: false };
  const client = {
    address: '10.0.0.1:8053',
    inventory: async () => {
      calls.n++;
      if (calls.fail) throw new Error('connection refused');
      return { zones: zones.map((z) => ({ ...z })), secondaries: secondaries.map((z) => ({ ...z })) };
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

  it('answers zone options and secondary zones from the same inventory, with the term\'s writes in it', async () => {
    const lists = new AgentLists(1_000, () => 0);
    const options = { alsoNotify: ['10.0.0.9'], allowTransfer: ['10.0.0.9'] };
    const { client, calls } = agent([{ name: 'a.test', serial: 3, options }], [{ name: 's.test', primaries: ['10.0.0.1'], serial: 2 }]);
    expect(await lists.optionsOf(client, 'a.test')).toEqual(options);
    expect(await lists.secondaryOf(client, 's.test')).toEqual({ name: 's.test', primaries: ['10.0.0.1'], serial: 2 });
    const signed = { ...options, dnssecPolicy: 'default' };
    lists.optionsSet(client, 'b.test', signed);
    lists.secondaryRead(client, { name: 's.test', primaries: ['10.0.0.1'], serial: 5 });
    expect(await lists.optionsOf(client, 'b.test')).toEqual(signed);
    expect((await lists.secondaryOf(client, 's.test'))?.serial).toBe(5);
    // The agent drops a zone's options with the zone.
    lists.removed(client, 'a.test');
    lists.secondaryRemoved(client, 's.test');
    expect(await lists.optionsOf(client, 'a.test')).toBeUndefined();
    expect(await lists.secondaries(client)).toEqual([]);
    expect(calls.n).toBe(1);
  });
});
