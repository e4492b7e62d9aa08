/**
 * state.ts is how tests find the test bed that jest's globalSetup started: the setup
 * writes a TestbedState file and exports its path in BINDY_TESTBED_STATE; tests call
 * loadTestbed() or the client helpers below.
 *
 *   const admin = adminClient();
 *   const bindy = serviceAccountClient('bindy');
 *   try { ... } finally { admin.close(); bindy.close(); }
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KubeClient, type KubeClientOptions } from '../src/kube/api-client.js';
import { loadKubeconfigFile } from '../src/kube/kubeconfig.js';
import type { ServiceAccountName } from './control-plane.js';

export type { ServiceAccountName } from './control-plane.js';

/** TestbedState describes one running test bed. */
export interface TestbedState {
  /** true: started by this run on loopback; false: an existing cluster from $KUBECONFIG. */
  readonly local: boolean;
  readonly server: string;
  /** Kubeconfig files: the admin (system:masters, or $KUBECONFIG itself) and one per ServiceAccount. */
  readonly kubeconfigs: { readonly admin: string } & Record<ServiceAccountName, string>;
  /** Bearer tokens of the ServiceAccounts (and of the admin when local). */
  readonly tokens: { readonly admin?: string } & Record<ServiceAccountName, string>;
  /** Directory of this run's kubeconfigs and process logs. */
  readonly stateDir: string;
  /** Control-plane pids (local only). */
  readonly pids: readonly number[];
  /** Milliseconds each local process took to become ready. */
  readonly timings?: Readonly<Record<string, number>>;
  /** A kubectl of the bed's Kubernetes version (local only; a wrapper around the multi-call binary). */
  readonly kubectl?: string;
  /** The real node, when the bed runs one (BINDY_TESTBED_NODE=1). */
  readonly node?: {
    readonly name: string;
    readonly internalIp: string;
    readonly containerdSocket: string;
    /** The project image built from the Dockerfile, by its local tag (for a kustomize `images:` override). */
    readonly bindyImage: string;
  };
}

/** DEFAULT_STATE_FILE is .testbed/state.json in the repository: the latest run's state. */
export const DEFAULT_STATE_FILE = fileURLToPath(new URL('../.testbed/state.json', import.meta.url));

/** stateFile is $BINDY_TESTBED_STATE (set by globalSetup for its own run) or DEFAULT_STATE_FILE. */
export function stateFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.BINDY_TESTBED_STATE ?? DEFAULT_STATE_FILE;
}

/** writeTestbedState writes the state file that loadTestbed reads. */
export function writeTestbedState(path: string, state: TestbedState): void {
  writeFileSync(path, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
}

/** loadTestbed reads the running test bed's state; it throws with a hint when there is none. */
export function loadTestbed(env: NodeJS.ProcessEnv = process.env): TestbedState {
  const path = stateFile(env);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as TestbedState;
  } catch (err) {
    throw new Error(`no test bed state at ${path}: run the tests with \`npm test\` (its globalSetup starts the test bed)`, { cause: err });
  }
}

/** adminClient is a KubeClient as the test bed's admin (group system:masters when local). */
export function adminClient(options: KubeClientOptions = {}): KubeClient {
  return new KubeClient(loadKubeconfigFile(loadTestbed().kubeconfigs.admin), { userAgent: 'bindy-testbed-admin', ...options });
}

/**
 * serviceAccountClient is a KubeClient authenticated as ServiceAccount dns-system/<name>
 * (`bindy` or `bindy-agent`). It has no permissions until a test binds a Role to it.
 */
export function serviceAccountClient(name: ServiceAccountName, options: KubeClientOptions = {}): KubeClient {
  const path = loadTestbed().kubeconfigs[name];
  if (!path) throw new Error(`test bed has no ServiceAccount ${JSON.stringify(name)}`);
  return new KubeClient(loadKubeconfigFile(path), { userAgent: `bindy-testbed-${name}`, ...options });
}
