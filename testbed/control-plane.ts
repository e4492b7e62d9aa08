/**
 * control-plane.ts starts a real etcd, kube-apiserver and kube-controller-manager on
 * 127.0.0.1 (free ports, a temp data dir) from the binary that build.ts makes. The
 * result is a cluster in everything but the node: RBAC is enforced, Deployments get
 * ReplicaSets and Pods, the garbage collector and namespace controller run, and
 * namespaces get their `default` ServiceAccount. Pods stay Pending unless a node runs
 * them: the real one (testbed/realnode) or the host-process stand-in (testbed/node).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureControlPlaneBinary } from './build.js';
import { writeTokenKubeconfig } from './kubeconfig-files.js';
import { freePort, pollUntil, probe } from './net.js';
import { killLeftovers, ManagedProcess, writePidFile } from './processes.js';

/** SERVICE_ACCOUNT_USERS are the static-token identities besides the admin, by ServiceAccount name. */
export const SERVICE_ACCOUNT_USERS = {
  bindy: 'system:serviceaccount:dns-system:bindy',
  'bindy-agent': 'system:serviceaccount:dns-system:bindy-agent',
} as const;
export type ServiceAccountName = keyof typeof SERVICE_ACCOUNT_USERS;
/** NODE_USER is the node name the kubelet's token is for (testbed/realnode's NODE_NAME). */
export const NODE_USER = 'bindy-node';

/** Controllers that need a cloud or volumes: never on here. */
const KCM_NEVER = [
  'node-ipam', 'node-route', 'cloud-node-lifecycle', 'service-lb',
  'persistentvolume-attach-detach', 'persistentvolume-binder', 'persistentvolume-expander',
  'persistentvolume-protection', 'persistentvolumeclaim-protection', 'ephemeral-volume',
  'device-taint-eviction', 'resourceclaim',
];

/**
 * auditLogPath is where kube-apiserver writes its audit log (JSON lines, Metadata level, only
 * requests by ServiceAccounts: the operator's and the agents'), so tests can prove which
 * permissions the code actually uses.
 */
export function auditLogPath(stateDir: string): string {
  return join(stateDir, 'logs', 'audit.log');
}

const AUDIT_POLICY = [
  'apiVersion: audit.k8s.io/v1',
  'kind: Policy',
  'omitStages: ["RequestReceived"]',
  'rules:',
  '  - level: Metadata',
  '    userGroups: ["system:serviceaccounts"]',
  '  - level: None',
].join('\n');

/**
 * Controllers that only make sense with a real kubelet: node-lifecycle lifts the
 * node.kubernetes.io/not-ready taint a new Node is registered with. Without the real node they
 * stay off: pod-garbage-collector deletes Pods bound to a node name that has no Node object,
 * which is how the host-process stand-in (testbed/node) binds Pods.
 */
const KCM_NODE_ONLY = ['node-lifecycle', 'taint-eviction', 'pod-garbage-collector', 'ttl'];

/** kcmControllers is kube-controller-manager's --controllers: everything on by default but the above. */
export function kcmControllers(realNode: boolean): string {
  return ['*', ...[...KCM_NEVER, ...(realNode ? [] : KCM_NODE_ONLY)].map((c) => `-${c}-controller`)].join(',');
}

