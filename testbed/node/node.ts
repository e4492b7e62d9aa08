/**
 * TestNode plays kubelet for the Pods of Bind9Instances: for each Pod it starts a real named and
 * the real agent on a local address (10.250.0.N on lo) with the config the operator rendered (from the
 * Pod's ConfigMap and Secret volumes), binds the Pod to a Node and reports it Running/Ready with
 * that podIP through the status subresource — so the real EndpointSlice controller builds the
 * slices, as in a cluster. It stops them when the Pod is deleted and then removes the Pod, as
 * kubelet confirms a graceful deletion.
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { runAgent, type RunningAgent } from '../../src/agent/main.js';
import { agentServerName } from '../../src/agent/tls.js';
import { INSTANCE_LABEL } from '../../src/controllers/bind9-resources.js';
import type { KubeClient } from '../../src/kube/api-client.js';
import { KubeClient as Client } from '../../src/kube/api-client.js';
import { Informer } from '../../src/kube/informer.js';
import { withToken } from '../../src/kube/kubeconfig.js';
import { objectKey, type KubeObject } from '../../src/kube/objects.js';
import { AgentGate } from './agent-gate.js';
import { addLoopback, podFiles, removeLoopback, startNamed, stopNamed, writePodFiles, type PodFiles } from './named.js';

export const NODE_NAME = 'bindy-testbed-node';
/** POD_NETWORK is the /24 the node's pods get addresses from (local, on lo; outside the Service CIDR). */
export const POD_NETWORK = '10.250.0.';
/** With gateAgents, the agent listens this many ports above the pod's agent port, behind the gate. */
const GATE_OFFSET = 1000;

interface Pod extends KubeObject {
  spec: { nodeName?: string; serviceAccountName?: string; volumes?: Array<{ name: string; configMap?: { name: string }; secret?: { secretName: string } }> };
  status?: { phase?: string; podIP?: string };
}

/** PodRuntime is what runs for one Pod. */
export interface PodRuntime {
  readonly key: string;
  readonly address: string;
  readonly files: PodFiles;
  named: ChildProcess;
  agent: RunningAgent;
  gate?: AgentGate;
}

export interface TestNodeOptions {
  /** Admin client: reads Secrets, binds Pods, writes Pod status (kubelet's rights). */
  readonly client: KubeClient;
  readonly log: Logger;
  /** Scratch directory for the pods' files; the node owns it and removes it when start() returns. */
  readonly workDir: string;
  /**
   * Last octet of the first pod address; pods get 10.250.0.<first>, <first+1>, … on the loopback
   * interface. Not 127/8: the apiserver refuses loopback addresses in EndpointSlices.
   */
  readonly firstOctet?: number;
  readonly lease: { readonly namespace: string; readonly name: string };
  readonly agentPort?: number;
  /** Only run the Pods of this namespace (tests in parallel each run their own node). */
  readonly namespace?: string;
  /** Put an AgentGate between each pod address and its agent, so tests can delay writes in flight. */
  readonly gateAgents?: boolean;
}

export class TestNode {
  private readonly pods = new Map<string, PodRuntime>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly informer: Informer<Pod>;
  private nextOctet: number;

  constructor(private readonly o: TestNodeOptions) {
    this.nextOctet = o.firstOctet ?? 20;
    this.informer = new Informer<Pod>({ client: o.client, path: o.namespace ? `/api/v1/namespaces/${o.namespace}/pods` : '/api/v1/pods', labelSelector: 'app.kubernetes.io/name=bind9', log: o.log, backoff: { initialMs: 100, maxMs: 1_000 } });
    this.informer.on((type, pod) => this.serially(objectKey(pod), () => this.sync(type === 'DELETED' ? undefined : pod, objectKey(pod))));
  }

