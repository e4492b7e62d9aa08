import { pino } from 'pino';
import type { BindControl } from '../../src/agent/bind.js';
import { ZoneCheckError } from '../../src/agent/zone-check.js';
import { agentTlsFixture } from '../support/agent-tls.js';
import { AgentClient, AgentError, StaleEpochError } from '../../src/agent/client.js';
import { runAgent, type RunningAgent } from '../../src/agent/main.js';
import type { KubeClient } from '../../src/kube/api-client.js';
import { KubeApiError } from '../../src/kube/api-error.js';
import { scratchDirs } from '../support/scratch-dirs.js';

/** FakeBind records calls; check() parses the serial like named-checkzone would, and refuses "BAD". */
class FakeBind implements BindControl {
  readonly calls: string[] = [];
  /** Holds every serve until it resolves (a slow named). */
  gate: Promise<void> = Promise.resolve();
  private readonly loaded = new Map<string, number>();
  async serve(zone: string, file: string): Promise<void> {
    this.calls.push(`serve ${zone}`);
    await this.gate;
    this.loaded.set(zone, Number(/SOA \S+ \S+ (\d+)/.exec((await import('node:fs')).readFileSync(file, 'utf8'))?.[1]));
  }
  async reconfigure(zone: string, _file: string, readd: boolean): Promise<void> {
    this.calls.push(`reconfigure ${zone}${readd ? ' readd' : ''}`);
  }
  async remove(zone: string): Promise<void> {
    this.calls.push(`remove ${zone}`);
    this.loaded.delete(zone);
  }
  async loadedSerial(zone: string): Promise<number | undefined> {
    return this.loaded.get(zone);
  }
  /** configure stands for rndc addzone/modzone of a secondary zone: it "transfers" serial 9 at once. */
  async configure(zone: string, config: string, known: boolean): Promise<void> {
    this.calls.push(`${known ? 'modzone' : 'addzone'} ${zone} ${/primaries \{ ([^}]*)\}/.exec(config)?.[1]?.trim()}`);
    this.loaded.set(zone, 9);
  }
  async check(zone: string, file: string): Promise<number> {
    const text = (await import('node:fs')).readFileSync(file, 'utf8');
    if (text.includes('BAD')) throw new ZoneCheckError(`named-checkzone rejected ${zone}: bad`);
    return Number(/SOA \S+ \S+ (\d+)/.exec(text)?.[1]);
  }
}

const noLease = {
  get: async () => {
    throw new KubeApiError(404, 'NotFound', 'lease not found');
  },
} as unknown as KubeClient;

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const zoneText = (serial: number) => `$ORIGIN example.com.\n@ IN SOA ns1.example.com. h.example.com. ${serial} 1 1 1 1\n`;

