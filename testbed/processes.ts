/**
 * processes.ts runs the control-plane processes so that none outlives the test
 * bed: each child is started under `setpriv --pdeathsig KILL` (the kernel kills
 * it when the Node process dies, even by SIGKILL), is killed by an 'exit'
 * handler on a normal exit, and is recorded in a pid file so the next start
 * can kill leftovers of a run that crashed in a way neither caught.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';

const TAIL_LINES = 30;
const live = new Set<ManagedProcess>();
let exitHookInstalled = false;
const hasSetpriv = (): boolean => spawnSync('setpriv', ['--help'], { stdio: 'ignore' }).status === 0;
let setprivAvailable: boolean | undefined;

export interface ProcessSpec {
  /** Short name used in messages and as the log file name, e.g. `etcd`. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** stdout and stderr are appended here as well as kept as a tail in memory. */
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** ManagedProcess is one child that is killed with the test bed and explains how it failed. */
export class ManagedProcess {
  readonly child: ChildProcess;
  private readonly tail: string[] = [];
  private readonly log: WriteStream;
  private exitInfo: string | undefined;
  private readonly exited: Promise<void>;

  constructor(readonly spec: ProcessSpec) {
    installExitHook();
    setprivAvailable ??= hasSetpriv();
    this.log = createWriteStream(spec.logFile, { flags: 'a' });
    const [command, args] = setprivAvailable
      ? ['setpriv', ['--pdeathsig', 'KILL', '--', spec.command, ...spec.args]]
      : [spec.command, [...spec.args]];
    this.child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: spec.env ?? process.env, detached: false });
    this.exited = new Promise((resolve) => {
      this.child.on('error', (err) => {
        this.exitInfo = `could not start: ${err.message}`;
        live.delete(this);
        resolve();
      });
      this.child.on('exit', (code, signal) => {
        this.exitInfo = signal ? `killed by ${signal}` : `exited with code ${code}`;
        live.delete(this);
        resolve();
      });
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      stream?.on('data', (chunk: Buffer) => {
        this.log.write(chunk);
        this.tail.push(...chunk.toString('utf8').split('\n').filter((l) => l.length > 0));
        if (this.tail.length > TAIL_LINES * 4) this.tail.splice(0, this.tail.length - TAIL_LINES);
      });
    }
    live.add(this);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** exitReason is why the process ended, or undefined while it runs. */
  get exitReason(): string | undefined {
    return this.exitInfo;
  }

  /** lastLines is the tail of its output, for error messages. */
  lastLines(n = TAIL_LINES): string {
    return this.tail.slice(-n).join('\n');
  }

  /** describeFailure is one message: what ended, why, and its last output lines. */
  describeFailure(): string {
    return `${this.spec.name} ${this.exitInfo ?? 'is running'} (log: ${this.spec.logFile}); last output:\n${this.lastLines() || '(none)'}`;
  }

  /** stop sends SIGTERM, then SIGKILL after graceMs, and resolves once the process is gone. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exitInfo === undefined) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    await new Promise<void>((resolve) => this.log.end(resolve));
  }

  /** waitForExit resolves when the process ends (for racing against readiness checks). */
  waitForExit(): Promise<void> {
    return this.exited;
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL is the only thing that still fits.
  process.on('exit', () => {
    for (const p of live) p.child.kill('SIGKILL');
  });
}

/**
 * writePidFile records the running children, with the binary path to recognise them
 * later, and the temp dir they use so a later cleanup can remove it too.
 */
export function writePidFile(path: string, processes: readonly ManagedProcess[], binary: string, workDir: string): void {
  const pids = processes.map((p) => p.pid).filter((pid): pid is number => pid !== undefined);
  writeFileSync(path, JSON.stringify({ binary, pids, workDir, owner: process.pid }, null, 2));
}

/**
 * killLeftovers kills processes listed in a pid file of an earlier run, but only those
 * whose command line still names that run's binary (a pid may have been reused).
 * It returns how many it killed.
 */
export function killLeftovers(path: string): number {
  if (!existsSync(path)) return 0;
  let killed = 0;
  try {
    const record = JSON.parse(readFileSync(path, 'utf8')) as { binary?: string; pids?: number[]; owner?: number; workDir?: string };
    // Another live run (e.g. a second `npm test` in the same tree) still owns them.
    if (record.owner !== undefined && record.owner !== process.pid && isAlive(record.owner)) return 0;
    for (const pid of record.pids ?? []) {
      if (record.binary && commandLine(pid).includes(record.binary)) {
        try {
          process.kill(pid, 'SIGKILL');
          killed += 1;
        } catch {
          // Already gone between the check and the kill.
        }
      }
    }
    if (record.workDir && /bindy-testbed-[^/]+$/.test(record.workDir)) rmSync(record.workDir, { recursive: true, force: true });
  } catch {
    // A corrupt pid file is only a missed cleanup, never a reason to fail the start.
  }
  rmSync(path, { force: true });
  return killed;
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** isAlive is true while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
