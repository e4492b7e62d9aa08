/**
 * node.ts starts a real Kubernetes node next to the test bed's control plane: containerd (Debian's,
 * with its own config, root, state and socket under the node's directory), the kubelet and
 * kube-proxy in the node's own network namespace, kube-scheduler on the host, and a socat
 * forwarder that lets the node reach the apiserver (which listens on 127.0.0.1 only). See
 * network.ts for the addresses and host.ts for what is put back at teardown.
 *
 * A node that fails to start fails with the component, the reason and its last log lines, and
 * leaves nothing behind; a crashed run's node is cleaned up at the next start (NODE_RECORD).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageArchive } from '../images/images.js';
import { writeTokenKubeconfig } from '../kubeconfig-files.js';
import { pollUntil, probe } from '../net.js';
import { isAlive, ManagedProcess } from '../processes.js';
import { cniConflist, containerdConfig, kubeletConfig, NODE_NAME, nodePaths, proxyConfig, type NodePaths } from './configs.js';
import { killPodProcesses, processesWithArg, removePodCgroups, restoreSysctls, saveSysctls, sh, trySh, unmountUnder } from './host.js';
import { inNodeNetns, NODE_NET, nodeNetnsPids, setUpNodeNetwork, tearDownNodeNetwork } from './network.js';

/** NODE_RECORD names the running node's directory and owner, for the cleanup after a crash. */
export const NODE_RECORD = '/tmp/bindy-testbed-node.json';

