/**
 * The operator as pods (dist/dev), operated with the seed guide's Quick Start, Monitoring and
 * "Testing Failover" commands (see guide-support.ts for how the guide's text is run).
 */
import { spawnSync } from 'node:child_process';
import type { KubeClient } from '../../src/kube/api-client.js';
import { adminClient } from '../../testbed/state.js';
import { dig, eventually } from '../integration/dns-support.js';
import { aLeader, applyProfile, bed, deleteLeaderPod, guide, holder, removeOperator, runningPods } from './guide-support.js';

const API = '/apis/bindy.firestoned.io/v1beta1/namespaces/guide';

describe('the seed guide on the operator as pods (dist/dev)', () => {
  let admin: KubeClient;

  beforeAll(async () => {
    admin = adminClient();
    await applyProfile();
  }, 180_000);

  afterAll(async () => {
    await admin.delete('/api/v1/namespaces/guide').catch(() => undefined);
    await removeOperator();
    admin.close();
  }, 90_000);

  it('Quick Start: scale to 3, all replicas run, one holds the lease', async () => {
    await guide('kubectl scale deployment -n bindy-system bindy --replicas=3');
    await guide('kubectl -n dns-system rollout status deployment/bindy --timeout=120s');
    const pods = await guide('kubectl get pods -n bindy-system -l app=bindy');
    expect(pods.split('\n').filter((l) => / Running /.test(l))).toHaveLength(3);
    // A lease left by an earlier Deployment may still name a gone pod: wait for a running holder.
    const leader = await aLeader();
    expect(await runningPods()).toContain(leader);
  }, 180_000);

  it('Check Current Leader and View Lease Details', async () => {
    const leader = await holder();
    expect(await guide(`kubectl get pod -n bindy-system ${leader}`)).toMatch(new RegExp(`${leader}\\s+1/1\\s+Running`));
    const yaml = await guide('kubectl get lease -n bindy-system bindy-leader -o yaml');
    expect(yaml).toContain(`holderIdentity: ${leader}`);
    expect(yaml).toContain('leaseDurationSeconds: 15');
    // The guide's log lines: the standbys say who leads.
    const logs = await guide('kubectl logs -n bindy-system -l app=bindy --tail=-1 --prefix');
    expect(logs).toContain(`Lease already held by ${leader}`);
  }, 60_000);

  it('Simulated Leader Failure: a standby leads, the API answers, DNS keeps being served', async () => {
    await admin.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'guide' } }).catch(() => undefined);
    await admin.create(`${API}/bind9instances`, { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'Bind9Instance', metadata: { name: 'dns', namespace: 'guide', labels: { dns: 'guide' } }, spec: { clusterRef: 'guide', role: 'primary', replicas: 1 } });
    await admin.create(`${API}/dnszones`, {
      apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'DNSZone', metadata: { name: 'guide', namespace: 'guide' },
      spec: {
        zoneName: 'guide.test',
        bind9InstancesFrom: [{ selector: { matchLabels: { dns: 'guide' } } }],
        recordsFrom: [{ selector: { matchLabels: { zone: 'guide' } } }],
        ttl: 60,
        soaRecord: { primaryNs: 'ns1.guide.test.', adminEmail: 'hostmaster.guide.test.', serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 },
      },
    });
    const arecord = (name: string, ip: string) => ({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', metadata: { name, namespace: 'guide', labels: { zone: 'guide' } }, spec: { name, ipv4Addresses: [ip] } });
    await admin.create(`${API}/arecords`, arecord('ns1', '192.0.2.53'));
    await admin.create(`${API}/arecords`, arecord('before', '192.0.2.1'));
    const podIp = await eventually(async () => {
      const ip = await guide("kubectl -n guide get pods -l app.kubernetes.io/name=bind9 -o jsonpath='{.items[0].status.podIP}'");
      expect(ip).not.toBe('');
      expect(dig(ip, 'before.guide.test', 'A')).toBe('192.0.2.1');
      return ip;
    }, 90_000, 500);

    const old = await guide(`LEADER=$(kubectl get lease -n bindy-system bindy-leader \\
  -o jsonpath='{.spec.holderIdentity}')
echo "Current leader: $LEADER"`);
    const leader = old.replace('Current leader: ', '');
    const started = Date.now();
    const { next, tookMs } = await deleteLeaderPod(leader, 60_000);
    process.stderr.write(`seed guide, Simulated Leader Failure: kubectl delete pod ${leader} → ${next} leads after ${tookMs} ms\n`);
    expect(await guide('kubectl get bind9instances -A')).toContain('dns');
    expect(await guide('kubectl get dnszones -A')).toContain('guide');
    await admin.create(`${API}/arecords`, arecord('after', '192.0.2.2'));
    await eventually(() => expect(dig(podIp, 'after.guide.test', 'A')).toBe('192.0.2.2'), 60_000, 250);
    process.stderr.write(`seed guide: a record created after the failover is served by named ${Date.now() - started} ms after the delete\n`);
  }, 240_000);

  it('Network Partition: the leader cut from the API server loses the lease to a standby', async () => {
    const LEADER = await holder();
    // The guide's policy, verbatim. The bridge CNI here does not enforce NetworkPolicy (no
    // policy-enforcing CNI is installable from Debian's or npm's registries), so the test applies
    // the same block, all egress dropped, inside the leader pod's network namespace (iptables).
    await guide(`LEADER=${LEADER}
kubectl apply -f - <<EOF
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: block-leader
  namespace: bindy-system
spec:
  podSelector:
    matchLabels:
      statefulset.kubernetes.io/pod-name: $LEADER
  policyTypes:
  - Egress
  egress: []  # Block all egress
EOF`);
    const egress = (op: '-I' | '-D'): void => {
      const id = spawnSync('bash', ['-c', `KUBECONFIG=${bed.kubeconfigs.admin} ${bed.kubectl} -n dns-system get pod ${LEADER} -o jsonpath='{.status.containerStatuses[0].containerID}'`], { encoding: 'utf8' }).stdout.replace('containerd://', '');
      const tasks = spawnSync('ctr', ['--address', bed.node?.containerdSocket ?? '', '-n', 'k8s.io', 'tasks', 'ls'], { encoding: 'utf8' }).stdout;
      const pid = tasks.split('\n').find((l) => l.startsWith(id))?.split(/\s+/)[1];
      // Egress as NetworkPolicy means it: connections the pod opens (already open ones too); replies to
      // connections opened to the pod (the kubelet's probes) still flow.
      const r = spawnSync('nsenter', [`--net=/proc/${pid}/ns/net`, '--', 'iptables', op, 'OUTPUT', '-m', 'conntrack', '--ctdir', 'ORIGINAL', '-j', 'DROP'], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`iptables ${op} in ${LEADER}'s netns: ${r.stderr}`);
    };
    egress('-I');
    const started = Date.now();
    try {
      // The guide: "Wait for lease expiration (~15 seconds)", then verify a new leader.
      await guide('sleep 20');
      const lease = await guide('kubectl get lease -n bindy-system bindy-leader');
      const next = await holder();
      expect(lease).toContain(next);
      expect(next).not.toBe(LEADER);
      process.stderr.write(`seed guide, Network Partition: ${LEADER} cut off; ${next} held the lease when checked ${Date.now() - started} ms later\n`);
    } finally {
      egress('-D');
      await guide('kubectl delete networkpolicy -n bindy-system block-leader');
    }
    await eventually(async () => expect(await guide(`kubectl logs -n bindy-system ${LEADER}`)).toContain('Leadership lost! Stopping all operators...'), 30_000, 500);
  }, 120_000);
});
