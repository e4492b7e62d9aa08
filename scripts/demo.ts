/**
 * `npm run demo`: the whole product on one machine. A real control plane (test bed), the dev
 * profile's CRDs and RBAC, three operator replicas electing a leader as the `bindy`
 * ServiceAccount, real named + agent for the Bind9Instance's pod, records answered by `dig`,
 * then a graceful handover (SIGTERM) and a crash takeover (SIGKILL), each followed by a new
 * record that the new leader serves. Everything started is stopped on exit or Ctrl-C.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { KubeClient } from '../src/kube/api-client.js';
import { loadKubeconfigFile } from '../src/kube/kubeconfig.js';
import { applyManifests, readManifests, waitEstablished } from '../testbed/apply.js';
import { TestNode } from '../testbed/node/node.js';
import { startSession, type Session } from '../testbed/session.js';
import { dig, eventually } from '../test/integration/dns-support.js';
import { ReplicaGroup, type Member } from '../test/support/leader-cluster.js';

const NS = 'demo';
const ZONE = 'example.demo';
/** ZONE_LABEL is how the zone's recordsFrom selects the demo's records. */
const ZONE_LABEL = { zone: 'example-demo' };
const API = `/apis/bindy.firestoned.io/v1beta1/namespaces/${NS}`;
const started = Date.now();
const cleanups: Array<() => Promise<void> | void> = [];