export interface RealNodeOptions {
  /** The run's state dir: the node lives in <stateDir>/node, logs in <stateDir>/logs. */
  readonly stateDir: string;
  /** The multi-call binary (kubelet, kube-scheduler, kube-proxy roles). */
  readonly binary: string;
  /** The apiserver on loopback, e.g. https://127.0.0.1:6443, its CA and the admin's token. */
  readonly server: string;
  readonly caPem: string;
  readonly adminToken: string;
  readonly adminKubeconfig: string;
  /** Token of user system:node:<NODE_NAME> in group system:nodes (for the Node authorizer). */
  readonly nodeToken: string;
  /** docker-archive tarballs imported into containerd before the kubelet starts (with their extra tags). */
  readonly images: readonly ImageArchive[];
  readonly readyTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

/** RealNode is a Ready node; stop() removes every trace of it (see host.ts). */
export interface RealNode {
  readonly name: string;
  readonly internalIp: string;
  readonly containerdSocket: string;
  readonly timings: Readonly<Record<'network' | 'containerd' | 'images' | 'kubelet' | 'proxy', number>>;
  stop(): Promise<void>;
}

/** startRealNode cleans up any earlier node, then starts one and waits until it is Ready. */
export async function startRealNode(o: RealNodeOptions): Promise<RealNode> {
  cleanUpNode(o.log);
  const paths = nodePaths(join(o.stateDir, 'node'));
  mkdirSync(paths.cniConfDir, { recursive: true });
  mkdirSync(paths.kubeletDir, { recursive: true });
  writeFileSync(NODE_RECORD, JSON.stringify({ owner: process.pid, root: paths.root, socket: paths.containerdSocket }));
  const processes: ManagedProcess[] = [];
  const stop = async (): Promise<void> => {
    // The kubelet leaves pods running when it exits; cleanUpNode kills them, the shims and containerd.
    for (const p of [...processes].reverse()) if (p.spec.name !== 'containerd') await p.stop();
    cleanUpNode(o.log);
    for (const p of processes) await p.stop();
  };
  try {
    const timings = await launch(o, paths, processes);
    return { name: NODE_NAME, internalIp: NODE_NET.nodeIp, containerdSocket: paths.containerdSocket, timings, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function launch(o: RealNodeOptions, paths: NodePaths, processes: ManagedProcess[]): Promise<RealNode['timings']> {
  const timeoutMs = o.readyTimeoutMs ?? 90_000;
  const run = (name: string, command: string, args: string[]): ManagedProcess => {
    const p = new ManagedProcess({ name, command, args, logFile: join(o.stateDir, 'logs', `${name}.log`) });
    processes.push(p);
    return p;
  };
  const inNode = (name: string, command: string, args: string[]): ManagedProcess => run(name, ...inNodeNetns(command, args));
  const timed = async (what: () => Promise<void> | void): Promise<number> => {
    const started = Date.now();
    await what();
    return Date.now() - started;
  };
  const port = new URL(o.server).port;
  const nodeServer = `https://${NODE_NET.hostIp}:${port}`;
  const network = await timed(() => {
    setUpNodeNetwork();
    run('apiserver-forward', 'socat', [`TCP-LISTEN:${port},bind=${NODE_NET.hostIp},reuseaddr,fork`, `TCP:127.0.0.1:${port}`]);
  });
  writeFileSync(paths.containerdConfig, containerdConfig(paths));
  writeFileSync(join(paths.cniConfDir, '10-bindy-bed.conflist'), cniConflist(paths));
  const containerd = await timed(async () => {
    const p = inNode('containerd', 'containerd', ['--config', paths.containerdConfig]);
    await waitFor(p, 'containerd did not open its socket', timeoutMs, async () => {
      return trySh('ctr', ['--address', paths.containerdSocket, 'version']) ? true : undefined;
    });
  });
  const images = await timed(() => {
    const ctr = ['--address', paths.containerdSocket, '-n', 'k8s.io', 'images'];
    for (const image of o.images) {
      sh('ctr', [...ctr, 'import', image.path]);
      for (const tag of image.tags.slice(1)) sh('ctr', [...ctr, 'tag', '--force', image.tags[0] as string, tag]);
    }
  });
  const kubelet = await timed(async () => {
    const kubeconfig = join(paths.root, 'kubelet.kubeconfig');
    writeTokenKubeconfig(kubeconfig, { server: nodeServer, caPem: o.caPem, user: `system:node:${NODE_NAME}`, token: o.nodeToken });
    writeFileSync(paths.kubeletConfig, kubeletConfig(paths));
    saveSysctls();
    const p = inNode('kubelet', o.binary, [
      'kubelet', `--config=${paths.kubeletConfig}`, `--kubeconfig=${kubeconfig}`, `--root-dir=${paths.kubeletDir}`,
      `--hostname-override=${NODE_NAME}`, `--node-ip=${NODE_NET.nodeIp}`, '--v=1',
    ]);
    await waitFor(p, `node ${NODE_NAME} did not become Ready`, timeoutMs, () => nodeReady(o));
  });
  run('kube-scheduler', o.binary, ['kube-scheduler', `--kubeconfig=${o.adminKubeconfig}`, '--leader-elect=false', '--secure-port=0']);
  const proxy = await timed(async () => {
    const kubeconfig = join(paths.root, 'kube-proxy.kubeconfig');
    writeTokenKubeconfig(kubeconfig, { server: nodeServer, caPem: o.caPem, user: 'admin', token: o.adminToken });
    writeFileSync(paths.proxyConfig, proxyConfig(kubeconfig));
    const p = inNode('kube-proxy', o.binary, ['kube-proxy', `--config=${paths.proxyConfig}`, '--v=1']);
    await waitFor(p, 'kube-proxy did not program the Service rules', timeoutMs, async () => {
      const [cmd, args] = inNodeNetns('iptables', ['-t', 'nat', '-S', 'KUBE-SERVICES']);
      try {
        return sh(cmd, args).includes('default/kubernetes') ? true : undefined;
      } catch {
        return undefined;
      }
    });
  });
  return { network, containerd, images, kubelet, proxy };
}

/** waitFor polls `check` while `p` runs; it fails with p's last lines if p exits or time runs out. */
async function waitFor(p: ManagedProcess, what: string, timeoutMs: number, check: () => Promise<true | undefined>): Promise<void> {
  await pollUntil(check, { what, timeoutMs, intervalMs: 200, abortReason: () => (p.exitReason ? p.describeFailure() : undefined) }).catch((err: Error) => {
    throw new Error(`${err.message}\n${p.exitReason ? '' : p.describeFailure()}`.trimEnd());
  });
}

async function nodeReady(o: RealNodeOptions): Promise<true | undefined> {
  const { status, body } = await probe(`${o.server}/api/v1/nodes/${NODE_NAME}`, { ca: Buffer.from(o.caPem), token: o.adminToken });
  if (status !== 200) return undefined;
  const node = JSON.parse(body) as { status?: { conditions?: Array<{ type: string; status: string }> } };
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? true : undefined;
}

/**
 * removeLeftoverNode removes what a crashed run's node left on the machine (see cleanUpNode);
 * a no-op when no node record exists, or when its owner still runs: that is another bed's live
 * node, and a control-plane-only bed runs beside it. Call it before deleting dead runs'
 * directories: their mounts make the deletion fail.
 */
export function removeLeftoverNode(log?: (line: string) => void): void {
  if (!existsSync(NODE_RECORD)) return;
  const { owner } = JSON.parse(readFileSync(NODE_RECORD, 'utf8')) as { owner?: number };
  if (owner !== undefined && owner !== process.pid && isAlive(owner)) return;
  cleanUpNode(log);
}

/**
 * cleanUpNode removes a node's every trace: pods' processes, containerd shims, whatever still runs
 * in the node's netns (containerd, the kubelet), mounts, cgroups, the netns and veth, changed
 * sysctls and the directory.
 */
function cleanUpNode(log?: (line: string) => void): void {
  let record: { owner?: number; root?: string; socket?: string } = {};
  if (existsSync(NODE_RECORD)) record = JSON.parse(readFileSync(NODE_RECORD, 'utf8')) as typeof record;
  if (record.owner !== undefined && record.owner !== process.pid && isAlive(record.owner)) {
    throw new Error(`testbed: another test bed's node runs (pid ${record.owner}); hold /tmp/bindy-bed.lock to run one at a time`);
  }
  const pods = killPodProcesses();
  const shims = record.socket ? processesWithArg(record.socket) : [];
  const stray = [...shims, ...nodeNetnsPids()];
  for (const pid of stray) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
  const mounts = record.root ? unmountUnder(record.root) : 0;
  const cgroupsLeft = removePodCgroups();
  tearDownNodeNetwork();
  const sysctls = restoreSysctls();
  if (record.root) rmSync(record.root, { recursive: true, force: true });
  rmSync(NODE_RECORD, { force: true });
  if (record.owner !== undefined && record.owner !== process.pid && (pods + stray.length + mounts > 0 || sysctls.length > 0)) {
    log?.(`testbed: removed a crashed node (pid ${record.owner}): ${pods} pod processes, ${stray.length} node processes, ${mounts} mounts; restored ${sysctls.join(', ') || 'no sysctls'}`);
  }
  if (cgroupsLeft.length > 0) log?.(`testbed: could not remove cgroups ${cgroupsLeft.join(', ')}`);
}