  /** start runs the node until the signal aborts, then stops every pod it runs and removes its workDir. */
  async start(signal: AbortSignal): Promise<void> {
    try {
      await this.o.client.create('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: NODE_NAME, labels: { 'kubernetes.io/hostname': NODE_NAME } } }).catch((err: unknown) => {
        if ((err as { code?: number }).code !== 409) throw err;
      });
      await this.informer.start(signal);
      await Promise.all([...this.chains.values()]);
      await Promise.all([...this.pods.keys()].map((key) => this.stopPod(key)));
    } finally {
      rmSync(this.o.workDir, { recursive: true, force: true });
    }
  }

  /** runtime returns what runs for a pod ("namespace/name"), if anything. */
  runtime(key: string): PodRuntime | undefined {
    return this.pods.get(key);
  }

  runtimes(): PodRuntime[] {
    return [...this.pods.values()];
  }

  /** restartPod restarts named and agent of a pod; with `wipe`, on an empty disk (a lost volume). */
  async restartPod(key: string, wipe: boolean): Promise<void> {
    await this.serially(key, async () => {
      const rt = this.pods.get(key);
      if (!rt) throw new Error(`no pod ${key} on the node`);
      await rt.agent.close();
      await stopNamed(rt.named);
      if (wipe) rmSync(rt.files.data, { recursive: true, force: true });
      const pod = this.informer.get(key);
      if (!pod) throw new Error(`pod ${key} is gone`);
      await this.launch(pod, rt.address, rt);
    });
  }

  private serially(key: string, fn: () => Promise<void>): Promise<void> {
    const next = (this.chains.get(key) ?? Promise.resolve()).then(fn).catch((err: unknown) => this.o.log.error({ err, pod: key }, 'test node: pod sync failed'));
    this.chains.set(key, next);
    return next;
  }

  private async sync(pod: Pod | undefined, key: string): Promise<void> {
    if (!pod || pod.metadata.deletionTimestamp) {
      await this.stopPod(key);
      if (pod) await this.o.client.delete(`/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`, { query: { gracePeriodSeconds: 0 } }).catch(() => undefined);
      return;
    }
    if (this.pods.has(key)) return;
    if (!pod.spec.nodeName) await this.bind(pod);
    const address = `${POD_NETWORK}${this.nextOctet++}`;
    await addLoopback(address);
    const files = podFiles(join(this.o.workDir, `${pod.metadata.namespace}-${pod.metadata.name}`));
    const rt = await this.launch(pod, address, { files });
    if (this.o.gateAgents) {
      const tls = await this.agentTls(pod);
      const serverName = agentServerName(pod.metadata.namespace ?? '', pod.metadata.labels?.[INSTANCE_LABEL] ?? '');
      rt.gate = new AgentGate({ host: address, port: this.agentPort }, { host: address, port: this.agentPort + GATE_OFFSET }, { ...tls, serverName });
      await rt.gate.start();
    }
    await this.reportReady(pod, address);
    this.o.log.info({ pod: key, address }, 'test node: pod running');
  }

  /** launch writes the pod's volumes and starts named, then the agent (the sidecar order of a real pod). */
  private async launch(pod: Pod, address: string, previous: Pick<PodRuntime, 'files'>): Promise<PodRuntime> {
    const key = objectKey(pod);
    const ns = pod.metadata.namespace ?? '';
    const volume = (name: string) => pod.spec.volumes?.find((v) => v.name === name);
    const config = await this.o.client.get<{ data: Record<string, string> }>(`/api/v1/namespaces/${ns}/configmaps/${volume('config')?.configMap?.name}`);
    const secret = async (name: string, field: string) => {
      const s = await this.o.client.get<{ data: Record<string, string> }>(`/api/v1/namespaces/${ns}/secrets/${volume(name)?.secret?.secretName}`);
      return Buffer.from(s.data[field] ?? '', 'base64').toString('utf8');
    };
    const files = previous.files;
    const confPath = writePodFiles(files, config.data['named.conf'] ?? '', await secret('rndc', 'rndc.key'), address);
    const named = await startNamed(confPath, files, address, join(files.root, 'named.log'));
    // Until the pod is recorded below, nothing else would stop this named: a pod whose Secrets
    // went away meanwhile (a test tearing its namespace down) left it running after the test.
    const agent = await secret('agent-token', 'token')
      .then((token) => this.startAgent(pod, address, files, token))
      .catch(async (err: unknown) => {
        await stopNamed(named);
        throw err;
      });
    const existing = this.pods.get(key);
    const rt: PodRuntime = { key, address, files, named, agent, gate: existing?.gate };
    this.pods.set(key, rt);
    return rt;
  }

  /** startAgent runs the pod's agent sidecar with its token, and the certificate and ServiceAccount its volumes give it. */
  private async startAgent(pod: Pod, address: string, files: PodRuntime['files'], token: string): Promise<PodRuntime['agent']> {
    return runAgent({
      listenHost: address,
      port: this.o.gateAgents ? this.agentPort + GATE_OFFSET : this.agentPort,
      dataDir: join(files.data, 'bindy'),
      token: () => token,
      tls: await this.agentTls(pod),
      rndc: { server: address, port: 953, keyFile: files.rndcKey, dns: { server: address, port: 53 } },
      lease: { client: await this.serviceAccountClient(pod), namespace: this.o.lease.namespace, name: this.o.lease.name },
      log: this.o.log.child({ pod: objectKey(pod), component: 'agent' }),
    });
  }

  /** agentTls reads the pod's agent-tls volume as the kubelet would mount it, plus the CA that issued it. */
  private async agentTls(pod: Pod): Promise<{ cert: string; key: string; ca: string }> {
    const name = pod.spec.volumes?.find((v) => v.name === 'agent-tls')?.secret?.secretName;
    const s = await this.o.client.get<{ data: Record<string, string> }>(`/api/v1/namespaces/${pod.metadata.namespace}/secrets/${name}`);
    const field = (f: string) => Buffer.from(s.data[f] ?? '', 'base64').toString('utf8');
    return { cert: field('tls.crt'), key: field('tls.key'), ca: field('ca.crt') };
  }

  /** serviceAccountClient authenticates as the pod's ServiceAccount (a TokenRequest, as kubelet projects one). */
  private async serviceAccountClient(pod: Pod): Promise<KubeClient> {
    const sa = pod.spec.serviceAccountName ?? 'default';
    const tr = await this.o.client.create<{ status: { token: string } }>(`/api/v1/namespaces/${pod.metadata.namespace}/serviceaccounts/${sa}/token`, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: 3600 },
    });
    return new Client(withToken(this.o.client.connection, tr.status.token), { timeoutMs: 5_000 });
  }

  private async bind(pod: Pod): Promise<void> {
    await this.o.client.create(`/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/binding`, {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: pod.metadata.name },
      target: { apiVersion: 'v1', kind: 'Node', name: NODE_NAME },
    });
  }

  private async reportReady(pod: Pod, address: string): Promise<void> {
    const now = new Date().toISOString();
    const condition = (type: string) => ({ type, status: 'True', lastTransitionTime: now });
    await this.o.client.mergePatch(`/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`, {
      status: {
        phase: 'Running',
        podIP: address,
        podIPs: [{ ip: address }],
        hostIP: '127.0.0.1',
        startTime: now,
        conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map(condition),
        containerStatuses: ['bind9', 'agent'].map((name) => ({ name, ready: true, started: true, restartCount: 0, image: name, imageID: '', state: { running: { startedAt: now } } })),
      },
    });
  }

  private get agentPort(): number {
    return this.o.agentPort ?? 8053;
  }

  private async stopPod(key: string): Promise<void> {
    const rt = this.pods.get(key);
    if (!rt) return;
    this.pods.delete(key);
    await rt.gate?.close();
    await rt.agent.close();
    await stopNamed(rt.named);
    await removeLoopback(rt.address);
    this.o.log.info({ pod: key }, 'test node: pod stopped');
  }
}