export interface ControlPlaneOptions {
  /** Kubeconfigs (admin.kubeconfig, bindy.kubeconfig, bindy-agent.kubeconfig), logs and the pid file go here. */
  readonly stateDir: string;
  /** Binary to run; default: ensureControlPlaneBinary() (builds on first use). */
  readonly binary?: string;
  /**
   * Address the apiserver advertises (the `kubernetes` Service's endpoint; also in its serving
   * certificate). The real node sets its host-side veth address so pods can reach it; setting it
   * also turns on the controllers a real kubelet needs (kcmControllers). @default 127.0.0.1
   */
  readonly advertiseAddress?: string;
  /** Start kube-controller-manager too. @default true */
  readonly controllerManager?: boolean;
  /** Budget for each process to become ready. @default 60000 */
  readonly readyTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

/** ControlPlane is a running test-bed cluster; stop() kills every process and removes its temp dir. */
export interface ControlPlane {
  readonly server: string;
  /** PEM of the CA that signed the apiserver's serving certificate. */
  readonly caPem: string;
  readonly kubeconfigs: { readonly admin: string } & Record<ServiceAccountName, string>;
  readonly tokens: { readonly admin: string } & Record<ServiceAccountName, string>;
  /** Token of the kubelet: user system:node:<NODE_USER>, group system:nodes (Node authorizer). */
  readonly nodeToken: string;
  readonly pids: readonly number[];
  /** Milliseconds from start of each process until it was ready. */
  readonly timings: Readonly<Record<'etcd' | 'apiserver' | 'controllerManager', number>>;
  /**
   * restartApiserver stops kube-apiserver (SIGTERM, SIGKILL after 2 s), keeps it down for `downMs`, and starts it
   * again on the same port with the same certificates and etcd; resolves once /readyz is ok.
   */
  restartApiserver(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * startControlPlane starts etcd, then kube-apiserver (waits for /readyz), then
 * kube-controller-manager (waits until it has created the `default` ServiceAccount).
 * On any failure it stops what it started and rejects with the reason and the failing
 * process's last output lines. A port taken between probing and binding is retried.
 */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  mkdirSync(join(options.stateDir, 'logs'), { recursive: true });
  const pidFile = join(options.stateDir, 'pids.json');
  const killed = killLeftovers(pidFile);
  if (killed > 0) options.log?.(`testbed: killed ${killed} leftover process(es) of an earlier run`);
  const binary = options.binary ?? (await ensureControlPlaneBinary({ log: options.log }));
  if (!existsSync(binary)) throw new Error(`testbed: control-plane binary ${binary} does not exist`);
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOnce(binary, pidFile, options);
    } catch (err) {
      const portRace = /address already in use/i.test((err as Error).message);
      if (!portRace || attempt >= 3) throw err;
      options.log?.(`testbed: a port was taken while starting (attempt ${attempt}); retrying with new ports`);
    }
  }
}

