/**
 * The PrometheusRule's groups, checked and unit-tested with the real `promtool`: each alert fires
 * on the condition it names and stays silent on the near-miss next to it.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { AlertRule, AlertRuleGroup } from '../../packages/cdk8s-bindy/src/index.js';
import { scratchDirs } from '../support/scratch-dirs.js';
import { find, synthAll } from './helpers.js';

const JOB = 'job="bindy-metrics",namespace="dns-system"';
const NS = 'dns-system';
const groups = find(synthAll('prod'), 'PrometheusRule').spec.groups as AlertRuleGroup[];
const rules = new Map<string, AlertRule>(groups.flatMap((g) => g.rules.map((r) => [r.alert, r] as const)));

/** expected renders an alert's labels and annotations as promtool will for `labels`. */
function expected(alert: string, labels: Record<string, string>) {
  const r = rules.get(alert)!;
  const render = (s: string) => s.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_m, k: string) => labels[k] ?? '');
  return {
    exp_labels: { ...r.labels, ...labels },
    exp_annotations: Object.fromEntries(Object.entries(r.annotations).map(([k, v]) => [k, render(v)])),
  };
}

interface Case {
  name: string;
  series: Array<{ series: string; values: string }>;
  alert: string;
  at: string;
  fires?: Record<string, string>;
}

const leader = (pod: string, values: string) => ({ series: `bindy_is_leader{${JOB},pod="${pod}"}`, values });
const up = (pod: string, values: string) => ({ series: `up{${JOB},pod="${pod}"}`, values });

const CASES: Case[] = [
  { name: 'no replica leads for 2m', alert: 'BindyNoLeader', at: '2m', series: [leader('a', '0x5'), leader('b', '0x5')], fires: { namespace: NS } },
  { name: 'one replica leads', alert: 'BindyNoLeader', at: '2m', series: [leader('a', '1x5'), leader('b', '0x5')] },
  { name: 'a 30s gap during failover', alert: 'BindyNoLeader', at: '2m', series: [leader('a', '1 1 0 0 0'), leader('b', '0 0 0 1 1')] },
  { name: 'two leaders for 2m', alert: 'BindyMultipleLeaders', at: '2m', series: [leader('a', '1x5'), leader('b', '1x5')], fires: { namespace: NS } },
  { name: 'one scrape of overlap during handover', alert: 'BindyMultipleLeaders', at: '2m', series: [leader('a', '1 1 0 0 0'), leader('b', '0 1 1 1 1')] },
  {
    name: 'five elections in an hour',
    alert: 'BindyFrequentLeaderChanges',
    at: '30m',
    series: [{ series: `bindy_leader_elections_total{${JOB},pod="a"}`, values: '0 1 2 3 4 5 5x60' }],
    fires: { namespace: NS },
  },
  {
    name: 'two elections in an hour',
    alert: 'BindyFrequentLeaderChanges',
    at: '30m',
    series: [{ series: `bindy_leader_elections_total{${JOB},pod="a"}`, values: '0 1 2 2x60' }],
  },
  { name: 'every target down for 6m', alert: 'BindyOperatorDown', at: '6m', series: [up('a', '0x20'), up('b', '0x20')], fires: { job: 'bindy-metrics', namespace: NS } },
  { name: 'no target at all', alert: 'BindyOperatorDown', at: '6m', series: [{ series: 'up{job="other",namespace="x"}', values: '1x20' }], fires: { job: 'bindy-metrics', namespace: NS } },
  { name: 'one of two targets up', alert: 'BindyOperatorDown', at: '6m', series: [up('a', '0x20'), up('b', '1x20')] },
  {
    name: 'errors for 15m',
    alert: 'BindyReconcileErrors',
    at: '16m',
    series: [{ series: `bindy_reconcile_total{${JOB},pod="a",kind="DNSZone",result="error"}`, values: '0+2x30' }],
    fires: { namespace: NS, kind: 'DNSZone' },
  },
  {
    name: 'errors that stopped',
    alert: 'BindyReconcileErrors',
    at: '25m',
    series: [
      { series: `bindy_reconcile_total{${JOB},pod="a",kind="DNSZone",result="error"}`, values: '0+2x5 10x30' },
      { series: `bindy_reconcile_total{${JOB},pod="a",kind="DNSZone",result="success"}`, values: '0+50x30' },
    ],
  },
];

describe('PrometheusRule alerts', () => {
  const dir = scratchDirs('bindy-promtool-')();
  writeFileSync(join(dir, 'rules.yaml'), stringify({ groups }));

  it('has the five alerts with a runbook in docs/runbooks', () => {
    expect([...rules.keys()].sort()).toEqual(
      ['BindyFrequentLeaderChanges', 'BindyMultipleLeaders', 'BindyNoLeader', 'BindyOperatorDown', 'BindyReconcileErrors'],
    );
    for (const r of rules.values()) {
      expect(r.annotations.runbook_url).toMatch(/^https:\/\/github\.com\/firestoned\/bindy-ts\/blob\/main\/docs\/runbooks\/bindy-[a-z-]+\.md$/);
      expect(r.annotations.summary).not.toBe('');
      expect(r.labels.severity).toMatch(/^(critical|warning)$/);
    }
  });

  it('passes promtool check rules', () => {
    const out = execFileSync('promtool', ['check', 'rules', join(dir, 'rules.yaml')], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS: 5 rules found/);
  });

  it('fires and stays silent as the promtool unit tests expect', () => {
    for (const alert of rules.keys()) {
      expect(CASES.some((c) => c.alert === alert && c.fires)).toBe(true);
      expect(CASES.some((c) => c.alert === alert && !c.fires)).toBe(true);
    }
    const tests = CASES.map((c) => ({
      name: c.name,
      interval: '1m',
      input_series: c.series,
      alert_rule_test: [{ eval_time: c.at, alertname: c.alert, exp_alerts: c.fires ? [expected(c.alert, c.fires)] : [] }],
    }));
    writeFileSync(join(dir, 'tests.yaml'), stringify({ rule_files: ['rules.yaml'], evaluation_interval: '1m', tests }));
    let out = '';
    try {
      out = execFileSync('promtool', ['test', 'rules', join(dir, 'tests.yaml')], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      throw new Error(`promtool test rules failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    }
    expect(out).toMatch(/SUCCESS/);
  });
});
