/** Helpers for the manifest tests: synthesize a profile in memory, as plain objects. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHART_IDS, PROFILES, type ChartId, type ProfileName } from '../../packages/cdk8s-bindy/src/index.js';
import { buildProfile } from '../../infra/app.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; generation?: number; labels?: Record<string, string>; annotations?: Record<string, string> }; [k: string]: any };

const outdir = mkdtempSync(join(tmpdir(), 'bindy-synth-'));

/** synthCharts returns the objects of each chart of a profile (nothing is written). */
export function synthCharts(profile: ProfileName): Record<ChartId, Manifest[]> {
  const { charts } = buildProfile(PROFILES[profile], join(outdir, profile));
  return Object.fromEntries(CHART_IDS.map((id) => [id, charts[id].toJson() as Manifest[]])) as Record<ChartId, Manifest[]>;
}

/** synthAll returns every object of a profile in apply order. */
export function synthAll(profile: ProfileName): Manifest[] {
  return Object.values(synthCharts(profile)).flat();
}

/** find returns the one object of a kind (and name), failing loudly otherwise. */
export function find(objects: Manifest[], kind: string, name?: string): Manifest {
  const hits = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (hits.length !== 1) throw new Error(`expected one ${kind} ${name ?? ''}, found ${hits.length}`);
  return hits[0]!;
}

/** CLUSTER_SCOPED are the kinds that must not carry a namespace. */
export const CLUSTER_SCOPED = new Set(['CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'Namespace']);