describe('agent API', () => {
  const dataDir = scratchDirs('agent-');
  let agent: RunningAgent;
  let bind: FakeBind;
  const pki = agentTlsFixture();
  const client = (token = 'secret-token') => new AgentClient('127.0.0.1', agent.port, token, pki.connection());

  beforeEach(async () => {
    bind = new FakeBind();
    agent = await runAgent({
      listenHost: '127.0.0.1',
      port: 0,
      dataDir: dataDir(),
      token: () => 'secret-token',
      tls: pki.tls,
      rndc: { server: '127.0.0.1', port: 1, keyFile: '/nonexistent' },
      log: pino({ level: 'silent' }),
      bind,
      secondaryBind: bind,
      // No Lease object exists (404): the agent fences on the epochs it has accepted itself.
      lease: { client: noLease, namespace: 'dns-system', name: 'bindy-leader' },
    });
  });
  afterEach(async () => {
    await agent.close();
  });

  it('puts, lists and deletes zones', async () => {
    const a = { holder: 'op-a', transitions: 1 };
    expect(await client().put('example.com', zoneText(3), a)).toEqual({ name: 'example.com', serial: 3 });
    expect(await client().list()).toEqual([{ name: 'example.com', serial: 3 }]);
    await client().delete('example.com', a);
    expect(await client().list()).toEqual([]);
    expect(bind.calls).toEqual(['serve example.com', 'remove example.com']);
  });

  it('answers 401 to a missing or wrong token and changes nothing', async () => {
    await expect(client('wrong').put('example.com', zoneText(1), { holder: 'a', transitions: 1 })).rejects.toMatchObject({ status: 401 });
    await expect(client('').list()).rejects.toBeInstanceOf(AgentError);
    expect(bind.calls).toEqual([]);
  });

  it('refuses a stale epoch with 409, leaves the zone untouched and counts it', async () => {
    await client().put('example.com', zoneText(5), { holder: 'op-b', transitions: 2 });
    await expect(client().put('example.com', zoneText(6), { holder: 'op-a', transitions: 1 })).rejects.toBeInstanceOf(StaleEpochError);
    await expect(client().delete('example.com', { holder: 'op-a', transitions: 1 })).rejects.toThrow(/op-a@1.*op-b@2/);
    expect(await client().list()).toEqual([{ name: 'example.com', serial: 5 }]);
    expect(await agent.registry.metrics()).toMatch(/bindy_fenced_writes_total\{component="agent"\} 2/);
  });

  it('answers 422 with named-checkzone output for a zone named refuses, and 400 without an epoch', async () => {
    await expect(client().put('example.com', `BAD ${zoneText(1)}`, { holder: 'a', transitions: 1 })).rejects.toMatchObject({ status: 422 });
    await expect(client().put('../etc', zoneText(1), { holder: 'a', transitions: 1 })).rejects.toMatchObject({ status: 422 });
    await expect(client().put('example.com', zoneText(1), { holder: '', transitions: 1 })).rejects.toMatchObject({ status: 400 });
    expect(bind.calls).toEqual([]);
  });

  it('holds a secondary zone by its primaries only: PUT configures named, GET reads the served serial, DELETE removes it', async () => {
    const a = { holder: 'op-a', transitions: 1 };
    expect(await client().secondary('example.com')).toBeUndefined();
    expect(await client().putSecondary('example.com', ['10.0.0.1', '10.0.0.2'], a)).toEqual({ name: 'example.com', primaries: ['10.0.0.1', '10.0.0.2'], serial: 9 });
    // The same primaries again change nothing; new ones reconfigure the zone.
    await client().putSecondary('example.com', ['10.0.0.1', '10.0.0.2'], a);
    await client().putSecondary('example.com', ['10.0.0.3'], a);
    expect(await client().secondary('example.com')).toEqual({ name: 'example.com', primaries: ['10.0.0.3'], serial: 9 });
    expect(await client().inventory()).toEqual({ zones: [], secondaries: [{ name: 'example.com', primaries: ['10.0.0.3'], serial: 9 }] });
    await client().deleteSecondary('example.com', a);
    expect((await client().inventory()).secondaries).toEqual([]);
    expect(bind.calls).toEqual(['addzone example.com 10.0.0.1; 10.0.0.2;', 'modzone example.com 10.0.0.3;', 'remove example.com']);
    await expect(client().putSecondary('example.com', ['not-an-ip'], a)).rejects.toMatchObject({ status: 400 });
  });

  it('sets a primary zone\'s options and makes named apply them (re-added when signing changes)', async () => {
    const a = { holder: 'op-a', transitions: 1 };
    await client().put('example.com', zoneText(3), a);
    await client().putOptions('example.com', { alsoNotify: ['10.0.0.2'], allowTransfer: ['10.0.0.2', '192.0.2.0/24'] }, a);
    await client().putOptions('example.com', { alsoNotify: ['10.0.0.2'], allowTransfer: ['10.0.0.2', '192.0.2.0/24'] }, a);
    await client().putOptions('example.com', { alsoNotify: ['10.0.0.2'], allowTransfer: ['10.0.0.2'], dnssecPolicy: 'default' }, a);
    expect(await client().list()).toEqual([{ name: 'example.com', serial: 3, options: { alsoNotify: ['10.0.0.2'], allowTransfer: ['10.0.0.2'], dnssecPolicy: 'default' } }]);
    expect(bind.calls).toEqual(['serve example.com', 'reconfigure example.com', 'reconfigure example.com readd']);
    await expect(client().putOptions('example.com', { alsoNotify: ['10.0.0.2; }; include "/etc/passwd'], allowTransfer: [] }, a)).rejects.toMatchObject({ status: 400 });
    await expect(client().putOptions('example.com', { alsoNotify: [], allowTransfer: ['acl-name'] }, a)).rejects.toMatchObject({ status: 400 });
    await expect(client().putOptions('example.com', { alsoNotify: [], allowTransfer: [], dnssecPolicy: 'x"; y' }, a)).rejects.toMatchObject({ status: 400 });
  });

  it('fences every mutation: zone options and secondary zones get 409 for a stale epoch, 400 without one, 401 without the token', async () => {
    await client().put('example.com', zoneText(5), { holder: 'op-b', transitions: 2 });
    const stale = { holder: 'op-a', transitions: 1 };
    const before = [...bind.calls];
    await expect(client().putOptions('example.com', { alsoNotify: ['10.0.0.2'], allowTransfer: ['10.0.0.2'] }, stale)).rejects.toBeInstanceOf(StaleEpochError);
    await expect(client().putSecondary('example.org', ['10.0.0.1'], stale)).rejects.toBeInstanceOf(StaleEpochError);
    await expect(client().deleteSecondary('example.org', stale)).rejects.toBeInstanceOf(StaleEpochError);
    await expect(client().putSecondary('example.org', ['10.0.0.1'], { holder: '', transitions: 2 })).rejects.toMatchObject({ status: 400 });
    await expect(client('wrong').putSecondary('example.org', ['10.0.0.1'], { holder: 'op-b', transitions: 2 })).rejects.toMatchObject({ status: 401 });
    await expect(client('wrong').putOptions('example.com', { alsoNotify: [], allowTransfer: [] }, { holder: 'op-b', transitions: 2 })).rejects.toMatchObject({ status: 401 });
    expect(bind.calls).toEqual(before);
    expect((await client().inventory()).secondaries).toEqual([]);
    expect(await agent.registry.metrics()).toMatch(/bindy_fenced_writes_total\{component="agent"\} 3/);
  });

  it('lands every mutation in admission order: options and secondary-zone writes admitted behind queued zone PUTs wait for their batch', async () => {
    const a = { holder: 'op-a', transitions: 1 };
    let release = (): void => undefined;
    bind.gate = new Promise((r) => (release = r));
    const first = client().put('one.test', zoneText(1), a);
    while (!bind.calls.includes('serve one.test')) await pause(10);
    // Queued behind the running write: the next batch.
    const second = client().put('two.test', zoneText(2), a);
    await pause(100);
    const secondary = client().putSecondary('three.test', ['10.0.0.1'], a);
    await pause(100);
    const options = client().putOptions('two.test', { alsoNotify: ['10.0.0.2'], allowTransfer: ['10.0.0.2'] }, a);
    // Settled together, so a failing expectation below leaves no request unhandled.
    const answers = Promise.allSettled([first, second, secondary, options]);
    await pause(200);
    try {
      expect(bind.calls).toEqual(['serve one.test']);
    } finally {
      release();
    }
    expect((await answers).map((answer) => answer.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    // two.test was served by the time its options landed, so named was told them.
    expect(bind.calls).toEqual(['serve one.test', 'serve two.test', 'addzone three.test 10.0.0.1;', 'reconfigure two.test']);
  });
});