function say(text: string): void {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${text}`);
}

function aRecord(name: string, owner: string, address: string): object {
  return { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', metadata: { name, namespace: NS, labels: ZONE_LABEL }, spec: { name: owner, ipv4Addresses: [address] } };
}

async function cleanup(): Promise<void> {
  for (const fn of cleanups.reverse()) await Promise.resolve(fn()).catch((err: Error) => console.error(`cleanup: ${err.message}`));
  cleanups.length = 0;
}

async function startBed(): Promise<{ session: Session; admin: KubeClient }> {
  say('1/8 Starting the test bed: etcd, kube-apiserver, kube-controller-manager on 127.0.0.1 (first run builds them: a few minutes)');
  const session = await startSession({ log: (l) => say(`    ${l}`) });
  cleanups.push(() => session.stop());
  const admin = new KubeClient(loadKubeconfigFile(session.state.kubeconfigs.admin));
  cleanups.push(() => admin.close());
  say(`    control plane ready at ${session.state.server}`);
  say(`    try it: export KUBECONFIG=${session.state.kubeconfigs.admin}`);
  return { session, admin };
}

async function applyDevProfile(admin: KubeClient): Promise<void> {
  say('2/8 Applying dist/dev: CRDs, namespace, ServiceAccount and RBAC (the Deployment needs a kubelet: the replicas run here instead)');
  const crds = readManifests('dist/dev/crds.yaml');
  const rest = [...readManifests('dist/dev/cluster.yaml'), ...readManifests('dist/dev/operator.yaml').filter((m) => m.kind === 'ServiceAccount')];
  await applyManifests(admin, [...crds, ...rest], 'bindy-demo');
  for (const crd of crds) await waitEstablished(admin, crd.metadata.name);
  say(`    ${crds.length} CRDs established, ${rest.length} RBAC objects applied`);
}

function startNode(admin: KubeClient): TestNode {
  const stop = new AbortController();
  const workDir = mkdtempSync(join(tmpdir(), 'bindy-demo-node-'));
  const node = new TestNode({ client: admin, log: pino({ level: 'silent' }), workDir, firstOctet: 200, lease: { namespace: 'dns-system', name: 'bindy-leader' } });
  const running = node.start(stop.signal);
  cleanups.push(async () => {
    stop.abort();
    await running;
    rmSync(workDir, { recursive: true, force: true });
  });
  return node;
}

async function startReplicas(session: Session): Promise<ReplicaGroup> {
  say('3/8 Starting 3 operator replicas (bindy-0..2) as ServiceAccount dns-system/bindy, lease 15/10/2 s');
  const group = new ReplicaGroup({ kubeconfig: session.state.kubeconfigs.bindy, server: session.state.server, env: {} });
  cleanups.push(() => group.stopAll());
  await Promise.all(['bindy-0', 'bindy-1', 'bindy-2'].map((n) => group.add(n)));
  return group;
}

async function leaderOf(group: ReplicaGroup, since = 0): Promise<Member> {
  return Promise.any(group.running().map((m) => m.replica.waitForLog((l) => l.msg === 'Starting all operators' && l.receivedAt >= since, 60_000).then(() => m)));
}

async function createDns(admin: KubeClient): Promise<void> {
  say(`5/8 Creating Bind9Instance demo/primary, DNSZone ${ZONE} and records`);
  await admin.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  const kind = (k: string, name: string, spec: object, labels: Record<string, string> = ZONE_LABEL) => ({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: k, metadata: { name, namespace: NS, labels }, spec });
  await admin.create(`${API}/bind9instances`, kind('Bind9Instance', 'primary', { clusterRef: 'demo', role: 'primary', replicas: 1 }, {}));
  const soaRecord = { primaryNs: `ns1.${ZONE}.`, adminEmail: `hostmaster.${ZONE}.`, serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 };
  await admin.create(`${API}/dnszones`, kind('DNSZone', 'example', { zoneName: ZONE, clusterRef: 'demo', recordsFrom: [{ selector: { matchLabels: ZONE_LABEL } }], ttl: 300, soaRecord }, {}));
  // The zone's nameserver lives inside it, so it needs an address (named-checkzone insists).
  await admin.create(`${API}/arecords`, aRecord('ns1', 'ns1', '192.0.2.53'));
  await admin.create(`${API}/arecords`, aRecord('www', 'www', '192.0.2.10'));
  await admin.create(`${API}/aaaarecords`, kind('AAAARecord', 'www6', { name: 'www', ipv6Addresses: ['2001:db8::10'] }));
  await admin.create(`${API}/cnamerecords`, kind('CNAMERecord', 'blog', { name: 'blog', target: `www.${ZONE}.` }));
  await admin.create(`${API}/mxrecords`, kind('MXRecord', 'mx', { name: '@', priority: 10, mailServer: `mail.${ZONE}.` }));
  await admin.create(`${API}/txtrecords`, kind('TXTRecord', 'spf', { name: '@', text: ['v=spf1 -all'] }));
}

async function showAnswers(node: TestNode): Promise<string> {
  const pod = await eventually(() => {
    const address = node.runtimes()[0]?.address;
    if (!address) throw new Error('no named pod running yet');
    return address;
  }, 60_000);
  await eventually(() => {
    if (dig(pod, `www.${ZONE}`, 'A') !== '192.0.2.10') throw new Error('not served yet');
    if (dig(pod, ZONE, 'TXT') === '') throw new Error('not all records served yet');
  }, 60_000);
  for (const [name, type] of [[`www.${ZONE}`, 'A'], [`www.${ZONE}`, 'AAAA'], [`blog.${ZONE}`, 'CNAME'], [ZONE, 'MX'], [ZONE, 'TXT'], [ZONE, 'SOA']] as const) {
    say(`    dig @${pod} ${name} ${type} +short  →  ${dig(pod, name, type)}`);
  }
  return pod;
}

async function failover(group: ReplicaGroup, signal: NodeJS.Signals): Promise<Member> {
  const leader = await leaderOf(group);
  const sent = Date.now();
  const next = Promise.any(group.running().filter((m) => m !== leader).map(async (m) => ({ m, line: await m.replica.waitForLog((l) => l.msg === 'Starting all operators' && l.receivedAt >= sent, 60_000) })));
  leader.replica.kill(signal);
  const { m, line } = await next;
  say(`    ${leader.name} got ${signal}; ${m.name} leads and reconciles after ${line.receivedAt - sent} ms`);
  const exit = await leader.replica.exited;
  say(`    ${leader.name} exited (${exit.signal ?? `code ${exit.code}`})`);
  return m;
}

async function serveAfter(admin: KubeClient, pod: string, name: string, ip: string): Promise<void> {
  const t0 = Date.now();
  await admin.create(`${API}/arecords`, aRecord(name, name, ip));
  await eventually(() => {
    if (dig(pod, `${name}.${ZONE}`, 'A') !== ip) throw new Error('not served yet');
  }, 60_000);
  say(`    created ARecord ${name} → dig @${pod} ${name}.${ZONE} A +short  →  ${dig(pod, `${name}.${ZONE}`, 'A')}  (${Date.now() - t0} ms)`);
}

async function main(): Promise<void> {
  const { session, admin } = await startBed();
  await applyDevProfile(admin);
  const node = startNode(admin);
  const group = await startReplicas(session);
  const leader = await leaderOf(group);
  say(`4/8 ${leader.name} holds Lease dns-system/bindy-leader; the others log "Lease already held by ${leader.name}"`);
  await createDns(admin);
  say('6/8 named (started by the test bed for the instance pod) answers:');
  const pod = await showAnswers(node);
  say('7/8 Graceful handover: SIGTERM to the leader (as in a rolling update); it releases the Lease at once');
  await failover(group, 'SIGTERM');
  await serveAfter(admin, pod, 'after-handover', '192.0.2.21');
  say('8/8 Crash: SIGKILL to the new leader; a standby takes over when the Lease expires (15 s)');
  await failover(group, 'SIGKILL');
  await serveAfter(admin, pod, 'after-crash', '192.0.2.22');
  say('Done: every record answered by named across both failovers. Cleaning up.');
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    say(`${signal}: cleaning up`);
    void cleanup().then(() => process.exit(130));
  });
}

main().then(
  async () => {
    await cleanup();
    process.exit(0);
  },
  async (err: Error) => {
    console.error(`demo failed: ${err.stack ?? err.message}`);
    await cleanup();
    process.exit(1);
  },
);
