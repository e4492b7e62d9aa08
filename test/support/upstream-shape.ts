/**
 * An upstream-shaped CRD for the CRD-swap test, generated from our own definitions: where we
 * keep an embedded Kubernetes type whole (`x-kubernetes-preserve-unknown-fields`), upstream has
 * the type spelled out, so we type it from the full example objects; and the status fields only
 * Bindy-TS writes are removed. Under this schema the apiserver prunes anything it does not
 * know, as upstream's CRDs do — so what survives a swap is exactly what upstream stored.
 */
import type { CustomResourceDefinition, JSONSchemaProps } from '../../src/crds/index.js';

/** BINDY_TS_STATUS_FIELDS are status fields upstream's schemas do not have. */
export const BINDY_TS_STATUS_FIELDS: Readonly<Record<string, readonly string[]>> = {
  DNSZone: ['serial', 'contentHash'],
  Bind9Instance: ['replicas', 'readyReplicas'],
};

/** typedFrom infers a structural schema from a JSON value (objects, arrays, scalars). */
export function typedFrom(value: unknown): JSONSchemaProps {
  if (Array.isArray(value)) return { type: 'array', items: typedFrom(value[0]) };
  if (value !== null && typeof value === 'object') {
    return { type: 'object', properties: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typedFrom(v)])) };
  }
  if (typeof value === 'number') return Number.isInteger(value) ? { type: 'integer' } : { type: 'number' };
  if (typeof value === 'boolean') return { type: 'boolean' };
  return { type: 'string' };
}

function retype(s: JSONSchemaProps, example: unknown): JSONSchemaProps {
  if (s['x-kubernetes-preserve-unknown-fields']) {
    const { 'x-kubernetes-preserve-unknown-fields': _kept, ...rest } = s;
    return { ...rest, ...typedFrom(example ?? {}) };
  }
  if (s.type === 'array' && s.items) return { ...s, items: retype(s.items, Array.isArray(example) ? example[0] : undefined) };
  if (!s.properties) return s;
  const v = (example ?? {}) as Record<string, unknown>;
  return { ...s, properties: Object.fromEntries(Object.entries(s.properties).map(([k, c]) => [k, retype(c, v[k])])) };
}

/** withoutFields drops `fields` from a status schema, and observedGeneration from its conditions. */
function withoutFields(status: JSONSchemaProps, fields: readonly string[]): JSONSchemaProps {
  const props = Object.fromEntries(Object.entries(status.properties ?? {}).filter(([k]) => !fields.includes(k)));
  const conditions = props.conditions?.items;
  if (conditions?.properties) {
    const { observedGeneration: _ours, ...upstream } = conditions.properties;
    props.conditions = { ...props.conditions, items: { ...conditions, properties: upstream } };
  }
  return { ...status, properties: props };
}

/** upstreamShaped returns `crd` in group `group`, shaped as upstream's CRD of that kind. */
export function upstreamShaped(crd: CustomResourceDefinition, group: string, example: { spec: object; status: object }): CustomResourceDefinition {
  const moved = renamed(crd, group);
  const v = moved.spec.versions[0]!;
  const root = v.schema.openAPIV3Schema;
  const spec = retype(root.properties!.spec!, example.spec);
  const status = withoutFields(retype(root.properties!.status!, example.status), BINDY_TS_STATUS_FIELDS[crd.spec.names.kind] ?? []);
  return { ...moved, spec: { ...moved.spec, versions: [{ ...v, schema: { openAPIV3Schema: { ...root, properties: { spec, status } } } }] } };
}

/** renamed moves a CRD to another API group (the swap test must not touch the shared CRDs). */
export function renamed(crd: CustomResourceDefinition, group: string): CustomResourceDefinition {
  const copy = JSON.parse(JSON.stringify(crd)) as CustomResourceDefinition;
  return { ...copy, metadata: { name: `${copy.spec.names.plural}.${group}` }, spec: { ...copy.spec, group, names: { ...copy.spec.names, categories: [] } } };
}
