import { QUANTITY } from './validation.js';

/**
 * The operator container's memory settings, sized for its memory limit: V8's flags
 * (NODE_OPTIONS) and glibc's malloc (MALLOC_MMAP_THRESHOLD_).
 *
 * `--max-semi-space-size=1`: every watch event is decoded into garbage that RSS holds until a
 * scavenge; with node's default semi-spaces (16 MiB) a standby hearing 22,000 objects grew 2.95
 * KiB of RSS per object, with 1 MiB 1.86 KiB and 13 MiB less idle (`npm run bench cache-memory`).
 *
 * `--max-old-space-size` at three quarters of the limit. How far V8 lets the old generation grow
 * past what its last full collection kept depends on this maximum: up to 4× when the heap may
 * reach 2 GiB or more (node sizes it from the memory it sees, the host's where no limit is
 * read), about 1.35× at 384 MiB. Outside a container, a leader importing 3,000 zones × 10
 * records had 212 MiB of old space committed for 55–80 MiB live and an RSS of 304 MiB
 * until V8's memory reducer shrank it a minute after the import ended (`npm run bench scale`,
 * its memoryTrace). A heap that outgrows the maximum fails as a JavaScript heap out-of-memory
 * error that says so in the log rather than as a silent OOM kill, and the last quarter is left to
 * what is not V8's heap (code, buffers, TLS).
 */
function operatorNodeOptions(memoryLimit: string): string {
  const oldSpaceMiB = Math.floor((quantityBytes(memoryLimit) * 3) / 4 / MiB);
  return `--max-semi-space-size=1 --max-old-space-size=${oldSpaceMiB}`;
}

/**
 * operatorMemoryEnv is the environment of the operator container: NODE_OPTIONS above, and
 * MALLOC_MMAP_THRESHOLD_ pinned at glibc's initial 128 KiB. glibc raises that threshold each
 * time a large block is freed, after which blocks as large (response bodies, zone inventories)
 * come from the main heap, which gives memory back only from its top: a leader held 20 MiB more
 * of it than a standby at 10,000 zones. Pinned, they are mapped and unmapped on their own; at
 * 3,000 zones the leader's RSS outside V8's heap went from 78 to 68 MiB, a standby's from 59 to 54.
 */
export function operatorMemoryEnv(memoryLimit: string): Readonly<Record<'NODE_OPTIONS' | 'MALLOC_MMAP_THRESHOLD_', string>> {
  return { NODE_OPTIONS: operatorNodeOptions(memoryLimit), MALLOC_MMAP_THRESHOLD_: String(128 * 1024) };
}

const MiB = 1024 * 1024;

const SUFFIXES: Readonly<Record<string, number>> = { '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: MiB, Gi: 1024 * MiB, Ti: 1024 * 1024 * MiB };

/** quantityBytes reads a Kubernetes memory quantity (`512Mi`, `1G`, `268435456`) as bytes. */
function quantityBytes(quantity: string): number {
  const parts = QUANTITY.exec(quantity);
  if (!parts) throw new Error(`not a memory quantity: ${JSON.stringify(quantity)}`);
  return Number(parts[1]) * SUFFIXES[parts[2] ?? '']!;
}
