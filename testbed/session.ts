/**
 * session.ts starts "a test bed" for jest and the CLI: a local control plane, or, when
 * asked, an existing cluster from $KUBECONFIG. Each session has its own state dir under
 * .testbed/ (run-<pid>), so two runs in one work tree never share kubeconfigs or kill
 * each other's processes; a new session removes the dirs of runs whose process is gone
 * and kills anything they left running.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeClient } from '../src/kube/api-client.js';
import { loadKubeconfigFile } from '../src/kube/kubeconfig.js';
import { ensureControlPlaneBinary } from './build.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { ensureImages } from './images/images.js';
import { NODE_NET } from './realnode/network.js';
import { removeLeftoverNode, startRealNode, type RealNode } from './realnode/node.js';
import { unmountUnder } from './realnode/host.js';
import { ensureServiceAccounts, useExistingCluster } from './external.js';
import { isAlive, killLeftovers } from './processes.js';
import { DEFAULT_STATE_FILE, writeTestbedState, type TestbedState } from './state.js';

/** TESTBED_DIR is .testbed/ in the repository (gitignored). */
export const TESTBED_DIR = fileURLToPath(new URL('../.testbed/', import.meta.url));

export interface SessionOptions {
  /** Use this existing cluster instead of starting one (needs cluster-admin). */
  readonly kubeconfig?: string;
  /**
   * Start the real node too (kubelet, containerd, scheduler, kube-proxy; images built first).
   * @default process.env.BINDY_TESTBED_NODE === '1'
   */
  readonly node?: boolean;
  readonly log?: (line: string) => void;
}

/** Session is a ready test bed; its state is also written to `<stateDir>/state.json`. */
export interface Session {
  readonly state: TestbedState;
  readonly stateFile: string;
  stop(): Promise<void>;
}

/** startSession cleans up after dead runs, then starts (or adopts) a cluster and writes its state. */
export async function startSession(options: SessionOptions = {}): Promise<Session> {
  removeLeftoverNode(options.log);
  pruneDeadRuns(options.log);
  const stateDir = join(TESTBED_DIR, `run-${process.pid}`);
  rmSync(stateDir, { recursive: true, force: true });
  mkdirSync(stateDir, { recursive: true });
  const stateFile = join(stateDir, 'state.json');
  const publish = (state: TestbedState): void => {
    writeTestbedState(stateFile, state);
    // The latest session is also at .testbed/state.json, for tools run by hand.
    writeTestbedState(DEFAULT_STATE_FILE, state);
  };
  if (options.kubeconfig) {
    const state = await useExistingCluster(options.kubeconfig, stateDir);
    publish(state);
    return { state, stateFile, stop: async () => undefined };
  }
  const withNode = options.node ?? process.env.BINDY_TESTBED_NODE === '1';
  // Images first: a failed build should not leave a control plane to tear down.
  const images = withNode ? await ensureImages(options.log) : undefined;
  const cp = await startControlPlane({ stateDir, log: options.log, advertiseAddress: withNode ? NODE_NET.hostIp : undefined });
  let node: RealNode | undefined;
  const stop = async (): Promise<void> => {
    await node?.stop();
    await cp.stop();
  };
  try {
    const admin = new KubeClient(loadKubeconfigFile(cp.kubeconfigs.admin));
    await ensureServiceAccounts(admin).finally(() => admin.close());
    const binary = await ensureControlPlaneBinary({ log: options.log });
    if (images) node = await startRealNode(realNodeOptions(cp, stateDir, binary, images.archives, options.log));
    const state: TestbedState = {
      local: true,
      server: cp.server,
      kubeconfigs: cp.kubeconfigs,
      tokens: cp.tokens,
      stateDir,
      pids: cp.pids,
      timings: { ...cp.timings, ...(node ? prefixed('node.', node.timings) : {}) },
      kubectl: writeKubectl(stateDir, binary),
      ...(node && images ? { node: { name: node.name, internalIp: node.internalIp, containerdSocket: node.containerdSocket, bindyImage: images.bindyImage } } : {}),
    };
    publish(state);
    // Kubeconfigs and logs stay for a look after the run; the next run prunes them.
    return { state, stateFile, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function realNodeOptions(cp: ControlPlane, stateDir: string, binary: string, images: Parameters<typeof startRealNode>[0]['images'], log?: (line: string) => void) {
  return {
    stateDir, binary, images, log,
    server: cp.server, caPem: cp.caPem, adminToken: cp.tokens.admin, adminKubeconfig: cp.kubeconfigs.admin, nodeToken: cp.nodeToken,
  };
}

function prefixed(prefix: string, timings: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(timings).map(([k, v]) => [`${prefix}${k}`, v]));
}

/** writeKubectl puts a `kubectl` of the bed's Kubernetes version (the multi-call binary) in <stateDir>/bin. */
function writeKubectl(stateDir: string, binary: string): string {
  const path = join(stateDir, 'bin', 'kubectl');
  mkdirSync(join(stateDir, 'bin'), { recursive: true });
  writeFileSync(path, `#!/bin/sh\nexec '${binary}' kubectl "$@"\n`);
  chmodSync(path, 0o755);
  return path;
}

/** pruneDeadRuns kills leftovers of runs whose owner died (pid files) and removes their dirs. */
function pruneDeadRuns(log?: (line: string) => void): void {
  if (!existsSync(TESTBED_DIR)) return;
  for (const entry of readdirSync(TESTBED_DIR)) {
    const match = /^run-(\d+)$/.exec(entry);
    if (!match || Number(match[1]) === process.pid || isAlive(Number(match[1]))) continue;
    const killed = killLeftovers(join(TESTBED_DIR, entry, 'pids.json'));
    if (killed > 0) log?.(`testbed: killed ${killed} process(es) left by a crashed run (${entry})`);
    // A real node's mounts (container rootfs, pod netns files) would make the removal fail.
    unmountUnder(join(TESTBED_DIR, entry));
    rmSync(join(TESTBED_DIR, entry), { recursive: true, force: true });
  }
}
