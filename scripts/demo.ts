/**
 * `npm run demo`: the whole product on one machine, run the way its users run it. A real
 * single-node cluster (the test bed with its real node: kubelet, containerd, kube-proxy), the
 * images built here (our Dockerfile, Debian's bind9), dist/dev applied unmodified but for a
 * kustomize `images:` override, the operator scaled to 3 pods electing a leader as the `bindy`
 * ServiceAccount, a Bind9Instance whose named pod answers `dig`, then `kubectl delete pod` of the
 * leader and a crash of the next one, each followed by a new record that the new leader serves.
 * `npm run demo -- --keep` leaves the cluster up (Ctrl-C stops it) and prints how to use it.
 */
import { execFile, spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { startSession, type Session } from '../testbed/session.js';
import { writeProfileOverlay } from '../testbed/profile-overlay.js';
import { dig, eventually } from '../test/integration/dns-support.js';

const NS = 'demo';
const ZONE = 'example.demo';
/** ZONE_LABEL is how the zone's recordsFrom selects the demo's records. */
const ZONE_LABEL = { zone: 'example-demo' };
const keep = process.argv.includes('--keep');
const started = Date.now();
let session: Session | undefined;

function say(text: string): void {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${text}`);
}

/** kubectl runs a shell command line with the bed's kubectl and admin kubeconfig. */
async function kubectl(line: string): Promise<string> {
  const state = session?.state;
  const env = { ...process.env, KUBECONFIG: state?.kubeconfigs.admin, PATH: `${dirname(state?.kubectl ?? '')}:${process.env.PATH ?? ''}` };
  return (await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', line], { env, encoding: 'utf8' })).stdout.trim();
}

const holder = (): Promise<string> => kubectl("kubectl -n dns-system get lease bindy-leader -o jsonpath='{.spec.holderIdentity}'");

async function deploy(): Promise<void> {
  say('1/7 Starting the cluster: etcd, kube-apiserver, controller-manager, scheduler; kubelet, containerd, kube-proxy in the node\'s netns');
  say('    (the first run builds Kubernetes from Go and the images with debootstrap/buildah: ~12 min; then cached)');
  session = await startSession({ node: true, log: (l) => say(`    ${l}`) });
  say(`    node ${session.state.node?.name} Ready; image built from the Dockerfile: ${session.state.node?.bindyImage}`);
  say('2/7 Applying dist/dev with a kustomize images: override (kubectl apply --server-side -k)');
  const { commands } = writeProfileOverlay(session.state.stateDir, 'dev', session.state.node?.bindyImage ?? '');
  for (const command of commands) await kubectl(command);
  say('3/7 kubectl scale deployment -n dns-system bindy --replicas=3');
  await kubectl('kubectl scale deployment -n dns-system bindy --replicas=3 && kubectl -n dns-system rollout status deployment/bindy --timeout=180s');
  const leader = await eventually(async () => {
    const h = await holder();
    if (!h.startsWith('bindy-')) throw new Error('no leader yet');
    return h;
  }, 60_000, 250);
  say(`    ${leader} holds Lease dns-system/bindy-leader; pods:\n${await kubectl('kubectl -n dns-system get pods -l app=bindy -o wide')}`);
}

async function createDns(): Promise<string> {
  say(`4/7 Creating Bind9Instance demo/primary, DNSZone ${ZONE} and records`);
  const kind = (k: string, name: string, spec: object, labels: Record<string, string> = ZONE_LABEL) => ({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: k, metadata: { name, namespace: NS, labels }, spec });
  const soaRecord = { primaryNs: `ns1.${ZONE}.`, adminEmail: `hostmaster.${ZONE}.`, serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 };
  const objects = [
    kind('Bind9Instance', 'primary', { clusterRef: 'demo', role: 'primary', replicas: 1 }, {}),
    kind('DNSZone', 'example', { zoneName: ZONE, clusterRef: 'demo', recordsFrom: [{ selector: { matchLabels: ZONE_LABEL } }], ttl: 300, soaRecord }, {}),
    // The zone's nameserver lives inside it, so it needs an address (named-checkzone insists).
    kind('ARecord', 'ns1', { name: 'ns1', ipv4Addresses: ['192.0.2.53'] }),
    kind('ARecord', 'www', { name: 'www', ipv4Addresses: ['192.0.2.10'] }),
    kind('AAAARecord', 'www6', { name: 'www', ipv6Addresses: ['2001:db8::10'] }),
    kind('TXTRecord', 'spf', { name: '@', text: ['v=spf1 -all'] }),
  ];
  await kubectl(`kubectl create namespace ${NS} && kubectl apply -f - <<'EOF'\n${objects.map((o) => JSON.stringify(o)).join('\n---\n')}\nEOF`);
  const pod = await eventually(async () => {
    const ip = await kubectl(`kubectl -n ${NS} get pods -l app.kubernetes.io/name=bind9 -o jsonpath='{.items[0].status.podIP}'`);
    if (!ip) throw new Error('no pod IP yet');
    if (dig(ip, ZONE, 'TXT') === '' || dig(ip, `www.${ZONE}`, 'A') !== '192.0.2.10') throw new Error('not served yet');
    return ip;
  }, 120_000, 500);
  const clusterIp = await kubectl(`kubectl -n ${NS} get service primary -o jsonpath='{.spec.clusterIP}'`);
  say('5/7 named (Debian bind9 image, non-root, in the Bind9Instance pod) answers on the pod IP and the ClusterIP:');
  for (const [server, name, type] of [[pod, `www.${ZONE}`, 'A'], [pod, `www.${ZONE}`, 'AAAA'], [pod, ZONE, 'TXT'], [clusterIp, `www.${ZONE}`, 'A']] as const) {
    say(`    dig @${server} ${name} ${type} +short  →  ${dig(server, name, type)}`);
  }
  return pod;
}

/** createRecord applies an ARecord and resolves once named serves it, with how long that took. */
async function createRecord(pod: string, record: string, ip: string): Promise<number> {
  const t0 = Date.now();
  await kubectl(`kubectl apply -f - <<'EOF'\n${JSON.stringify({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', metadata: { name: record, namespace: NS, labels: ZONE_LABEL }, spec: { name: record, ipv4Addresses: [ip] } })}\nEOF`);
  await eventually(() => {
    if (dig(pod, `${record}.${ZONE}`, 'A') !== ip) throw new Error('not served yet');
  }, 90_000, 100);
  return Date.now() - t0;
}

/** handover deletes the leader's pod (SIGTERM) and shows the successor serving a new record. */
async function handover(pod: string): Promise<void> {
  const leader = await holder();
  const sent = Date.now();
  await kubectl(`kubectl delete pod -n dns-system ${leader} --wait=false`);
  const next = await eventually(async () => {
    const h = await holder();
    if (h === leader || !h.startsWith('bindy-')) throw new Error('no new leader yet');
    return h;
  }, 60_000, 50);
  say(`    ${leader} got SIGTERM (kubectl delete pod); ${next} leads after ${Date.now() - sent} ms`);
  const ms = await createRecord(pod, 'after-delete', '192.0.2.21');
  say(`    created ARecord after-delete → dig @${pod} after-delete.${ZONE} A +short  →  ${dig(pod, `after-delete.${ZONE}`, 'A')}  (${ms} ms)`);
}

/**
 * crash SIGKILLs the leader's container through containerd (no lease release). The kubelet
 * restarts it under the same pod name, so either it or a standby leads once the lease allows;
 * a record created at once is served when that leader reconciles.
 */
async function crash(pod: string): Promise<void> {
  const leader = await holder();
  const id = (await kubectl(`kubectl -n dns-system get pod ${leader} -o jsonpath='{.status.containerStatuses[0].containerID}'`)).replace('containerd://', '');
  spawnSync('ctr', ['--address', session?.state.node?.containerdSocket ?? '', '-n', 'k8s.io', 'tasks', 'kill', '-s', 'SIGKILL', id]);
  const ms = await createRecord(pod, 'after-crash', '192.0.2.22');
  const restarts = await kubectl(`kubectl -n dns-system get pod ${leader} -o jsonpath='{.status.containerStatuses[0].restartCount}'`);
  say(`    ${leader} was SIGKILLed (crash); the kubelet restarted it (restarts: ${restarts}); ${await holder()} leads`);
  say(`    created ARecord after-crash → dig @${pod} after-crash.${ZONE} A +short  →  ${dig(pod, `after-crash.${ZONE}`, 'A')}  (${ms} ms after the kill)`);
}

async function main(): Promise<void> {
  await deploy();
  const pod = await createDns();
  say('6/7 Leader failure as in the HA guide: kubectl delete pod -n dns-system $LEADER');
  await handover(pod);
  say('7/7 Crash: SIGKILL to the new leader\'s container (no release); a leader serves again once the Lease allows (≤ 15 s)');
  await crash(pod);
  say('Done: every record answered by named pods across both failovers.');
}

function printKeep(): void {
  const state = session?.state;
  console.log(`\nThe cluster stays up (Ctrl-C stops it and removes everything). In another shell:\n
  export KUBECONFIG=${state?.kubeconfigs.admin}
  export PATH=${dirname(state?.kubectl ?? '')}:$PATH
  kubectl get nodes -o wide
  kubectl get pods -n dns-system -l app=bindy
  kubectl get lease -n dns-system bindy-leader -o jsonpath='{.spec.holderIdentity}'
  kubectl get lease -n dns-system bindy-leader -w
  kubectl delete pod -n dns-system $(kubectl get lease -n dns-system bindy-leader -o jsonpath='{.spec.holderIdentity}')
  kubectl get bind9instances -A; kubectl get dnszones -A
  dig @$(kubectl -n ${NS} get pods -l app.kubernetes.io/name=bind9 -o jsonpath='{.items[0].status.podIP}') www.${ZONE} A +short`);
}

let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await session?.stop().catch((err: Error) => console.error(`cleanup: ${err.message}`));
  }
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(130));

main().then(
  () => {
    if (!keep) return void stop(0);
    printKeep();
  },
  (err: Error) => {
    console.error(`demo failed: ${err.stack ?? err.message}`);
    void stop(1);
  },
);
