import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** RESULTS_DIR is bench/results/: each benchmark writes <name>.json there. */
export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

/** Summary is p50/p95/max (and min, mean) of one series, in its own unit. */
export interface Summary {
  readonly n: number;
  readonly min: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
  readonly mean: number;
}

/** percentile uses the nearest-rank method on a sorted copy. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(values: readonly number[]): Summary {
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  return {
    n: values.length,
    min: values.length ? Math.min(...values) : Number.NaN,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    max: values.length ? Math.max(...values) : Number.NaN,
    mean,
  };
}

/** Row is one line of a printed table: a label and its cells. */
export type Row = Readonly<Record<string, string | number>>;

/** printTable prints rows as an aligned text table under a title. */
export function printTable(title: string, rows: readonly Row[]): void {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: string | number | undefined): string => (typeof v === 'number' ? fmt(v) : (v ?? ''));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(`\n${title}`);
  console.log(line(columns));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(columns.map((c) => cell(r[c]))));
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 10 ? 3 : 1);
}

/** writeResult stores a benchmark's figures with when and where they were taken. */
export function writeResult(name: string, data: Record<string, unknown>): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = `${RESULTS_DIR}${name}.json`;
  const record = { benchmark: name, measuredAt: new Date().toISOString(), node: process.version, cpus: 2, ...data };
  writeFileSync(path, JSON.stringify(record, null, 2) + '\n');
  return path;
}

/** summaryRow turns a Summary in milliseconds into a printable row. */
export function summaryRow(label: string, s: Summary, target?: string): Row {
  return { series: label, n: s.n, 'p50 ms': s.p50, 'p95 ms': s.p95, 'max ms': s.max, ...(target ? { target } : {}) };
}
