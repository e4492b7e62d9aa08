/** Helpers for the manifest tests: synthesize a profile in memory, as plain objects. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { CHART_IDS, PROFILES, type ChartId, type ProfileName } from '../../packages/cdk8s-bindy/src/index.js';
import { buildProfile } from '../../infra/app.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; generation?: number; labels?: Record<string, string>; annotations?: Record<string, string> }; [k: string]: any };

/**
 * UNWRITTEN_OUTDIR is the outdir of the in-memory apps: they are only turned into objects
 * (toJson), never synthesized, so nothing creates it. (cdk8s's Testing.app() would mkdtemp a
 * `cdk8s.outdir.*` directory per call that nobody removes.)
 */
const UNWRITTEN_OUTDIR = join(tmpdir(), 'bindy-in-memory-app');

/** inMemoryApp is an App for tests that read its charts' objects and never call synth(). */
export function inMemoryApp(): App {
  return new App({ outdir: UNWRITTEN_OUTDIR });
}

/** synthCharts returns the objects of each chart of a profile (nothing is written). */
export function synthCharts(profile: ProfileName): Record<ChartId, Manifest[]> {
  const { charts } = buildProfile(PROFILES[profile], join(UNWRITTEN_OUTDIR, profile));
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
