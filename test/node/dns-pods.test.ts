/**
 * Bind9Instance pods under the real kubelet: real named from the BIND9 image (Debian's bind9,
 * non-root, binding :53 through the pod sysctl) and the agent sidecar from the image the project's
 * Dockerfile builds. The controllers run in this process; the zone reaches named through the
 * agent at the pod IP, and `dig` gets answers from the pod IPs and from the Service's ClusterIP.
 */
import { pino } from 'pino';
import { createControllers } from '../../src/controllers/manager.js';
import type { KubeClient } from '../../src/kube/api-client.js';
import { OperatorMetrics } from '../../src/observability/metrics.js';
import { adminClient, loadTestbed } from '../../testbed/state.js';
import { deleteDnsObjects, dig, ensureNamespace, eventually, holdLease, installCrds, LEASE_NS } from '../integration/dns-support.js';

const NS = 'dns-pods';
const LEASE = 'bindy-dns-pods';
const API = `/apis/bindy.firestoned.io/v1beta1/namespaces/${NS}`;
const ZONE = 'pods.test';

interface Pod {
  metadata: { name: string };
  status?: { podIP?: string; containerStatuses?: Array<{ name: string; ready: boolean; image: string }> };
}

describe('Bind9Instance pods on the real node', () => {
  let admin: KubeClient;
  const stop = new AbortController();
  let runs: Array<Promise<void>> = [];

  beforeAll(async () => {
    admin = adminClient();
    await installCrds(admin);
    await ensureNamespace(admin, NS);
    const leadership = await holdLease(admin, LEASE, 'pods-operator', 1);
    const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
    const config = { leaderElection: true, leaseName: LEASE, leaseNamespace: LEASE_NS, watchNamespace: NS };
    const agentImage = loadTestbed().node?.bindyImage ?? 'bindy:none';
    const set = createControllers({ client: admin, log, metrics: new OperatorMetrics({ defaultMetrics: false }), config, tuning: { resyncMs: 1_500, agentImage } });
    runs = [set.informers.start(stop.signal)];
    await eventually(() => {
      if (!set.informers.ready?.()) throw new Error('informers not synced');
    }, 10_000, 50);
    runs.push(set.reconcilers(leadership).start(stop.signal));
  }, 60_000);

  afterAll(async () => {
    await deleteDnsObjects(admin, API, [`${API}/dnszones/pods`, `${API}/bind9instances/dns`, `${API}/bind9instances/sec`], 30_000);
    stop.abort();
    await Promise.all(runs);
    await admin.delete(`/api/v1/namespaces/${NS}`).catch(() => undefined);
    admin.close();
  }, 60_000);

  it('runs named as non-root on :53 and serves the zone on the pod IPs and the ClusterIP', async () => {
    const started = Date.now();
    await admin.create(`${API}/bind9instances`, { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'Bind9Instance', metadata: { name: 'dns', namespace: NS, labels: { dns: 'pods' } }, spec: { clusterRef: 'pods', role: 'primary', replicas: 2 } });
    await admin.create(`${API}/dnszones`, {
      apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'DNSZone', metadata: { name: 'pods', namespace: NS },
      spec: {
        zoneName: ZONE,
        bind9InstancesFrom: [{ selector: { matchLabels: { dns: 'pods' } } }],
        recordsFrom: [{ selector: { matchLabels: { zone: 'pods' } } }],
        ttl: 60,
        soaRecord: { primaryNs: `ns1.${ZONE}.`, adminEmail: `hostmaster.${ZONE}.`, serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 },
      },
    });
    const arecord = (name: string, ip: string) => ({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', metadata: { name, namespace: NS, labels: { zone: 'pods' } }, spec: { name, ipv4Addresses: [ip] } });
    // named-checkzone wants an address for the zone's NS.
    await admin.create(`${API}/arecords`, arecord('ns1', '192.0.2.53'));
    await admin.create(`${API}/arecords`, arecord('www', '192.0.2.80'));
    const pods = await eventually(async () => {
      const list = await admin.get<{ items: Pod[] }>(`/api/v1/namespaces/${NS}/pods?labelSelector=app.kubernetes.io%2Fname%3Dbind9`);
      const ready = list.items.filter((p) => p.status?.containerStatuses?.every((c) => c.ready) && p.status.containerStatuses.length === 2);
      if (ready.length < 2) throw new Error(`${ready.length}/2 pods ready`);
      return ready;
    }, 90_000, 500);
    process.stderr.write(`Bind9Instance created → 2 pods Ready (named + agent) in ${Date.now() - started} ms\n`);
    for (const pod of pods) {
      expect(pod.status?.podIP).toMatch(/^10\.244\.0\./);
      await eventually(() => expect(dig(pod.status?.podIP as string, `www.${ZONE}`, 'A')).toBe('192.0.2.80'), 30_000, 250);
    }
    const svc = await admin.get<{ spec: { clusterIP: string } }>(`/api/v1/namespaces/${NS}/services/dns`);
    await eventually(() => expect(dig(svc.spec.clusterIP, `www.${ZONE}`, 'A')).toBe('192.0.2.80'), 20_000, 250);
    process.stderr.write(`record served by named on both pod IPs and ClusterIP ${svc.spec.clusterIP} ${Date.now() - started} ms after create\n`);
  }, 150_000);

  it('a secondary pod gets the zone by zone transfer from the primary pods (non-root named writes it to its data volume) and follows a change', async () => {
    await admin.create(`${API}/bind9instances`, { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'Bind9Instance', metadata: { name: 'sec', namespace: NS, labels: { dns: 'pods' } }, spec: { clusterRef: 'pods', role: 'secondary', replicas: 1 } });
    const secondary = await eventually(async () => {
      const list = await admin.get<{ items: Pod[] }>(`/api/v1/namespaces/${NS}/pods?labelSelector=bindy.firestoned.io%2Finstance%3Dsec`);
      const ready = list.items.find((p) => p.status?.containerStatuses?.every((c) => c.ready) && p.status.containerStatuses.length === 2);
      if (!ready?.status?.podIP) throw new Error('secondary pod not ready');
      return ready.status.podIP;
    }, 90_000, 500);
    await eventually(() => expect(dig(secondary, `www.${ZONE}`, 'A')).toBe('192.0.2.80'), 30_000, 250);
    const changedAt = Date.now();
    await admin.mergePatch(`${API}/arecords/www`, { spec: { ipv4Addresses: ['192.0.2.81'] } });
    await eventually(() => expect(dig(secondary, `www.${ZONE}`, 'A')).toBe('192.0.2.81'), 20_000, 100);
    process.stderr.write(`record change answered by the secondary pod ${Date.now() - changedAt} ms after the patch\n`);
    await eventually(async () => {
      const zone = await admin.get<{ status?: { conditions?: Array<{ type: string; reason: string }>; pods?: unknown[] } }>(`${API}/dnszones/pods`);
      expect(zone.status?.conditions?.find((c) => c.type === 'Ready')?.reason).toBe('Synced');
      expect(zone.status?.pods).toHaveLength(3);
    }, 20_000);
  }, 150_000);
});
