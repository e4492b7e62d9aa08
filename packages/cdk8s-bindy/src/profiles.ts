/**
 * The deployment profiles of SPEC §7 as data, and the image they run. The repository's
 * `infra/main.ts` turns each into `dist/<profile>/`; a GitOps repository spreads one into
 * `addBindyCharts` and overrides what it needs. Nothing here creates constructs.
 */

/** ProfileName names a profile; it is also the output directory under `dist/`. */
export type ProfileName = 'dev' | 'staging' | 'prod' | 'cost-optimized';

/** Spread says how replicas are kept apart. */
export type Spread =
  /** No placement constraints (single replica). */
  | 'none'
  /** Preferred pod anti-affinity on `kubernetes.io/hostname`, weight 100. */
  | 'hostname'
  /** `hostname`, plus a zone topology spread (`maxSkew: 1`, `DoNotSchedule`). */
  | 'hostname-and-zone';

/** SPREADS lists the Spread values. */
export const SPREADS: readonly Spread[] = ['none', 'hostname', 'hostname-and-zone'];

/** ResourceList is a cpu/memory pair in Kubernetes quantity notation. */
export interface ResourceList {
  readonly cpu: string;
  readonly memory: string;
}

/** LeaseTiming is the leader-election timing, in seconds (SPEC §1 rules apply). */
export interface LeaseTiming {
  readonly durationSeconds: number;
  readonly renewDeadlineSeconds: number;
  readonly retryPeriodSeconds: number;
}

/** ImageSettings selects the operator image. */
export interface ImageSettings {
  /** Registry and repository, e.g. `registry.example.com/platform/bindy-ts`. */
  readonly repository: string;
  /** A pinned version (never `latest`), or a digest `sha256:…` to pin the exact build. */
  readonly tag: string;
  /** @default "IfNotPresent" */
  readonly pullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
}

/** Profile is one row of the SPEC §7 table. */
export interface Profile {
  readonly replicas: number;
  readonly lease: LeaseTiming;
  readonly requests: ResourceList;
  readonly limits: ResourceList;
  readonly spread: Spread;
}

/** IMAGE is the operator image every profile uses. Pinned: never `latest`. */
export const IMAGE: Readonly<ImageSettings> = {
  repository: 'ghcr.io/firestoned/bindy-ts',
  tag: '0.1.0',
  pullPolicy: 'IfNotPresent',
};

const SMALL = { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } } as const;
const DEFAULT_LEASE: LeaseTiming = { durationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 };

/** PROFILES is the SPEC §7 table. */
export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  dev: { replicas: 1, lease: DEFAULT_LEASE, ...SMALL, spread: 'none' },
  staging: { replicas: 2, lease: DEFAULT_LEASE, ...SMALL, spread: 'hostname' },
  prod: {
    replicas: 3,
    lease: DEFAULT_LEASE,
    requests: { cpu: '100m', memory: '128Mi' },
    limits: { cpu: '500m', memory: '512Mi' },
    spread: 'hostname-and-zone',
  },
  'cost-optimized': {
    replicas: 2,
    lease: { durationSeconds: 30, renewDeadlineSeconds: 20, retryPeriodSeconds: 2 },
    ...SMALL,
    spread: 'hostname',
  },
};

/** PROFILE_NAMES lists the profiles in table order. */
export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];
