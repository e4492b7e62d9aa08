import { Chart, Testing } from 'cdk8s';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import {
  OperatorDeployment,
  type OperatorDeploymentProps,
  OperatorDisruptionBudget,
  OperatorMonitoring,
  runbookUrl,
  OperatorRbac,
  OperatorServiceAccount,
  PROFILES,
  addBindyCharts,
  type BindyInstallProps,
} from '../../packages/cdk8s-bindy/src/index.js';
import { inMemoryApp } from './helpers.js';

const chart = (): Chart => new Chart(inMemoryApp(), 'test');
const deploy = (props: Partial<OperatorDeploymentProps>) => () =>
  new OperatorDeployment(chart(), 'd', { namespace: 'dns-system', ...props });

describe('OperatorDeployment props', () => {
  it('defaults to one replica, no spread and the SPEC §1 lease timing', () => {
    const c = chart();
    new OperatorDeployment(c, 'd', { namespace: 'ops' });
    const [d] = Testing.synth(c);
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.template.spec.affinity).toBeUndefined();
    expect(d.spec.template.spec.terminationGracePeriodSeconds).toBe(30);
    expect(d.metadata).toMatchObject({ name: 'bindy', namespace: 'ops' });
  });

  it('sets LOG_LEVEL only when logLevel is given, so RUST_LOG stays usable by default', () => {
    const envOf = (props: Partial<OperatorDeploymentProps>) => {
      const c = chart();
      new OperatorDeployment(c, 'd', { namespace: 'ops', ...props });
      return Testing.synth(c)[0].spec.template.spec.containers[0].env.map((e: { name: string }) => e.name);
    };
    expect(envOf({})).not.toContain('LOG_LEVEL');
    expect(envOf({ logLevel: 'debug' })).toContain('LOG_LEVEL');
  });

  it('sizes V8\'s old space to three quarters of the memory limit, in any quantity notation', () => {
    const nodeOptions = (memory: string) => {
      const c = chart();
      new OperatorDeployment(c, 'd', { namespace: 'ops', limits: { cpu: '1', memory } });
      return Testing.synth(c)[0].spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === 'NODE_OPTIONS').value;
    };
    expect(nodeOptions('1Gi')).toBe('--max-semi-space-size=1 --max-old-space-size=768');
    expect(nodeOptions('1G')).toBe('--max-semi-space-size=1 --max-old-space-size=715');
    expect(nodeOptions('805306368')).toBe('--max-semi-space-size=1 --max-old-space-size=576');
  });

  it('puts the lease in another namespace when asked', () => {
    const c = chart();
    new OperatorDeployment(c, 'd', { namespace: 'ops', leaderElection: { leaseNamespace: 'leases' } });
    const env = Testing.synth(c)[0].spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'LEASE_NAMESPACE', value: 'leases' });
  });

  it.each<[string, Partial<OperatorDeploymentProps>, RegExp]>([
    ['replicas 0', { replicas: 0 }, /replicas must be an integer in \[1, 100\], got 0/],
    ['fractional replicas', { replicas: 1.5 }, /replicas .* got 1.5/],
    ['several replicas without election', { replicas: 2, leaderElection: { enabled: false } }, /replicas is 2 but leaderElection.enabled is false/],
    ['renew deadline ≥ duration', { leaderElection: { durationSeconds: 10, renewDeadlineSeconds: 10 } }, /renewDeadlineSeconds \(10\) must be < durationSeconds \(10\)/],
    ['renew deadline ≤ 1.2 × retry', { leaderElection: { renewDeadlineSeconds: 6, retryPeriodSeconds: 5 } }, /must be > 1.2 × retryPeriodSeconds \(5\)/],
    ['short grace period', { terminationGracePeriodSeconds: 5 }, /terminationGracePeriodSeconds \(5\) must be ≥ renewDeadlineSeconds \+ 10 \(20\)/],
    ['latest tag', { imageTag: 'latest' }, /imageTag must pin a version, not latest, got "latest"/],
    ['bad namespace', { namespace: 'DNS_System' }, /namespace must be a DNS-1123 label, got "DNS_System"/],
    ['bad lease name', { leaderElection: { leaseName: 'Bindy Leader' } }, /leaseName must be a DNS-1123 subdomain/],
    ['same ports', { metricsPort: 9000, healthPort: 9000 }, /metricsPort and healthPort must differ, both are 9000/],
    ['bad quantity', { requests: { cpu: 'lots', memory: '64Mi' } }, /requests.cpu must be a resource quantity .* got "lots"/],
    ['a repository with a tag', { imageRepository: 'registry.example.com/bindy-ts:1.0' }, /imageRepository must be an image repository .* got "registry.example.com\/bindy-ts:1.0"/],
    ['an uppercase repository', { imageRepository: 'Registry.example.com/Team/bindy' }, /imageRepository .* got "Registry.example.com\/Team\/bindy"/],
    ['a tag with a space', { imageTag: '1.0 beta' }, /imageTag must pin a version, not latest, got "1.0 beta"/],
    ['an unknown pull policy', { imagePullPolicy: 'Sometimes' as never }, /imagePullPolicy must be one of Always, IfNotPresent, Never, got "Sometimes"/],
    ['an unknown log level', { logLevel: 'verbose' as never }, /logLevel must be one of fatal, .* got "verbose"/],
  ])('rejects %s', (_name, props, message) => {
    expect(deploy(props)).toThrow(message);
  });
});