async function startOnce(binary: string, pidFile: string, options: ControlPlaneOptions): Promise<ControlPlane> {
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  const workDir = mkdtempSync(join(tmpdir(), 'bindy-testbed-'));
  const processes: ManagedProcess[] = [];
  const stopAll = async (): Promise<void> => {
    // Reverse order: controllers first, etcd last, so nothing logs storage errors on the way down.
    for (const p of [...processes].reverse()) await p.stop();
    rmSync(workDir, { recursive: true, force: true });
    rmSync(pidFile, { force: true });
  };
  const run = (name: string, args: string[]): ManagedProcess => {
    const p = new ManagedProcess({ name, command: binary, args: [name, ...args], logFile: join(options.stateDir, 'logs', `${name}.log`) });
    processes.push(p);
    writePidFile(pidFile, processes, binary, workDir);
    return p;
  };
  try {
    const timings = { etcd: 0, apiserver: 0, controllerManager: 0 };
    // 1. etcd on two free loopback ports, data in the temp dir.
    let started = Date.now();
    const etcdUrl = await startEtcd(run, workDir, timeoutMs);
    timings.etcd = Date.now() - started;

    // 2. kube-apiserver: static tokens, RBAC, self-signed serving certs, SA keys.
    const tokens = { admin: token(), bindy: token(), 'bindy-agent': token() };
    const nodeToken = token();
    started = Date.now();
    const apiserver = await startApiserver(run, workDir, etcdUrl, { ...tokens, node: nodeToken }, options.advertiseAddress ?? '127.0.0.1', timeoutMs, auditLogPath(options.stateDir));
    const { server, caPem } = apiserver;
    timings.apiserver = Date.now() - started;
    const kubeconfigs = writeKubeconfigs(options.stateDir, server, caPem, tokens);

    // 3. kube-controller-manager, ready once it has made the `default` ServiceAccount.
    if (options.controllerManager ?? true) {
      started = Date.now();
      await startControllerManager(run, workDir, kubeconfigs.admin, server, caPem, tokens.admin, options.advertiseAddress !== undefined, timeoutMs);
      timings.controllerManager = Date.now() - started;
    }
    const pids = processes.map((p) => p.pid).filter((pid): pid is number => pid !== undefined);
    let current = apiserver.process;
    const restartApiserver = async (downMs = 0): Promise<void> => {
      // Its graceful shutdown waits for long requests; 2 s of it is enough to drop every connection.
      await current.stop(2_000);
      processes.splice(processes.indexOf(current), 1);
      await new Promise((r) => setTimeout(r, downMs));
      current = await apiserver.launch();
    };
    return { server, caPem, kubeconfigs, tokens, nodeToken, pids, timings, restartApiserver, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function writeKubeconfigs(stateDir: string, server: string, caPem: string, tokens: ControlPlane['tokens']): ControlPlane['kubeconfigs'] {
  const kubeconfigs = {
    admin: join(stateDir, 'admin.kubeconfig'),
    bindy: join(stateDir, 'bindy.kubeconfig'),
    'bindy-agent': join(stateDir, 'bindy-agent.kubeconfig'),
  };
  writeTokenKubeconfig(kubeconfigs.admin, { server, caPem, user: 'admin', token: tokens.admin });
  for (const sa of Object.keys(SERVICE_ACCOUNT_USERS) as ServiceAccountName[]) {
    writeTokenKubeconfig(kubeconfigs[sa], { server, caPem, user: sa, token: tokens[sa], namespace: 'dns-system' });
  }
  return kubeconfigs;
}

type Runner = (name: string, args: string[]) => ManagedProcess;

async function startEtcd(run: Runner, workDir: string, timeoutMs: number): Promise<string> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const etcd = run('etcd', [
    '--name=testbed', `--data-dir=${join(workDir, 'etcd')}`,
    `--listen-client-urls=${clientUrl}`, `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`, `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=testbed=${peerUrl}`,
    // Test data is disposable: skipping fsync makes every write ~10x cheaper on slow disks.
    '--unsafe-no-fsync', '--log-level=warn',
  ]);
  await pollUntil(async () => ((await probe(`${clientUrl}/health`)).body.includes('"health":"true"') ? true : undefined), {
    what: 'etcd did not become healthy',
    timeoutMs,
    abortReason: () => (etcd.exitReason ? etcd.describeFailure() : undefined),
  }).catch((err: Error) => {
    throw new Error(`${err.message}\n${etcd.exitReason ? '' : etcd.describeFailure()}`.trimEnd());
  });
  return clientUrl;
}

async function startApiserver(
  run: Runner,
  workDir: string,
  etcdUrl: string,
  tokens: Record<'admin' | 'node' | ServiceAccountName, string>,
  advertiseAddress: string,
  timeoutMs: number,
  auditLog: string,
): Promise<{ server: string; caPem: string; process: ManagedProcess; launch: () => Promise<ManagedProcess> }> {
  const certDir = join(workDir, 'certs');
  mkdirSync(certDir, { recursive: true });
  const saKey = join(workDir, 'sa.key');
  const saPub = join(workDir, 'sa.pub');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(saKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(saPub, publicKey.export({ type: 'spki', format: 'pem' }));
  const tokenFile = join(workDir, 'tokens.csv');
  const saGroups = '"system:serviceaccounts,system:serviceaccounts:dns-system"';
  writeFileSync(
    tokenFile,
    [
      `${tokens.admin},admin,admin,"system:masters"`,
      `${tokens.node},system:node:${NODE_USER},system:node:${NODE_USER},"system:nodes"`,
      ...(Object.keys(SERVICE_ACCOUNT_USERS) as ServiceAccountName[]).map((sa) => `${tokens[sa]},${SERVICE_ACCOUNT_USERS[sa]},${sa},${saGroups}`),
    ].join('\n') + '\n',
    { mode: 0o600 },
  );
  const auditPolicy = join(workDir, 'audit-policy.yaml');
  writeFileSync(auditPolicy, `${AUDIT_POLICY}\n`);
  const port = await freePort();
  const server = `https://127.0.0.1:${port}`;
  const args = [
    `--etcd-servers=${etcdUrl}`, '--bind-address=127.0.0.1', `--advertise-address=${advertiseAddress}`, `--secure-port=${port}`,
    `--cert-dir=${certDir}`, `--token-auth-file=${tokenFile}`, '--authorization-mode=Node,RBAC',
    // kubectl logs/exec: reach the kubelet at the node's InternalIP (its hostname is not resolvable).
    '--kubelet-preferred-address-types=InternalIP,Hostname',
    `--service-account-key-file=${saPub}`, `--service-account-signing-key-file=${saKey}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local', '--api-audiences=https://kubernetes.default.svc.cluster.local',
    '--service-cluster-ip-range=10.96.0.0/16', '--allow-privileged=true', '--profiling=false',
    `--audit-policy-file=${auditPolicy}`, `--audit-log-path=${auditLog}`,
  ];
  const launch = (): Promise<ManagedProcess> => launchApiserver(run, args, server, join(certDir, 'apiserver.crt'), tokens.admin, timeoutMs);
  const first = await launch();
  // apiserver.crt holds the serving certificate followed by the self-signed CA that signed it;
  // trusting the whole bundle works for Node and for kubectl.
  return { server, caPem: readFileSync(join(certDir, 'apiserver.crt'), 'utf8'), process: first, launch };
}

/** launchApiserver starts kube-apiserver with `args` and waits for /readyz (certs are made on first start). */
async function launchApiserver(run: Runner, args: string[], server: string, certFile: string, adminToken: string, timeoutMs: number): Promise<ManagedProcess> {
  const apiserver = run('kube-apiserver', args);
  const failure = (): string | undefined => (apiserver.exitReason ? apiserver.describeFailure() : undefined);
  await pollUntil(
    async () => {
      if (!existsSync(certFile)) return undefined;
      const { status } = await probe(`${server}/readyz`, { ca: readFileSync(certFile), token: adminToken });
      return status === 200 ? true : undefined;
    },
    { what: `kube-apiserver did not become ready at ${server}/readyz`, timeoutMs, intervalMs: 200, abortReason: failure },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${apiserver.exitReason ? '' : apiserver.describeFailure()}`.trimEnd());
  });
  return apiserver;
}

async function startControllerManager(
  run: Runner,
  workDir: string,
  adminKubeconfig: string,
  server: string,
  caPem: string,
  adminToken: string,
  realNode: boolean,
  timeoutMs: number,
): Promise<void> {
  const caFile = join(workDir, 'ca.crt');
  writeFileSync(caFile, caPem);
  const kcm = run('kube-controller-manager', [
    `--kubeconfig=${adminKubeconfig}`, '--leader-elect=false', '--secure-port=0',
    `--service-account-private-key-file=${join(workDir, 'sa.key')}`, '--use-service-account-credentials=false',
    `--root-ca-file=${caFile}`, `--controllers=${kcmControllers(realNode)}`,
    // Quick GC and namespace deletion keep tests that clean up fast.
    '--concurrent-gc-syncs=5', '--namespace-sync-period=10s',
  ]);
  await pollUntil(
    async () => {
      const { status } = await probe(`${server}/api/v1/namespaces/default/serviceaccounts/default`, { ca: Buffer.from(caPem), token: adminToken });
      return status === 200 ? true : undefined;
    },
    {
      what: 'kube-controller-manager did not create the default ServiceAccount',
      timeoutMs,
      intervalMs: 200,
      abortReason: () => (kcm.exitReason ? kcm.describeFailure() : undefined),
    },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${kcm.exitReason ? '' : kcm.describeFailure()}`.trimEnd());
  });
}

function token(): string {
  return randomBytes(24).toString('hex');
}
