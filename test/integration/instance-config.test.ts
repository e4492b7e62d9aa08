/**
 * A broken server config is refused and a stuck rollout is visible (issue 14), against the real
 * apiserver and controller-manager. No test node runs this namespace's pods: the test plays the
 * kubelet's part by writing pod status (Ready, or a crash loop) through the status subresource.
 */
import { pino } from 'pino';
import { createControllers } from '../../src/controllers/manager.js';
import type { KubeClient } from '../../src/kube/api-client.js';
import { OperatorMetrics } from '../../src/observability/metrics.js';
import { deleteDnsObjects, eventually, holdLease, LEASE_NS, prepareDnsTest } from './dns-support.js';

const NS = 'dns-instance-config';
const LEASE = 'bindy-instance-config';
const API = `/apis/bindy.firestoned.io/v1beta1/namespaces/${NS}`;

interface Obj {
  metadata: { name: string; labels?: Record<string, string> };
  status?: { conditions?: Array<{ type: string; status: string; reason: string; message: string }> };
}
const ready = (o: Obj) => o.status?.conditions?.find((c) => c.type === 'Ready');
const instance = (name: string, allowQuery: string[]) => ({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'Bind9Instance', metadata: { name, namespace: NS }, spec: { clusterRef: 'config', role: 'primary', replicas: 1, config: { allowQuery } } });

describe('Bind9Instance config and rollout (real apiserver + controller-manager)', () => {
  let admin: KubeClient;
  let unlock: () => void = () => undefined;
  const stop = new AbortController();
  let runs: Array<Promise<void>> = [];

  beforeAll(async () => {
    ({ admin, unlock } = await prepareDnsTest(NS));
    const leadership = await holdLease(admin, LEASE, 'config-operator', 1);
    const set = createControllers({
      client: admin,
      log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      metrics: new OperatorMetrics({ defaultMetrics: false }),
      config: { leaderElection: true, leaseName: LEASE, leaseNamespace: LEASE_NS, watchNamespace: NS },
      tuning: { resyncMs: 1_000, agentImage: 'bindy:test' },
    });
    runs = [set.informers.start(stop.signal)];
    await eventually(() => {
      if (!set.informers.ready?.()) throw new Error('informers not synced');
    }, 10_000, 50);
    runs.push(set.reconcilers(leadership).start(stop.signal));
  }, 120_000);

  afterAll(async () => {
    await deleteDnsObjects(admin, API, [`${API}/bind9instances/bad`, `${API}/bind9instances/roll`], 15_000);
    stop.abort();
    await Promise.all(runs);
    admin.close();
    unlock();
  }, 60_000);

  it.each([
    [['foo'], /"foo" is not an address/],
    [['10.0.0.0/33'], /prefix length "33"/],
    [['key'], /"key" is not an address/],
  ])('refuses allowQuery %j with InvalidConfig and writes no named.conf', async (allowQuery, message) => {
    await admin.delete(`${API}/bind9instances/bad`).catch(() => undefined);
    await eventually(async () => expect(admin.get(`${API}/bind9instances/bad`)).rejects.toMatchObject({ code: 404 }), 15_000);
    await admin.create(`${API}/bind9instances`, instance('bad', allowQuery));
    await eventually(async () => {
      const r = ready(await admin.get<Obj>(`${API}/bind9instances/bad`));
      expect(r).toMatchObject({ status: 'False', reason: 'InvalidConfig' });
      expect(r?.message).toMatch(message);
    }, 15_000);
    await expect(admin.get(`/api/v1/namespaces/${NS}/configmaps/bad-config`)).rejects.toMatchObject({ code: 404 });
    await expect(admin.get(`/apis/apps/v1/namespaces/${NS}/deployments/bad`)).rejects.toMatchObject({ code: 404 });
  }, 60_000);

  it('turns Ready=False with the new pods\' reason when a rollout never becomes ready', async () => {
    await admin.create(`${API}/bind9instances`, instance('roll', ['any']));
    const first = await podsOf('roll', 1);
    await setPodStatus(first[0]!, 'ready');
    await eventually(async () => expect(ready(await admin.get<Obj>(`${API}/bind9instances/roll`))).toMatchObject({ status: 'True', reason: 'AllReplicasReady' }), 20_000);
    // A config change rolls the pods; the new one crash-loops while the old one still answers.
    await admin.mergePatch(`${API}/bind9instances/roll`, { spec: { config: { allowQuery: ['192.0.2.0/24'] } } });
    const fresh = await eventually(async () => {
      const pods = (await podsOf('roll', 2)).filter((p) => p.metadata.name !== first[0]!.metadata.name);
      if (pods.length === 0) throw new Error('no new pod yet');
      return pods;
    }, 20_000);
    await setPodStatus(fresh[0]!, 'crashloop');
    await eventually(async () => {
      const r = ready(await admin.get<Obj>(`${API}/bind9instances/roll`));
      expect(r).toMatchObject({ status: 'False', reason: 'RolloutNotReady' });
      expect(r?.message).toMatch(new RegExp(`pod ${fresh[0]!.metadata.name}: bind9 CrashLoopBackOff: .*last exit 1 Error`));
    }, 20_000);
  }, 90_000);

  async function podsOf(name: string, atLeast: number): Promise<Obj[]> {
    return eventually(async () => {
      const pods = (await admin.get<{ items: Obj[] }>(`/api/v1/namespaces/${NS}/pods?labelSelector=${encodeURIComponent(`bindy.firestoned.io/instance=${name}`)}`)).items;
      if (pods.length < atLeast) throw new Error(`${pods.length} pods`);
      return pods;
    }, 20_000);
  }

  /** setPodStatus writes what a kubelet would report for the pod. */
  async function setPodStatus(pod: Obj, state: 'ready' | 'crashloop'): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const ok = state === 'ready';
    const cond = (type: string, status: boolean) => ({ type, status: status ? 'True' : 'False', lastTransitionTime: now });
    const container = (name: string) =>
      ok || name === 'agent'
        ? { name, ready: ok, restartCount: 0, image: 'x', imageID: '', state: { running: { startedAt: now } } }
        : { name, ready: false, restartCount: 3, image: 'x', imageID: '', state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: now, finishedAt: now } } };
    await admin.mergePatch(`/api/v1/namespaces/${NS}/pods/${pod.metadata.name}/status`, {
      status: {
        phase: 'Running',
        podIP: '10.250.9.1',
        conditions: [cond('PodScheduled', true), cond('Initialized', true), cond('ContainersReady', ok), cond('Ready', ok)],
        containerStatuses: [container('bind9'), container('agent')],
      },
    });
  }
});
