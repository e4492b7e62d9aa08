/**
 * cdk8s-bindy: the cdk8s constructs of the Bindy-TS operator, for a GitOps repository's own cdk8s
 * app. One call composes a whole install; the constructs compose your own layout.
 *
 * ```ts
 * import { App, YamlOutputType } from 'cdk8s';
 * import { PROFILES, addBindyCharts } from 'cdk8s-bindy';
 * const app = new App({ yamlOutputType: YamlOutputType.FILE_PER_CHART, outputFileExtension: '.yaml' });
 * addBindyCharts(app, { ...PROFILES.prod, namespace: 'dns', replicas: 5 });
 * app.synth();
 * ```
 *
 * Invalid props throw at synth time with the construct, the prop and the value in the message.
 */
export { addBindyCharts, kustomization, CHART_IDS, DIGEST, type ImageDigestPin, type BindyCharts, type BindyInstallProps, type ChartId, type LeaseSettings } from './bindy-charts.js';
export { PROFILES, PROFILE_NAMES, IMAGE, SPREADS, type ImageSettings, type LeaseTiming, type Profile, type ProfileName, type ResourceList, type Spread } from './profiles.js';
/** BindyCrds: every bindy CustomResourceDefinition. */
export { BindyCrds, NO_PRUNE_ANNOTATIONS, type BindyCrdsProps } from './crds.js';
/** OperatorDeployment: the operator Deployment (env, probes, placement, hardened pod). */
export {
  OperatorDeployment,
  selectorLabels,
  type OperatorDeploymentProps,
  type LeaderElectionProps,
  type ImagePullPolicy,
  type LogLevel,
} from './operator-deployment.js';
/** OperatorServiceAccount: the operator's identity. */
export { OperatorServiceAccount, type OperatorServiceAccountProps } from './service-account.js';
/** OperatorRbac: least-privilege ClusterRole + lease Role, with bindings. */
export { OperatorRbac, CLUSTER_RULES, leaseRules, OWN_POD_RULES, type OperatorRbacProps } from './rbac.js';
/** OperatorMonitoring: metrics Service, ServiceMonitor and PrometheusRule with the bindy alerts. */
export {
  OperatorMonitoring,
  bindyAlertRuleGroups,
  runbookUrl,
  RUNBOOK_BASE,
  type OperatorMonitoringProps,
  type AlertRule,
  type AlertRuleGroup,
} from './monitoring.js';
/** OperatorDisruptionBudget: the PodDisruptionBudget matching the replica count. */
export { OperatorDisruptionBudget, type OperatorDisruptionBudgetProps } from './disruption.js';
