/**
 * Fields upstream Bindy's schema accepts that Bindy-TS does not implement yet. Each is reported
 * by name as `Ready=False`, reason `Unsupported` (SPEC §6: nothing is ignored silently).
 */
import type { Bind9Cluster, Bind9Config, Bind9Instance } from '../crds/types.js';
import { builtInTuning } from '../dns/dnssec-policy.js';

const set = (v: unknown): boolean => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);

function configFields(prefix: string, c: Bind9Config | null | undefined): string[] {
  if (!c) return [];
  return [
    // named generates and keeps a policy's keys itself; keys from elsewhere, exported keys or a fixed NSEC3 salt are not done.
    ...(c.dnssec?.signing?.enabled ? (['nsec3Salt', 'exportToSecret', 'keysFrom'] as const).filter((k) => set(c.dnssec?.signing?.[k])).map((k) => `${prefix}.dnssec.signing.${k}`) : []),
    c.dnssec?.signing?.enabled && c.dnssec.signing.autoGenerate === false ? `${prefix}.dnssec.signing.autoGenerate false` : '',
    builtInTuningField(prefix, c),
    set(c.forwarders) ? `${prefix}.forwarders` : '',
    set(c.listenOn) ? `${prefix}.listenOn` : '',
    set(c.listenOnV6) ? `${prefix}.listenOnV6` : '',
    set(c.rndcSecretRef) ? `${prefix}.rndcSecretRef` : '',
    set(c.bindcarConfig) ? `${prefix}.bindcarConfig` : '',
  ];
}

/** builtInTuningField names tuning given with a built-in policy name, which named cannot redefine (zones sign with named's own policy). */
function builtInTuningField(prefix: string, c: Bind9Config): string {
  const signing = c.dnssec?.signing;
  const tuned = signing?.enabled ? builtInTuning(signing) : [];
  if (!signing || tuned.length === 0) return '';
  return `${prefix}.dnssec.signing.${tuned.join('/')} with named's built-in policy "${signing.policy ?? 'default'}" (give signing.policy a name of your own to tune it)`;
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

/** unsupportedMessage is the condition message for a list of unsupported fields. */
export function unsupportedMessage(fields: readonly string[]): string {
  return `Bindy-TS does not implement ${fields.join(', ')} yet; remove ${fields.length === 1 ? 'it' : 'them'} (the rest is deployed)`;
}
