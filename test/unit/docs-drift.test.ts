/**
 * docs-drift: docs/high-availability.md and docs/runbooks/*.md must not drift from the code.
 * No cluster, no network: it reads the docs, src/, dist/prod/monitoring.yaml and bench/results/.
 *
 * - every metric name (`bindy_…`) exists in src/observability/metrics.ts or the agent's metrics
 *   (histogram `_bucket`/`_sum`/`_count` series allowed);
 * - every variable in the env table (after `<!-- drift:env-table -->`) is read by src/config.ts or
 *   src/agent/cli.ts, and every variable src/config.ts reads is in the table;
 * - every message in the log table (after `<!-- drift:log-table -->`), every SPEC §3 message, and
 *   every `"msg":"…"` in a JSON log line shown in the docs is a string (or template) in src/;
 *   `<holder>`-style placeholders in the table stand for a template's `${…}`;
 * - every alert named (`BindyXxx`) exists in dist/prod/monitoring.yaml; every alert there has its
 *   runbook file (the basename of its runbook_url) in docs/runbooks/, and every runbook file
 *   belongs to an alert;
 * - every bench figure marker `<!-- bench:<file>.json#<path> -->NUMBER` matches the JSON value
 *   rounded to the decimals quoted, and the file exists in bench/results/;
 * - relative Markdown links point at files that exist.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { FIGURE_MARKER, decimalsOf, lookup } from '../../bench/lib/figures.js';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

const HA = 'docs/high-availability.md';
const RUNBOOK_DIR = 'docs/runbooks';
const runbookFiles = existsSync(join(root, RUNBOOK_DIR))
  ? readdirSync(join(root, RUNBOOK_DIR)).filter((f) => f.endsWith('.md')).sort()
  : [];
const docs: Array<{ path: string; text: string }> = [
  { path: HA, text: read(HA) },
  { path: 'README.md', text: read('README.md') },
  ...runbookFiles.map((f) => ({ path: `${RUNBOOK_DIR}/${f}`, text: read(`${RUNBOOK_DIR}/${f}`) })),
];

/** SPEC_LOG_MESSAGES are the exact `msg` values of SPEC §3 (placeholders in angle brackets). */
const SPEC_LOG_MESSAGES = [
  'Attempting to acquire lease <name>',
  'Lease acquired, this instance is now the leader',
  'Starting all operators',
  'Leadership lost! Stopping all operators...',
  'Lease already held by <holder>',
];

function walk(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(`${dir}/${e.name}`) : e.name.endsWith('.ts') ? [`${dir}/${e.name}`] : [],
  );
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** sourceStrings returns every string and template literal in src/ as a whole-string matcher. */
function sourceMatchers(): RegExp[] {
  const out: RegExp[] = [];
  const literal = /'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\]|\\.)*)`/g;
  for (const file of walk('src')) {
    const text = read(file);
    for (const m of text.matchAll(literal)) {
      if (m[3] !== undefined) {
        const parts = m[3].split(/\$\{[^}]*\}/);
        // A template of mostly placeholders (`${kind} ${name}`) would match any message.
        if (parts[0].length < 4 && parts.join('').length < 20) continue;
        out.push(new RegExp(`^${parts.map(escapeRegExp).join('.+')}$`, 's'));
      } else {
        const s = (m[1] ?? m[2] ?? '').replace(/\\(.)/g, '$1');
        out.push(new RegExp(`^${escapeRegExp(s)}$`));
      }
    }
  }
  return out;
}
const matchers = sourceMatchers();
/** inSource: a doc message (with `<placeholder>`s) is a literal or template of src/. */
const inSource = (message: string): boolean => {
  const sample = message.replace(/<[^>]+>/g, 'placeholder-value');
  return matchers.some((re) => re.test(sample)) || matchers.some((re) => re.test(message));
};

