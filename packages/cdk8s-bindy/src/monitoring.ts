import { Construct } from 'constructs';
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { requireInt, requireLabel } from './validation.js';

/** RUNBOOK_BASE is where the alert runbooks live (`docs/runbooks/<alert-kebab>.md`). */
export const RUNBOOK_BASE = 'https://github.com/firestoned/bindy-ts/blob/main/docs/runbooks';

/** AlertRule is one Prometheus alerting rule. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Record<string, string>;
  readonly annotations: { summary: string; description: string; runbook_url: string };
}

/** AlertRuleGroup is a Prometheus rule group (the shape promtool and PrometheusRule share). */
export interface AlertRuleGroup {
  readonly name: string;
  readonly rules: AlertRule[];
}

/** runbookUrl returns the runbook of an alert: `BindyNoLeader` → `.../bindy-no-leader.md`. */
export function runbookUrl(alert: string): string {
  return `${RUNBOOK_BASE}/${alert.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}.md`;
}

/**
 * bindyAlertRuleGroups returns the operator's alerts for scrape job `job` in `namespace`.
 * `job` is the metrics Service name (the Prometheus Operator's default job label).
 */
export function bindyAlertRuleGroups(job: string, namespace: string): AlertRuleGroup[] {
  const sel = `job="${job}",namespace="${namespace}"`;
  const rule = (alert: string, expr: string, forDur: string | undefined, severity: string, summary: string, description: string): AlertRule => ({
    alert,
    expr,
    ...(forDur === undefined ? {} : { for: forDur }),
    labels: { severity },
    annotations: { summary, description, runbook_url: runbookUrl(alert) },
  });
  return [
    {
      name: 'bindy.leader-election',
      rules: [
        rule('BindyNoLeader', `sum by (namespace) (bindy_is_leader{${sel}}) == 0`, '1m', 'critical',
          'No bindy operator replica is leader',
          'None of the bindy replicas in {{ $labels.namespace }} has held the Lease for 1 minute; DNS changes are not being reconciled.'),
        // for: 1m absorbs the scrape-timing overlap of a normal handover (old leader's last
        // scrape still says 1 while the new leader's first scrape says 1).
        rule('BindyMultipleLeaders', `sum by (namespace) (bindy_is_leader{${sel}}) > 1`, '1m', 'critical',
          'More than one bindy replica claims leadership',
          'More than one bindy replica in {{ $labels.namespace }} has reported bindy_is_leader=1 for 1 minute. Check the Lease holder, pod clocks and network partitions.'),
        rule('BindyFrequentLeaderChanges', `sum by (namespace) (increase(bindy_leader_elections_total{${sel}}[1h])) > 3`, undefined, 'warning',
          'bindy leadership changed more than 3 times in an hour',
          'Leadership of bindy in {{ $labels.namespace }} changed more than 3 times in the last hour: pods restarting, renewals failing or a slow apiserver.'),
      ],
    },
    {
      name: 'bindy.operator',
      rules: [
        rule('BindyOperatorDown', `max by (job, namespace) (up{${sel}}) == 0 or absent(up{${sel}})`, '5m', 'critical',
          'bindy operator is down',
          `No bindy metrics target of job ${job} in ${namespace} has been up for 5 minutes.`),
        rule('BindyReconcileErrors', `sum by (namespace, kind) (rate(bindy_reconcile_total{${sel},result="error"}[5m])) > 0`, '10m', 'warning',
          'bindy reconciles of {{ $labels.kind }} are failing',
          '{{ $labels.kind }} reconciles in {{ $labels.namespace }} have failed continuously for 10 minutes. See the operator logs and the objects\' Ready conditions.'),
      ],
    },
  ];
}

/** OperatorMonitoringProps configures the metrics Service, ServiceMonitor and PrometheusRule. */
export interface OperatorMonitoringProps {
  readonly namespace: string;
  /** Labels of the operator pods the Service selects. */
  readonly selector: Record<string, string>;
  /** Name of the metrics Service, and so the `job` label. @default "bindy-metrics" */
  readonly serviceName?: string;
  /** Base name of the ServiceMonitor and PrometheusRule. @default "bindy" */
  readonly name?: string;
  /** @default 8080 */
  readonly metricsPort?: number;
  /** @default "30s" */
  readonly scrapeInterval?: string;
  /**
   * Labels your Prometheus selects ServiceMonitors and PrometheusRules by
   * (kube-prometheus-stack: `release: <helm release>`). @default {}
   */
  readonly prometheusLabels?: Record<string, string>;
}

/** OperatorMonitoring exposes `/metrics` to Prometheus and adds the bindy alerts. */
export class OperatorMonitoring extends Construct {
  readonly service: k8s.KubeService;
  readonly serviceMonitor: ApiObject;
  readonly prometheusRule: ApiObject;
  /** The alert groups in the PrometheusRule (also what `promtool` tests). */
  readonly ruleGroups: AlertRuleGroup[];

  constructor(scope: Construct, id: string, props: OperatorMonitoringProps) {
    super(scope, id);
    const o = 'OperatorMonitoring';
    const serviceName = props.serviceName ?? 'bindy-metrics';
    const name = props.name ?? 'bindy';
    const port = props.metricsPort ?? 8080;
    const interval = props.scrapeInterval ?? '30s';
    requireLabel(o, 'namespace', props.namespace);
    requireLabel(o, 'serviceName', serviceName);
    requireInt(o, 'metricsPort', port, 1, 65535);
    if (!/^[0-9]+(ms|s|m|h)$/.test(interval)) throw new Error(`${o}: scrapeInterval must be a duration like 30s, got ${JSON.stringify(interval)}`);

    const labels = { 'app.kubernetes.io/name': 'bindy', 'app.kubernetes.io/part-of': 'bindy', 'app.kubernetes.io/component': 'metrics' };
    const meta = (n: string, extra: Record<string, string> = {}) => ({ name: n, namespace: props.namespace, labels: { ...labels, ...extra } });
    // Argo CD: don't fail the whole sync's dry run when the Prometheus Operator CRDs are missing.
    const crMeta = (n: string) => ({ ...meta(n, props.prometheusLabels), annotations: { 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' } });
    this.service = new k8s.KubeService(this, 'Service', {
      metadata: meta(serviceName),
      spec: {
        type: 'ClusterIP',
        selector: { ...props.selector },
        ports: [{ name: 'metrics', port, targetPort: k8s.IntOrString.fromString('metrics'), protocol: 'TCP' }],
      },
    });
    const monitor = new ServiceMonitor({
      metadata: crMeta(name),
      spec: {
        selector: { matchLabels: labels },
        namespaceSelector: { matchNames: [props.namespace] },
        endpoints: [{ port: 'metrics', path: '/metrics', interval, scrapeTimeout: '10s' }],
      },
    });
    monitor.validate();
    this.serviceMonitor = new ApiObject(this, 'ServiceMonitor', monitor.toJSON() as never);

    this.ruleGroups = bindyAlertRuleGroups(serviceName, props.namespace);
    const rule = new PrometheusRule({
      metadata: crMeta(name),
      spec: { groups: this.ruleGroups.map((g) => ({ name: g.name, rules: g.rules.map((r) => ({ ...r })) })) },
    });
    rule.validate();
    this.prometheusRule = new ApiObject(this, 'PrometheusRule', rule.toJSON() as never);
  }
}
