/**
 * V8 flags sized for the operator container's memory limit.
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
export function operatorNodeOptions(memoryLimit: string): string {
  const oldSpaceMiB = Math.floor((quantityBytes(memoryLimit) * 3) / 4 / MiB);
  return `--max-semi-space-size=1 --max-old-space-size=${oldSpaceMiB}`;
}

const MiB = 1024 * 1024;

const SUFFIXES: Readonly<Record<string, number>> = { '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: MiB, Gi: 1024 * MiB, Ti: 1024 * 1024 * MiB };

/** quantityBytes reads a Kubernetes memory quantity (`512Mi`, `1G`, `268435456`) as bytes. */
export function quantityBytes(quantity: string): number {
  const parts = /^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(quantity);
  if (!parts) throw new Error(`not a memory quantity: ${JSON.stringify(quantity)}`);
  return Number(parts[1]) * SUFFIXES[parts[2] ?? '']!;
}
