/**
 * Schema building blocks shared by the bindy CRDs (`schema-infra.ts`, `schema-dns.ts`), and the
 * shapes of a schema and a printer column.
 *
 * The API is upstream Bindy's `bindy.firestoned.io/v1beta1` (SPEC §6): every builder here
 * produces exactly the constraints upstream's schema has — no stricter — so an object upstream
 * accepts is accepted here and keeps every field. Upstream marks each optional field `nullable`,
 * and the apiserver prunes a `null` from a field that is not nullable, so optional fields are
 * nullable here too. Stricter checks (addresses, names) are made by the controllers, which report
 * them in status (`Ready=False`) instead of refusing the object.
 */

/** JSONSchemaProps is the subset of the OpenAPI v3 schema the bindy CRDs use. */
export interface JSONSchemaProps {
  type?: 'object' | 'array' | 'string' | 'integer' | 'boolean' | 'number';
  description?: string;
  format?: string;
  pattern?: string;
  enum?: Array<string | number>;
  default?: unknown;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: JSONSchemaProps;
  properties?: Record<string, JSONSchemaProps>;
  required?: string[];
  additionalProperties?: JSONSchemaProps;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-validations'?: Array<{ rule: string; message: string }>;
}

/** PrinterColumn is a CustomResourceColumnDefinition. */
export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'date' | 'boolean' | 'number';
  jsonPath: string;
  description?: string;
  priority?: number;
}

type Props = Record<string, JSONSchemaProps>;

/** opt marks a field optional the way upstream does: absent or null. */
export const opt = (s: JSONSchemaProps): JSONSchemaProps => ({ ...s, nullable: true });

/** str is a string with an optional pattern. */
export const str = (description: string, pattern?: string): JSONSchemaProps => ({ type: 'string', description, ...(pattern ? { pattern } : {}) });

/** int32 is a 32-bit integer, bounded when upstream bounds it. */
export const int32 = (description: string, minimum?: number, maximum?: number): JSONSchemaProps => ({
  type: 'integer',
  format: 'int32',
  description,
  ...(minimum === undefined ? {} : { minimum }),
  ...(maximum === undefined ? {} : { maximum }),
});

/** int64 is a 64-bit integer (generations, serials). */
export const int64 = (description: string, minimum?: number, maximum?: number): JSONSchemaProps => ({ ...int32(description, minimum, maximum), format: 'int64' });

/** bool is a boolean with an optional default. */
export const bool = (description: string, dflt?: boolean): JSONSchemaProps => ({ type: 'boolean', description, ...(dflt === undefined ? {} : { default: dflt }) });

/** obj is an object with named properties; `required` lists the ones that must be present. */
export const obj = (description: string, properties: Props, required?: string[]): JSONSchemaProps => ({
  type: 'object',
  description,
  properties,
  ...(required ? { required } : {}),
});

/** list is an array of `items`. */
export const list = (description: string, items: JSONSchemaProps): JSONSchemaProps => ({ type: 'array', description, items });

/** strings is an array of strings. */
export const strings = (description: string): JSONSchemaProps => list(description, { type: 'string' });

/** stringMap is a free-form string-to-string map (labels, annotations). */
export const stringMap = (description: string): JSONSchemaProps => ({ type: 'object', description, additionalProperties: { type: 'string' } });

/** enumOf is a string from a fixed vocabulary, with an optional default. */
export const enumOf = (description: string, values: readonly string[], dflt?: string): JSONSchemaProps => ({
  type: 'string',
  description,
  enum: [...values],
  ...(dflt === undefined ? {} : { default: dflt }),
});

/**
 * kubeObject stands for an embedded Kubernetes core type (Volume, VolumeMount, EnvVar,
 * ResourceRequirements, ServiceSpec, EmptyDirVolumeSource, PersistentVolumeClaimSpec). Its
 * fields are kept as written (never pruned); the apiserver validates them where they finally
 * land, in the Pod or Service the operator builds.
 */
export const kubeObject = (description: string, required?: string[]): JSONSchemaProps => ({
  type: 'object',
  description,
  'x-kubernetes-preserve-unknown-fields': true,
  ...(required ? { required } : {}),
});

/** MAX_I32 is the largest TTL and SOA timer upstream accepts. */
export const MAX_I32 = 2147483647;

/** ttlField is the optional TTL of a zone or record, seconds. */
export const ttlField = (description: string): JSONSchemaProps => opt(int32(description, 0, MAX_I32));

/** conditionSchema is upstream's condition: only `type` and `status` are required. */
export const conditionSchema: JSONSchemaProps = obj(
  'A status condition (Ready, …).',
  {
    type: str('Condition type, e.g. Ready.'),
    status: str('True, False or Unknown.'),
    reason: opt(str('CamelCase reason for the last transition.')),
    message: opt(str('Human readable details.')),
    lastTransitionTime: opt(str('RFC 3339 time of the last status change.')),
    // Bindy-TS addition (status only): the generation the condition was computed from.
    observedGeneration: opt(int64('metadata.generation the condition describes.')),
  },
  ['status', 'type'],
);

/** conditions is the `status.conditions` list every kind has (upstream defaults it to []). */
export const conditions: JSONSchemaProps = { ...list('Status conditions; Ready says whether the object is served.', conditionSchema), default: [] };

/** observedGeneration is `status.observedGeneration`. */
export const observedGeneration: JSONSchemaProps = opt(int64('The metadata.generation this status describes.'));

/** labelSelector is a metav1.LabelSelector (matchLabels and matchExpressions, all must hold). */
export const labelSelector: JSONSchemaProps = obj('Kubernetes label selector: every matchLabels entry and every matchExpressions requirement must hold.', {
  matchLabels: opt(stringMap('Labels the object must have, with these values.')),
  matchExpressions: opt(
    list(
      'Requirements on labels.',
      obj(
        'key, operator (In, NotIn, Exists, DoesNotExist) and values.',
        { key: str('Label key.'), operator: str('In, NotIn, Exists or DoesNotExist.'), values: opt(strings('Values for In and NotIn.')) },
        ['key', 'operator'],
      ),
    ),
  ),
});

/** selectorSources is a list of `{ selector }` entries (recordsFrom, bind9InstancesFrom). */
export const selectorSources = (description: string): JSONSchemaProps => opt(list(description, obj('One label selector.', { selector: labelSelector }, ['selector'])));

/** readyColumn is upstream's Ready printer column. */
export const readyColumn: PrinterColumn = { name: 'Ready', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" };

/** col is a printer column over `jsonPath`. */
export const col = (name: string, jsonPath: string, type: PrinterColumn['type'] = 'string'): PrinterColumn => ({ name, type, jsonPath });

/** statusOf is a status object with the fields every kind has plus `extra`. */
export function statusOf(extra: Props): JSONSchemaProps {
  return opt(obj('Observed state, written by the operator.', { conditions, observedGeneration, ...extra }));
}
