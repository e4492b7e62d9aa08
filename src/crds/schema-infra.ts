/**
 * Specs and statuses of the infrastructure kinds — ClusterBind9Provider, Bind9Cluster and
 * Bind9Instance — in upstream Bindy's shape (SPEC §6). Field names, types, required fields, enums
 * and defaults are upstream's; embedded Kubernetes core types are kept whole (`kubeObject`).
 */
import {
  bool,
  conditions,
  enumOf,
  int32,
  int64,
  kubeObject,
  list,
  obj,
  observedGeneration,
  opt,
  str,
  stringMap,
  strings,
  type JSONSchemaProps,
} from './schema.js';

/** RNDC_ALGORITHMS are the HMAC algorithms an rndc or TSIG key may use. */
export const RNDC_ALGORITHMS = ['hmac-sha1', 'hmac-sha224', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512'] as const;

const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$';
const DURATION_PATTERN = '^[A-Za-z0-9]{1,32}$';

const rndcSecretRef = (): JSONSchemaProps =>
  obj(
    'A Secret holding an rndc/TSIG key.',
    {
      name: str('Secret name.'),
      algorithm: enumOf('HMAC algorithm of the key.', RNDC_ALGORITHMS, 'hmac-sha256'),
      keyNameKey: { ...str('Secret data key holding the key name.'), default: 'key-name' },
      secretKey: { ...str('Secret data key holding the base64 key.'), default: 'secret' },
    },
    ['name'],
  );

const rndcKey = (): JSONSchemaProps =>
  obj('rndc key: an existing Secret, an inline Secret, or generated (optionally rotated).', {
    algorithm: enumOf('HMAC algorithm of the key.', RNDC_ALGORITHMS, 'hmac-sha256'),
    autoRotate: bool('Rotate the generated key.', false),
    rotateAfter: { ...str('Rotation period (Go duration, e.g. 720h).'), default: '720h' },
    secretRef: opt(rndcSecretRef()),
    secret: opt(
      obj(
        'An inline Secret to create.',
        {
          metadata: obj('Secret metadata.', { name: str('Secret name.'), labels: opt(stringMap('Labels.')), annotations: opt(stringMap('Annotations.')) }, ['name']),
          type: { ...str('Secret type.'), default: 'Opaque' },
          data: opt(stringMap('Base64 data.')),
          stringData: opt(stringMap('Plain-text data.')),
        },
        ['metadata'],
      ),
    ),
  });

const bindcarConfig = (): JSONSchemaProps =>
  obj('The API sidecar next to named (Bindy-TS runs its own agent there).', {
    image: opt(str('Sidecar image.')),
    imagePullPolicy: opt(str('Sidecar image pull policy.')),
    logLevel: opt(str('Sidecar log level.')),
    port: opt(int32('Sidecar API port.')),
    envVars: opt(list('Extra environment variables of the sidecar.', kubeObject('A core/v1 EnvVar.', ['name']))),
    resources: opt(kubeObject('core/v1 ResourceRequirements of the sidecar.')),
    serviceSpec: opt(kubeObject('core/v1 ServiceSpec overrides of the sidecar Service.')),
  });

const dnssecConfig = (): JSONSchemaProps =>
  obj('DNSSEC validation and signing.', {
    validation: opt(bool('Validate DNSSEC answers (dnssec-validation).')),
    signing: opt(
      obj('Sign the zones served by these instances.', {
        enabled: bool('Sign zones.', false),
        policy: opt(str('dnssec-policy name.', NAME_PATTERN)),
        algorithm: opt(str('Key algorithm, e.g. ECDSAP256SHA256.', DURATION_PATTERN)),
        kskLifetime: opt(str('KSK lifetime, e.g. 365d.', DURATION_PATTERN)),
        zskLifetime: opt(str('ZSK lifetime, e.g. 90d.', DURATION_PATTERN)),
        nsec3: opt(bool('Use NSEC3 instead of NSEC.')),
        nsec3Iterations: opt({ type: 'integer', format: 'uint32', minimum: 0, description: 'NSEC3 iterations.' }),
        nsec3Salt: opt(str('NSEC3 salt.')),
        autoGenerate: opt(bool('Generate keys when none are given.')),
        exportToSecret: opt(bool('Export generated keys to a Secret.')),
        keysFrom: opt(
          obj('Where existing keys come from.', {
            secretRef: opt(obj('Secret with the keys.', { name: str('Secret name.'), namespace: opt(str('Secret namespace.')) }, ['name'])),
            persistentVolume: opt(kubeObject('core/v1 PersistentVolumeClaimSpec for the key directory.')),
          }),
        ),
      }),
    ),
  });

/** bind9Config is the named.conf options block of a cluster (`global`) or an instance (`config`). */
const bind9Config = (): JSONSchemaProps =>
  obj('named.conf options.', {
    recursion: opt(bool('Allow recursive queries.')),
    allowQuery: opt(strings('allow-query address match list.')),
    allowTransfer: opt(strings('allow-transfer address match list.')),
    forwarders: opt(strings('Forwarder addresses.')),
    listenOn: opt(strings('listen-on addresses.')),
    listenOnV6: opt(strings('listen-on-v6 addresses.')),
    dnssec: opt(dnssecConfig()),
    rndcSecretRef: opt(rndcSecretRef()),
    bindcarConfig: opt(bindcarConfig()),
  });

const imageConfig = (): JSONSchemaProps =>
  obj('Container image of named.', {
    image: opt(str('Image reference.')),
    imagePullPolicy: opt(str('Image pull policy.')),
    imagePullSecrets: opt(strings('Names of image pull Secrets.')),
  });

const configMapRefs = (): JSONSchemaProps =>
  obj('ConfigMaps that replace the generated named.conf parts.', {
    namedConf: opt(str('ConfigMap with named.conf.')),
    namedConfOptions: opt(str('ConfigMap with named.conf.options.')),
    namedConfZones: opt(str('ConfigMap with named.conf.zones.')),
  });

const volumes = () => opt(list('Extra pod volumes.', kubeObject('A core/v1 Volume.', ['name'])));
const volumeMounts = () => opt(list('Extra named volume mounts.', kubeObject('A core/v1 VolumeMount.', ['mountPath', 'name'])));
const replicas = () => opt(int32('Number of named pods.', 0, 100));

const roleConfig = (role: string): JSONSchemaProps =>
  obj(`The ${role} Bind9Instance the cluster creates.`, {
    replicas: replicas(),
    labels: opt(stringMap('Labels added to the instance.')),
    allowTransfer: opt(strings('allow-transfer for this role.')),
    rndcKey: opt(rndcKey()),
    rndcSecretRef: opt(rndcSecretRef()),
    service: opt(obj('The instance Service.', { annotations: opt(stringMap('Service annotations.')), spec: opt(kubeObject('core/v1 ServiceSpec overrides.')) })),
  });

/** clusterCommonProperties are the spec fields Bind9Cluster and ClusterBind9Provider share. */
function clusterCommonProperties(): Record<string, JSONSchemaProps> {
  return {
    version: { ...opt(str('BIND version, e.g. 9.18.')), default: '9.18' },
    image: opt(imageConfig()),
    configMapRefs: opt(configMapRefs()),
    global: opt(bind9Config()),
    primary: opt(roleConfig('primary')),
    secondary: opt(roleConfig('secondary')),
    acls: opt({ type: 'object', description: 'Named ACLs: name → address match list.', additionalProperties: { type: 'array', items: { type: 'string' } } }),
    rndcSecretRefs: opt(list('Extra keys (e.g. TSIG) made available to named.', rndcSecretRef())),
    volumes: volumes(),
    volumeMounts: volumeMounts(),
  };
}

/** bind9ClusterSpec is a namespaced family of primary and secondary instances. */
export const bind9ClusterSpec = (): JSONSchemaProps => obj('A BIND9 cluster: shared configuration and its primary and secondary instances.', clusterCommonProperties());

/** clusterBind9ProviderSpec is a cluster-scoped Bind9Cluster whose instances live in `namespace`. */
export const clusterBind9ProviderSpec = (): JSONSchemaProps =>
  obj('A cluster-scoped BIND9 provider: a Bind9Cluster whose instances live in one namespace and serve zones of every namespace.', {
    namespace: opt(str("Namespace of the provider's Bind9Instances; the operator's namespace when absent.")),
    ...clusterCommonProperties(),
  });

/** bind9ClusterStatus is the status of both cluster kinds. */
export const bind9ClusterStatus = (): JSONSchemaProps =>
  opt(
    obj('Observed state.', {
      conditions,
      observedGeneration,
      instanceCount: opt(int32('Number of instances of the cluster.')),
      readyInstances: opt(int32('Number of Ready instances.')),
      instances: strings('Names of the Bind9Instances of the cluster.'),
    }),
  );

/** bind9InstanceSpec is one set of named pods of one role. */
export const bind9InstanceSpec = (): JSONSchemaProps =>
  obj(
    'A BIND9 server deployment of one role.',
    {
      clusterRef: str('Name of the Bind9Cluster or ClusterBind9Provider this instance belongs to.'),
      role: enumOf('primary (zones are pushed here) or secondary (zones arrive by zone transfer).', ['primary', 'secondary']),
      replicas: replicas(),
      version: opt(str('BIND version.')),
      image: opt(imageConfig()),
      configMapRefs: opt(configMapRefs()),
      config: opt(bind9Config()),
      primaryServers: opt(strings('Primary addresses a secondary transfers from.')),
      rndcKey: opt(rndcKey()),
      rndcSecretRef: opt(rndcSecretRef()),
      storage: opt(
        obj('Zone file storage.', {
          storageType: enumOf('emptyDir or persistentVolumeClaim.', ['emptyDir', 'persistentVolumeClaim'], 'emptyDir'),
          emptyDir: opt(kubeObject('core/v1 EmptyDirVolumeSource.')),
          persistentVolumeClaim: opt(
            obj('The claim to use or create.', {
              claimName: opt(str('Existing claim name.')),
              storageClassName: opt(str('Storage class.')),
              size: opt(str('Requested size, e.g. 1Gi.')),
              accessModes: opt(strings('Access modes.')),
            }),
          ),
        }),
      ),
      bindcarConfig: opt(bindcarConfig()),
      volumes: volumes(),
      volumeMounts: volumeMounts(),
    },
    ['clusterRef', 'role'],
  );

/** bind9InstanceStatus is upstream's instance status plus the pod counts Bindy-TS reports. */
export const bind9InstanceStatus = (): JSONSchemaProps =>
  opt(
    obj('Observed state.', {
      conditions,
      observedGeneration,
      observedParentGeneration: opt(int64('Generation of the parent cluster last applied.')),
      clusterRef: opt(
        obj('The cluster object this instance belongs to.', { apiVersion: str('apiVersion.'), kind: str('kind.'), name: str('name.'), namespace: opt(str('namespace.')) }, ['apiVersion', 'kind', 'name']),
      ),
      serviceAddress: opt(str('Address of the instance Service.')),
      zones: list(
        'Zones this instance serves.',
        obj(
          'A zone reference.',
          { apiVersion: str('apiVersion.'), kind: str('kind.'), name: str('DNSZone name.'), namespace: str('DNSZone namespace.'), zoneName: str('Zone name.'), lastReconciledAt: opt(str('Last push time.')) },
          ['apiVersion', 'kind', 'name', 'namespace', 'zoneName'],
        ),
      ),
      zonesCount: opt(int32('Number of zones served.')),
      rndcKeyRotation: opt(
        obj(
          'rndc key rotation state.',
          {
            createdAt: str('Key creation time.'),
            lastRotatedAt: opt(str('Last rotation time.')),
            rotateAt: opt(str('Next rotation time.')),
            rotationCount: { type: 'integer', format: 'uint32', minimum: 0, default: 0, description: 'Rotations so far.' },
          },
          ['createdAt'],
        ),
      ),
      // Bindy-TS additions: the pods behind the instance.
      replicas: opt(int32('Pods of the instance (Bindy-TS).', 0)),
      readyReplicas: opt(int32('Ready pods of the instance (Bindy-TS).', 0)),
    }),
  );
