/** synth: wall time of `npm run synth` (all four profiles), over a few runs. */
import { execFileSync } from 'node:child_process';
import { printTable, summarize, summaryRow, writeResult } from './lib/report.js';

export function benchSynth(runs: number): void {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    execFileSync('npm', ['run', '-s', 'synth'], { stdio: 'ignore' });
    times.push(Math.round(performance.now() - t0));
  }
  const s = summarize(times);
  printTable(`npm run synth, all profiles (${runs} runs)`, [summaryRow('wall time', s)]);
  writeResult('synth', { runs, wallMs: s, samplesMs: times });
}
