/**
 * host.ts: the machine-wide state a real node touches, and how the test bed puts it back.
 * Commands run synchronously (they take milliseconds) and fail with their stderr.
 *
 * What the kubelet and kube-proxy change outside the node's network namespace:
 *  - kernel settings (the kubelet sets vm.overcommit_memory, kernel.panic, kernel.panic_on_oops,
 *    vm.panic_on_oom and the root key quotas at start; it logs the old values). The originals are
 *    saved to SAVED_SYSCTLS before the kubelet starts and written back at teardown; a crashed
 *    run's file is restored at the next start, before anything is saved again.
 *  - cgroups (cgroupfs driver, cgroup v1): `kubepods` under every hierarchy.
 *  - mounts under the node's directory (container rootfs overlays, secret tmpfs, pod netns files).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** SAVED_SYSCTLS holds the kernel settings as they were before the node's first change. */
export const SAVED_SYSCTLS = '/tmp/bindy-testbed-node-sysctls.json';

/** NODE_SYSCTLS are the settings the kubelet or kube-proxy may change outside the node's netns. */
export const NODE_SYSCTLS = [
  'vm.overcommit_memory', 'vm.panic_on_oom', 'kernel.panic', 'kernel.panic_on_oops',
  'kernel.keys.root_maxkeys', 'kernel.keys.root_maxbytes', 'net.netfilter.nf_conntrack_max',
] as const;

const CGROUP_ROOT = '/sys/fs/cgroup';
/** KUBEPODS is the cgroup the kubelet (cgroupfs driver, cgroupRoot "/") puts every pod under. */
export const KUBEPODS = 'kubepods';

/** sh runs a command and returns its stdout; it throws with the command and its stderr. */
export function sh(command: string, args: readonly string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${(e.stderr ?? '').trim() || e.message}`);
  }
}

/** trySh runs a command for cleanup, ignoring failure (the thing may already be gone). */
export function trySh(command: string, args: readonly string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

function sysctlPath(key: string): string {
  return join('/proc/sys', ...key.split('.'));
}

function readSysctl(key: string): string | undefined {
  try {
    return readFileSync(sysctlPath(key), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * saveSysctls records the current values unless a record exists (a crashed run's: its values are
 * the true originals, and restoreSysctls is called first at start, so a record here is ours).
 */
export function saveSysctls(): void {
  if (existsSync(SAVED_SYSCTLS)) return;
  const values: Record<string, string> = {};
  for (const key of NODE_SYSCTLS) {
    const value = readSysctl(key);
    if (value !== undefined) values[key] = value;
  }
  writeFileSync(SAVED_SYSCTLS, JSON.stringify(values, null, 2));
}

/** restoreSysctls writes the saved values back and removes the record; it returns what it changed. */
export function restoreSysctls(): string[] {
  if (!existsSync(SAVED_SYSCTLS)) return [];
  const changed: string[] = [];
  const saved = JSON.parse(readFileSync(SAVED_SYSCTLS, 'utf8')) as Record<string, string>;
  for (const [key, value] of Object.entries(saved)) {
    const now = readSysctl(key);
    if (now === undefined || now === value) continue;
    writeFileSync(sysctlPath(key), value);
    changed.push(`${key}: ${now} -> ${value}`);
  }
  rmSync(SAVED_SYSCTLS, { force: true });
  return changed;
}

/** cgroupHierarchies are the mounted cgroup hierarchies: v1's (cpu, memory, pids, ...) or v2's single one. */
function cgroupHierarchies(): string[] {
  if (!existsSync(CGROUP_ROOT)) return [];
  if (existsSync(join(CGROUP_ROOT, 'cgroup.procs'))) return [CGROUP_ROOT];
  return readdirSync(CGROUP_ROOT).map((d) => join(CGROUP_ROOT, d)).filter((d) => existsSync(join(d, 'cgroup.procs')));
}

/** cgroupPids lists every process in a cgroup subtree. */
function cgroupPids(dir: string): number[] {
  if (!existsSync(dir)) return [];
  const pids = readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) pids.push(...cgroupPids(join(dir, entry.name)));
  }
  return pids;
}

/** killPodProcesses SIGKILLs every process in the kubepods cgroups (the containers); returns how many. */
export function killPodProcesses(): number {
  const pids = new Set<number>();
  for (const h of cgroupHierarchies()) for (const pid of cgroupPids(join(h, KUBEPODS))) pids.add(pid);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Exited meanwhile.
    }
  }
  return pids.size;
}

/** removePodCgroups removes the kubepods subtree from every hierarchy, deepest first (they must be empty). */
export function removePodCgroups(): string[] {
  const left: string[] = [];
  const remove = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) remove(join(dir, entry.name));
    for (let attempt = 0; ; attempt += 1) {
      try {
        rmdirSync(dir);
        return;
      } catch (err) {
        // EBUSY while the last killed process is being reaped.
        if ((err as NodeJS.ErrnoException).code !== 'EBUSY' || attempt >= 50) return void left.push(dir);
        spawnSync('sleep', ['0.1']);
      }
    }
  };
  for (const h of cgroupHierarchies()) if (existsSync(join(h, KUBEPODS))) remove(join(h, KUBEPODS));
  return left;
}

/** mountsUnder lists the mount points at or below `dir`, deepest (latest) first. */
export function mountsUnder(dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4]?.replace(/\\040/g, ' '))
    .filter((m): m is string => m !== undefined && (m === dir || m.startsWith(prefix)))
    .reverse();
}

/** unmountUnder detaches every mount below `dir` (lazily: a busy one goes once its users exit). */
export function unmountUnder(dir: string): number {
  const mounts = mountsUnder(dir);
  for (const m of mounts) trySh('umount', ['-l', m]);
  return mounts.length;
}

/** processesWithArg lists live pids whose command line contains `needle` (for containerd shims). */
export function processesWithArg(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}
