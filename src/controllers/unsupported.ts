/**
 * Fields upstream Bindy's schema accepts that Bindy-TS does not implement yet. Each is reported
 * by name as `Ready=False`, reason `Unsupported` (SPEC §6: nothing is ignored silently).
 */
import type { Bind9Cluster, Bind9Config, Bind9Instance, DNSZone } from '../crds/types.js';

const set = (v: unknown): boolean => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);

function configFields(prefix: string, c: Bind9Config | null | undefined): string[] {
  if (!c) return [];
  return [
    c.dnssec?.signing?.enabled ? `${prefix}.dnssec.signing` : '',
    set(c.forwarders) ? `${prefix}.forwarders` : '',
    set(c.listenOn) ? `${prefix}.listenOn` : '',
    set(c.listenOnV6) ? `${prefix}.listenOnV6` : '',
    set(c.rndcSecretRef) ? `${prefix}.rndcSecretRef` : '',
    set(c.bindcarConfig) ? `${prefix}.bindcarConfig` : '',
  ];
}

/** unsupportedInstanceFields names the fields of an instance Bindy-TS cannot honour (empty when none). */
export function unsupportedInstanceFields(i: Bind9Instance): string[] {
  const s = i.spec;
  return [
    set(s.primaryServers) ? 'spec.primaryServers' : '',
    ...configFields('spec.config', s.config),
    set(s.configMapRefs) ? 'spec.configMapRefs' : '',
    s.storage?.storageType === 'persistentVolumeClaim' ? 'spec.storage.persistentVolumeClaim' : '',
    set(s.volumes) ? 'spec.volumes' : '',
    set(s.volumeMounts) ? 'spec.volumeMounts' : '',
    s.rndcKey?.autoRotate ? 'spec.rndcKey.autoRotate' : '',
    set(s.rndcKey?.secret) || set(s.rndcKey?.secretRef) ? 'spec.rndcKey' : '',
    set(s.rndcSecretRef) ? 'spec.rndcSecretRef' : '',
    set(s.bindcarConfig) ? 'spec.bindcarConfig' : '',
    set(s.image?.imagePullSecrets) ? 'spec.image.imagePullSecrets' : '',
  ].filter((f) => f !== '');
}

/**
 * unsupportedClusterFields names the cluster fields that are not copied to its instances and
 * that Bindy-TS does not implement (the rest reaches the instances, which report their own).
 */
export function unsupportedClusterFields(c: Bind9Cluster): string[] {
  const s = c.spec;
  const role = (name: 'primary' | 'secondary') => {
    const r = s[name];
    return [set(r?.service) ? `spec.${name}.service` : '', set(r?.rndcSecretRef) ? `spec.${name}.rndcSecretRef` : ''];
  };
  return [...role('primary'), ...role('secondary'), set(s.acls) ? 'spec.acls' : '', set(s.rndcSecretRefs) ? 'spec.rndcSecretRefs' : ''].filter((f) => f !== '');
}

/** BUILT_IN_DNSSEC_POLICIES are the policies named 9.18 knows without a dnssec-policy block ("none" means unsigned). */
export const BUILT_IN_DNSSEC_POLICIES = ['none', 'default', 'insecure'];

/** unsupportedZoneField explains the first DNSZone field Bindy-TS cannot honour, or undefined. */
export function unsupportedZoneField(zone: DNSZone): string | undefined {
  const policy = zone.spec.dnssecPolicy;
  if (policy && !BUILT_IN_DNSSEC_POLICIES.includes(policy)) {
    return `spec.dnssecPolicy "${policy}": Bindy-TS signs zones only with named's built-in policies (${BUILT_IN_DNSSEC_POLICIES.map((p) => `"${p}"`).join(', ')}); custom policies (spec.config.dnssec.signing) are not implemented yet; use "default", or remove the field to serve the zone unsigned`;
  }
  return undefined;
}

/** unsupportedMessage is the condition message for a list of unsupported fields. */
export function unsupportedMessage(fields: readonly string[]): string {
  return `Bindy-TS does not implement ${fields.join(', ')} yet; remove ${fields.length === 1 ? 'it' : 'them'} (the rest is deployed)`;
}
