/**
 * The test bed's real node: a kubelet, containerd and kube-proxy run pods built from images made
 * here. Pods are scheduled by kube-scheduler, reach and are reached through Services, answer
 * `kubectl logs` / `kubectl exec`, pass probes, and get SIGTERM with their grace period on delete.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer, type Server } from 'node:http';
import type { KubeClient } from '../../src/kube/api-client.js';
import { NODE_NET } from '../../testbed/realnode/network.js';
import { IMAGES } from '../../testbed/images/images.js';
import { adminClient, loadTestbed } from '../../testbed/state.js';
import { eventually } from '../support/eventually.js';

const NS = 'node-basics';
const bed = loadTestbed();

interface Pod {
  metadata: { name: string; uid?: string };
  spec?: { nodeName?: string };
  status?: { phase?: string; podIP?: string; conditions?: Array<{ type: string; status: string }> };
}

/** kubectl runs the bed's kubectl as admin (asynchronously: this process also serves the pods' reports). */
async function kubectl(...args: string[]): Promise<string> {
  if (!bed.kubectl) throw new Error('the test bed has no kubectl');
  return (await promisify(execFile)(bed.kubectl, ['--kubeconfig', bed.kubeconfigs.admin, ...args], { encoding: 'utf8' })).stdout;
}

/** The pod's program: serves HTTP on 8080, logs, and reports SIGTERM to the test before exiting. */
const webServer = (reportUrl: string) => `
const http = require('http');
http.createServer((q, r) => r.end('hello from ' + process.env.HOSTNAME)).listen(8080, () => console.log('listening on 8080'));
process.on('SIGTERM', () => {
  console.log('got SIGTERM');
  http.get('${reportUrl}?pod=' + process.env.HOSTNAME, () => process.exit(0)).on('error', () => process.exit(3));
});`;

describe('the real node (kubelet, containerd, kube-proxy)', () => {
  let admin: KubeClient;
  let reports: Server;
  const sigterms: Array<{ pod: string; at: number }> = [];
  let reportUrl = '';

  beforeAll(async () => {
    admin = adminClient();
    await admin.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }).catch(() => undefined);
    // Pods reach the host only at its veth address: the SIGTERM reports come in there.
    reports = createServer((req, res) => {
      sigterms.push({ pod: new URL(req.url ?? '/', 'http://x').searchParams.get('pod') ?? '', at: Date.now() });
      res.end('ok');
    });
    await new Promise<void>((r) => reports.listen(0, NODE_NET.hostIp, r));
    const address = reports.address();
    reportUrl = `http://${NODE_NET.hostIp}:${typeof address === 'object' && address ? address.port : 0}/sigterm`;
  });

  afterAll(async () => {
    await admin.delete(`/api/v1/namespaces/${NS}`).catch(() => undefined);
    admin.close();
    await new Promise((r) => reports.close(r));
  });

  it('is Ready and reports the bed version', async () => {
    const node = await admin.get<{ status: { nodeInfo: { kubeletVersion: string; containerRuntimeVersion: string }; conditions: Array<{ type: string; status: string }> } }>(`/api/v1/nodes/${bed.node?.name}`);
    expect(node.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(node.status.nodeInfo.kubeletVersion).toBe('v1.34.4');
    expect(node.status.nodeInfo.containerRuntimeVersion).toMatch(/^containerd:\/\/1\.6/);
  });

  it('schedules a Deployment, serves it through its Service and answers kubectl logs and exec', async () => {
    const labels = { app: 'web' };
    await admin.create(`/apis/apps/v1/namespaces/${NS}/deployments`, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: NS },
      spec: {
        replicas: 1, selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            terminationGracePeriodSeconds: 7,
            containers: [{
              name: 'web', image: IMAGES.node, imagePullPolicy: 'Never', command: ['node', '-e', webServer(reportUrl)],
              ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
            }],
          },
        },
      },
    });
    await admin.create(`/api/v1/namespaces/${NS}/services`, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: NS }, spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] } });
    const pod = await eventually(async () => {
      const list = await admin.get<{ items: Pod[] }>(`/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dweb`);
      const p = list.items[0];
      expect(p?.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      return p as Pod;
    }, 60_000, 250);
    expect(pod.spec?.nodeName).toBe(bed.node?.name);
    expect(pod.status?.podIP).toMatch(/^10\.244\.0\./);
    // From the host (the tests' own process) to the pod IP and to the ClusterIP via kube-proxy.
    expect(await (await fetch(`http://${pod.status?.podIP}:8080/`)).text()).toBe(`hello from ${pod.metadata.name}`);
    const svc = await admin.get<{ spec: { clusterIP: string } }>(`/api/v1/namespaces/${NS}/services/web`);
    await eventually(async () => expect(await (await fetch(`http://${svc.spec.clusterIP}/`)).text()).toBe(`hello from ${pod.metadata.name}`), 20_000, 250);
    expect(await kubectl('-n', NS, 'logs', pod.metadata.name)).toContain('listening on 8080');
    // From the pod to the apiserver through the `kubernetes` Service.
    const version = await kubectl('-n', NS, 'exec', pod.metadata.name, '--', 'node', '-e',
      "require('https').get({ host: '10.96.0.1', path: '/version', rejectUnauthorized: false }, (r) => { let b = ''; r.on('data', (c) => (b += c)); r.on('end', () => console.log(r.statusCode, JSON.parse(b).gitVersion)); })");
    expect(version.trim()).toBe('200 v1.34.4');
  }, 120_000);

  it('delivers SIGTERM on kubectl delete pod and waits for the container to exit', async () => {
    const list = await admin.get<{ items: Pod[] }>(`/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dweb`);
    const name = list.items[0]?.metadata.name as string;
    const started = Date.now();
    await kubectl('-n', NS, 'delete', 'pod', name, '--wait=true');
    const report = sigterms.find((s) => s.pod === name);
    expect(report).toBeDefined();
    process.stderr.write(`kubectl delete pod → SIGTERM seen by the container after ${(report?.at ?? 0) - started} ms; pod gone after ${Date.now() - started} ms\n`);
    // The ReplicaSet replaces it on the same node.
    await eventually(async () => {
      const again = await admin.get<{ items: Pod[] }>(`/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dweb`);
      expect(again.items.some((p) => p.metadata.name !== name && p.status?.phase === 'Running')).toBe(true);
    }, 60_000, 250);
  }, 120_000);
});
