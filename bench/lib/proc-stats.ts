import { readFileSync } from 'node:fs';

/** CLOCK_TICKS is USER_HZ, 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

/** ProcSample is one reading of a process's memory and CPU time from /proc. */
export interface ProcSample {
  readonly rssBytes: number;
  readonly cpuSeconds: number;
  readonly at: number;
}

export function sampleProc(pid: number): ProcSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  // The command name (field 2) may hold spaces; fields after its closing parenthesis are fixed.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return { rssBytes: rssKb * 1024, cpuSeconds: (utime + stime) / CLOCK_TICKS, at: performance.now() };
}

/** cpuPercent is the CPU used between two samples as a percentage of one core. */
export function cpuPercent(a: ProcSample, b: ProcSample): number {
  return (100 * (b.cpuSeconds - a.cpuSeconds)) / ((b.at - a.at) / 1000);
}

export const MiB = 1024 * 1024;