describe('addBindyCharts', () => {
  const install = (props: BindyInstallProps) => {
    const app = inMemoryApp();
    addBindyCharts(app, props);
    return app.charts.flatMap((c) => c.toJson());
  };

  it('composes a custom install: own namespace, replicas, registry and lease namespace', () => {
    const objects = install({
      ...PROFILES.prod,
      namespace: 'dns-edge',
      replicas: 5,
      image: { repository: 'registry.example.com:5000/platform/bindy-ts', tag: '0.1.0' },
      lease: { namespace: 'coordination' },
      spread: 'hostname',
    });
    const d = objects.find((o) => o.kind === 'Deployment');
    expect(d.metadata.namespace).toBe('dns-edge');
    expect(d.spec.replicas).toBe(5);
    expect(d.spec.template.spec.containers[0].image).toBe('registry.example.com:5000/platform/bindy-ts:0.1.0');
    expect(d.spec.template.spec.containers[0].env).toContainEqual({ name: 'LEASE_NAMESPACE', value: 'coordination' });
    expect(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name).sort()).toEqual(['coordination', 'dns-edge']);
    expect(objects.find((o) => o.kind === 'RoleBinding').metadata.namespace).toBe('coordination');
  });

  it.each<[string, BindyInstallProps, RegExp]>([
    ['an unknown spread', { spread: 'rack' as never }, /addBindyCharts: spread must be one of none, hostname, hostname-and-zone, got "rack"/],
    ['a bad namespace', { namespace: 'DNS' }, /namespace must be a DNS-1123 label, got "DNS"/],
    ['a bad lease namespace', { lease: { namespace: 'a.b' } }, /leaseNamespace must be a DNS-1123 label, got "a.b"/],
    ['replicas 0', { replicas: 0 }, /replicas must be an integer in \[1, 100\], got 0/],
  ])('rejects %s naming the prop and value', (_name, props, message) => {
    expect(() => install(props)).toThrow(message);
  });
});

describe('other constructs', () => {
  it('OperatorDisruptionBudget rejects an empty selector', () => {
    expect(() => new OperatorDisruptionBudget(chart(), 'p', { namespace: 'x', selector: {}, replicas: 2 })).toThrow(/selector must not be empty/);
  });
  it('OperatorRbac rejects a bad lease namespace', () => {
    expect(() => new OperatorRbac(chart(), 'r', { namespace: 'x', leaseNamespace: 'a.b' })).toThrow(/leaseNamespace must be a DNS-1123 label, got "a.b"/);
  });
  it('OperatorRbac puts the lease Role in the lease namespace and binds the operator SA', () => {
    const c = chart();
    new OperatorRbac(c, 'r', { namespace: 'ops', leaseNamespace: 'leases' });
    const objs = Testing.synth(c);
    const rb = objs.find((o) => o.kind === 'RoleBinding');
    expect(rb.metadata.namespace).toBe('leases');
    expect(rb.subjects).toEqual([{ kind: 'ServiceAccount', name: 'bindy', namespace: 'ops' }]);
  });
  it('OperatorServiceAccount rejects a bad name', () => {
    expect(() => new OperatorServiceAccount(chart(), 's', { namespace: 'x', name: 'Bindy' })).toThrow(/name must be a DNS-1123 label, got "Bindy"/);
  });
  it('OperatorMonitoring rejects a bad scrape interval and adds Prometheus selector labels', () => {
    expect(() => new OperatorMonitoring(chart(), 'm', { namespace: 'x', selector: { app: 'bindy' }, scrapeInterval: '30' })).toThrow(/scrapeInterval .* got "30"/);
    const c = chart();
    new OperatorMonitoring(c, 'm', { namespace: 'x', selector: { app: 'bindy' }, prometheusLabels: { release: 'kps' } });
    const rule = Testing.synth(c).find((o) => o.kind === 'PrometheusRule');
    expect(rule.metadata.labels.release).toBe('kps');
  });
  it('runbookUrl turns the alert name into a kebab-case docs path', () => {
    expect(runbookUrl('BindyNoLeader')).toBe('https://github.com/firestoned/bindy-ts/blob/main/docs/runbooks/bindy-no-leader.md');
  });
  it('the offline models really reject a malformed object', () => {
    expect(() => new Deployment({ metadata: { name: 'x' }, spec: { replicas: 'three' } } as never).validate()).toThrow();
  });
});
