/**
 * bindy custom resources: the TypeScript types of spec/status, the CRD objects, the REST names
 * and the validation patterns. One source for the operator and for the manifests.
 */
export * from './types.js';
export * from './patterns.js';
export * from './definitions.js';
export { RECORDS, UPSTREAM_PATTERNS } from './schema-dns.js';
export { RNDC_ALGORITHMS } from './schema-infra.js';
