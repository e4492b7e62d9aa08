/**
 * Leader election against the real apiserver with three operator processes, each behind its own
 * cuttable proxy: election, short outage, partition, graceful handover, crash takeover — with the
 * leadership probe proving that no two leaders ever wrote interleaved.
 * Lease timing 5/4/1 s keeps the file fast. The renew deadline leaves RENEW_S - 2 x RETRY_S = 2 s
 * for the retry after one timed-out attempt (the request timeout is one retry period): with 1 s,
 * a renewal slowed by a loaded machine lost leadership in the short-outage case, correctly.
 */
import type { KubeClient } from '../../src/kube/api-client.js';
import { parseProbeEntries, splitBrainViolations } from '../../src/operator/leadership-probe.js';
import { adminClient, loadTestbed } from '../../testbed/state.js';
import { ReplicaGroup, createNamespace, readLease, sumMetric, waitFor, type Member } from '../support/leader-cluster.js';


const LEASE_S = 5;
const RENEW_S = 4;
const RETRY_S = 1;
const LEASE = 'bindy-leader';

describe('leader election with three replicas', () => {
  let admin: KubeClient;
  let ns: string;
  let group: ReplicaGroup;

  const holder = async (): Promise<string | undefined> => (await readLease(admin, ns, LEASE))?.spec.holderIdentity || undefined;
  const leaderMember = async (): Promise<Member> => group.get(await waitFor('a lease holder', holder));

  beforeAll(async () => {
    const bed = loadTestbed();
    admin = adminClient();
    ns = await createNamespace(admin, 'leader-failover');
    group = new ReplicaGroup({
      kubeconfig: bed.kubeconfigs.admin,
      server: bed.server,
      env: {
        LEASE_NAMESPACE: ns,
        BINDY_DNS_CONTROLLERS: 'false',
        LEASE_DURATION_SECONDS: String(LEASE_S),
        LEASE_RENEW_DEADLINE_SECONDS: String(RENEW_S),
        LEASE_RETRY_PERIOD_SECONDS: String(RETRY_S),
        BINDY_LEADERSHIP_PROBE: `${ns}/leadership-probe`,
      },
    });
    await Promise.all(['bindy-0', 'bindy-1', 'bindy-2'].map((n) => group.add(n)));
  });

  afterAll(async () => {
    await group?.stopAll();
    await admin?.delete(`/api/v1/namespaces/${ns}`).catch(() => undefined);
    admin?.close();
  });

  it('elects exactly one leader; the others log "Lease already held by <holder>" once', async () => {
    const first = await Promise.any(group.members.map((m) => m.replica.waitForLog('Lease acquired, this instance is now the leader', 30_000).then(() => m)));
    await first.replica.waitForLog('Starting all operators');
    const standbys = group.members.filter((m) => m !== first);
    for (const s of standbys) {
      const line = await s.replica.waitForLog(`Lease already held by ${first.name}`);
      expect(line.holderIdentity).toBe(first.name);
    }
    expect(await holder()).toBe(first.name);
    // Several retry periods later the message has still been logged only once per standby.
    await new Promise((r) => setTimeout(r, 3 * RETRY_S * 1000));
    for (const s of standbys) {
      expect(s.replica.count(`Lease already held by ${first.name}`)).toBe(1);
      expect(s.replica.count('Lease acquired, this instance is now the leader')).toBe(0);
      expect(await s.replica.probe('/readyz')).toBe(200);
    }
    expect(await sumMetric(group.members, 'bindy_is_leader')).toBe(1);
    expect((await first.replica.metrics()).get('bindy_leader_elections_total')).toBe(1);
    expect(await first.replica.probe('/healthz')).toBe(200);
  });

  it('keeps leading through a link outage shorter than the renew deadline', async () => {
    const leader = await leaderMember();
    const renewTime = async (): Promise<string | undefined> => (await readLease(admin, ns, LEASE))?.spec.renewTime;
    // 1. Cut the link just after a renewal has landed: that renewal opens the renew deadline, so
    //    the outage starts at a known point of the cadence instead of a random one.
    const newerThan = (seen: string | undefined) => async (): Promise<string | undefined> => {
      const now = await renewTime();
      return now !== seen ? now : undefined;
    };
    await waitFor('a renewal', newerThan(await renewTime()), RENEW_S * 1000, 20);
    const mark = leader.replica.logs.length;
    leader.proxy.blackhole();
    const atCut = await renewTime();
    // 2. Keep it cut until an attempt inside it has failed (request timeout), then heal at once:
    //    the retry that starts then has the rest of the deadline, RENEW_S - 2 x RETRY_S, to land.
    await leader.replica.waitForLog('Could not renew lease', RENEW_S * 1000, mark);
    leader.proxy.heal();
    // 3. The retry renews the same term: a newer renewTime, the same holder, no step-down.
    const healed = await waitFor('a renewal after the outage', newerThan(atCut), LEASE_S * 1000, 20);
    expect(Date.parse(healed)).toBeGreaterThan(Date.parse(atCut ?? ''));
    expect(leader.replica.logs.slice(mark).filter((l) => l.msg.startsWith('Leadership lost'))).toEqual([]);
    expect(await holder()).toBe(leader.name);
    expect(leader.replica.count('Lease acquired, this instance is now the leader')).toBe(1);
  });

  it('a partitioned leader stops before its lease expires; a standby takes over after expiry; the old one rejoins as standby', async () => {
    const old = await leaderMember();
    const mark = old.replica.logs.length;
    const cutAt = Date.now();
    old.proxy.blackhole();
    const lost = await old.replica.waitForLog((l) => l.msg === 'Leadership lost! Stopping all operators...', 10_000, mark);
    const next = await leaderMember().then(async () => waitFor('a new holder', async () => ((await holder()) !== old.name ? holder() : undefined), 15_000));
    const successor = group.get(next);
    const acquired = await successor.replica.waitForLog('Lease acquired, this instance is now the leader');
    console.log(`partition: old leader fenced itself ${lost.receivedAt - cutAt} ms after the cut; ${successor.name} took over ${acquired.receivedAt - cutAt} ms after the cut`);
    expect(lost.receivedAt - cutAt).toBeLessThanOrEqual(RENEW_S * 1000 + 500);
    expect(lost.receivedAt).toBeLessThan(acquired.receivedAt);
    expect(acquired.receivedAt - cutAt).toBeGreaterThanOrEqual((LEASE_S - RETRY_S) * 1000);
    old.proxy.heal();
    await old.replica.waitForLog(`Lease already held by ${successor.name}`, 20_000, mark);
    expect(await holder()).toBe(successor.name);
    expect(await sumMetric(group.running(), 'bindy_is_leader')).toBe(1);
  });

  it('SIGTERM releases the lease: a standby leads well before expiry and the old process exits 0', async () => {
    const old = await leaderMember();
    const termAt = Date.now();
    old.replica.kill('SIGTERM');
    const next = await waitFor('a successor', async () => {
      const h = await holder();
      return h && h !== old.name ? h : undefined;
    }, 10_000, 20);
    const successor = group.get(next);
    const acquired = await successor.replica.waitForLog((l) => l.msg === 'Lease acquired, this instance is now the leader' && l.receivedAt >= termAt);
    const { code } = await old.replica.exited;
    const handoverMs = acquired.receivedAt - termAt;
    console.log(`SIGTERM handover: ${successor.name} leads ${handoverMs} ms after SIGTERM to ${old.name} (lease duration ${LEASE_S} s)`);
    expect(code).toBe(0);
    expect(handoverMs).toBeLessThan(LEASE_S * 1000 / 2);
    expect(old.replica.count('Lease released')).toBe(1);
    expect(old.replica.count(`Lease taken over by ${successor.name}`)).toBe(1);
    expect(await sumMetric(group.running(), 'bindy_is_leader')).toBe(1);
  });

  it('SIGKILL: the standby takes over within lease duration + retry period', async () => {
    const old = await leaderMember();
    const survivor = group.running().find((m) => m !== old)!;
    const before = (await survivor.replica.metrics()).get('bindy_leader_elections_total') ?? 0;
    const killAt = Date.now();
    old.replica.kill('SIGKILL');
    const acquired = await survivor.replica.waitForLog((l) => l.msg === 'Lease acquired, this instance is now the leader' && l.receivedAt >= killAt, 15_000);
    const takeoverMs = acquired.receivedAt - killAt;
    console.log(`SIGKILL takeover: ${survivor.name} leads ${takeoverMs} ms after the leader was killed (lease ${LEASE_S} s, retry ${RETRY_S} s)`);
    expect(takeoverMs).toBeLessThanOrEqual((LEASE_S + RETRY_S) * 1000 + 1000);
    expect((await survivor.replica.metrics()).get('bindy_leader_elections_total')).toBe(before + 1);
    expect(await sumMetric(group.running(), 'bindy_is_leader')).toBe(1);
  });

  it('the leadership probe shows no interleaved writes of two leaders across all of it', async () => {
    const survivor = group.running()[0]!;
    await new Promise((r) => setTimeout(r, 2 * RETRY_S * 1000));
    const cm = await admin.get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${ns}/configmaps/leadership-probe`);
    const entries = parseProbeEntries(cm.data);
    const perTerm = new Map<string, number>();
    for (const e of entries) perTerm.set(`${e.identity}@${e.term}`, (perTerm.get(`${e.identity}@${e.term}`) ?? 0) + 1);
    const writers = new Set(perTerm.keys());
    console.log(`leadership probe: ${entries.length} writes by ${writers.size} terms: ${[...perTerm].map(([t, n]) => `${t} x${n}`).join(', ')}`);
    expect(splitBrainViolations(entries)).toEqual([]);
    expect(writers.size).toBeGreaterThanOrEqual(3);
    expect(entries.at(-1)?.identity).toBe(survivor.name);
  });
});