/** tableAfter returns the first-column backticked values of the table after a marker comment. */
function tableAfter(text: string, marker: string): string[] {
  const at = text.indexOf(`<!-- ${marker}`);
  if (at < 0) return [];
  const lines = text.slice(at).split('\n').slice(1);
  const rows: string[] = [];
  let started = false;
  for (const line of lines) {
    if (!line.startsWith('|')) {
      if (started) break;
      continue;
    }
    if (/^\|\s*:?-{3,}/.test(line)) {
      rows.length = 0; // everything so far was the header
      started = true;
      continue;
    }
    started = true;
    const m = /^\|\s*`([^`]+)`/.exec(line);
    if (m) rows.push(m[1]);
  }
  return rows;
}

describe('docs drift: metrics', () => {
  const code = read('src/observability/metrics.ts') + read('src/agent/main.ts');
  const defined = new Set([...code.matchAll(/name: '(bindy_[a-z_]+)'/g)].map((m) => m[1]));

  it('finds the metric definitions', () => {
    expect(defined.has('bindy_is_leader')).toBe(true);
    expect(defined.has('bindy_kube_api_requests_total')).toBe(true);
  });

  it.each(docs)('$path names only metrics that exist', ({ text }) => {
    const named = new Set([...text.matchAll(/\bbindy_[a-z_]+/g)].map((m) => m[0]));
    const unknown = [...named].filter((n) => !defined.has(n) && !defined.has(n.replace(/_(bucket|sum|count)$/, '')));
    expect(unknown).toEqual([]);
  });
});

describe('docs drift: environment variables', () => {
  const config = read('src/config.ts');
  const agent = read('src/agent/cli.ts');
  const table = tableAfter(read(HA), 'drift:env-table');
  const readByConfig = [...new Set([...config.matchAll(/'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|HOSTNAME)'/g)].map((m) => m[1]))];
  const known = (v: string): boolean =>
    [config, agent].some((src) => src.includes(`'${v}'`) || new RegExp(`\\benv\\.${v}\\b`).test(src));

  it('has an env table', () => {
    expect(table.length).toBeGreaterThanOrEqual(10);
  });

  it('lists only variables the code reads', () => {
    expect(table.filter((v) => !known(v))).toEqual([]);
  });

  it('lists every variable src/config.ts reads', () => {
    expect(readByConfig.length).toBeGreaterThanOrEqual(10);
    expect(readByConfig.filter((v) => !table.includes(v))).toEqual([]);
  });
});

describe('docs drift: log messages', () => {
  const ha = read(HA);
  const table = tableAfter(ha, 'drift:log-table');

  it('documents every SPEC §3 message in the log table', () => {
    const normal = (m: string): string => m.replace(/<[^>]+>/g, '<>');
    const tableNormal = table.map((m) => normal(m.replace(/^Attempting to acquire lease bindy-leader$/, 'Attempting to acquire lease <name>')));
    expect(SPEC_LOG_MESSAGES.filter((m) => !tableNormal.includes(normal(m)))).toEqual([]);
  });

  it('SPEC §3 messages appear verbatim in src/', () => {
    expect(SPEC_LOG_MESSAGES.filter((m) => !inSource(m))).toEqual([]);
  });

  it('every message of the log table is in src/', () => {
    expect(table.length).toBeGreaterThanOrEqual(5);
    expect(table.filter((m) => !inSource(m))).toEqual([]);
  });

  it.each(docs)('$path: every "msg" of a JSON log line shown is in src/', ({ text }) => {
    const msgs = [...text.matchAll(/"msg":"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
    // Config errors are built from ConfigError's message: check their fixed prefix.
    const unknown = msgs.filter((m) => !inSource(m) && !(m.startsWith('Invalid configuration: invalid ') && inSource('Invalid configuration: <x>')));
    expect(unknown).toEqual([]);
  });
});

interface Rule {
  alert?: string;
  annotations?: { runbook_url?: string };
}

describe('docs drift: alerts and runbooks', () => {
  const rules: Rule[] = parseAllDocuments(read('dist/prod/monitoring.yaml'))
    .map((d) => d.toJS() as { kind?: string; spec?: { groups?: Array<{ rules?: Rule[] }> } })
    .filter((d) => d?.kind === 'PrometheusRule')
    .flatMap((d) => d.spec?.groups ?? [])
    .flatMap((g) => g.rules ?? [])
    .filter((r) => r.alert);
  const alerts = new Set(rules.map((r) => r.alert as string));

  it('finds the shipped alerts', () => {
    expect(alerts.size).toBeGreaterThanOrEqual(5);
  });

  it.each(docs)('$path names only shipped alerts', ({ text }) => {
    const named = new Set([...text.matchAll(/\bBindy[A-Z][A-Za-z]+\b/g)].map((m) => m[0]));
    expect([...named].filter((a) => !alerts.has(a))).toEqual([]);
  });

  it('every shipped alert has its runbook file', () => {
    const missing = rules
      .map((r) => (r.annotations?.runbook_url ?? '').split('/').pop() ?? '')
      .filter((f) => !runbookFiles.includes(f));
    expect(missing).toEqual([]);
  });

  it('every runbook file belongs to a shipped alert and names it', () => {
    const byFile = new Map(rules.map((r) => [(r.annotations?.runbook_url ?? '').split('/').pop(), r.alert as string]));
    for (const f of runbookFiles) {
      expect([f, byFile.get(f)]).toEqual([f, expect.any(String)]);
      expect(read(`${RUNBOOK_DIR}/${f}`)).toContain(byFile.get(f));
    }
  });

  it('the HA guide links every runbook', () => {
    const ha = read(HA);
    expect(runbookFiles.filter((f) => !ha.includes(`runbooks/${f}`))).toEqual([]);
  });
});

describe('docs drift: bench figures', () => {
  const figures = docs.flatMap(({ path, text }) =>
    [...text.matchAll(FIGURE_MARKER)].map((m) => ({ doc: path, file: m[1], path: m[2], quoted: m[3] })),
  );

  it('quotes bench figures, every marker well-formed', () => {
    expect(figures.length).toBeGreaterThan(0);
    // A marker the pattern cannot read (typo, no number after it) would otherwise go unchecked.
    const opened = docs.reduce((n, { text }) => n + (text.match(/<!--\s*bench:/g) ?? []).length, 0);
    expect(figures.length).toBe(opened);
  });

  it.each(figures)('$doc: $file#$path = $quoted', ({ file, path, quoted }) => {
    const resultsFile = join(root, 'bench/results', file);
    expect([file, existsSync(resultsFile)]).toEqual([file, true]);
    const value = lookup(JSON.parse(readFileSync(resultsFile, 'utf8')), path);
    expect(typeof value).toBe('number');
    const decimals = decimalsOf(quoted);
    expect((value as number).toFixed(decimals)).toBe(Number(quoted).toFixed(decimals));
  });
});

describe('docs drift: links', () => {
  it.each(docs)('$path: relative links resolve', ({ path, text }) => {
    const links = [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l));
    const base = dirname(join(root, path));
    expect(links.filter((l) => !existsSync(resolve(base, l)))).toEqual([]);
  });
});
