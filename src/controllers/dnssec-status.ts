/**
 * Upstream's DNSZone status.dnssec for a signed zone: whether every pod serves it, and the DS
 * records to publish at the parent, read from each primary pod (each pod's named made its own
 * keys, so there is one DS per pod's key-signing key; the parent needs them all).
 */
import type { Logger } from 'pino';
import type { AgentClient } from '../agent/client.js';

/** DNSSEC algorithm numbers (RFC 8624) by the mnemonics named and upstream's status use. */
const ALGORITHM_NAMES: Record<string, string> = { '5': 'RSASHA1', '7': 'NSEC3RSASHA1', '8': 'RSASHA256', '10': 'RSASHA512', '13': 'ECDSAP256SHA256', '14': 'ECDSAP384SHA384', '15': 'ED25519', '16': 'ED448' };

export interface DnssecStatus {
  readonly signed: boolean;
  readonly algorithm?: string;
  readonly keyTag?: number;
  readonly dsRecords?: string[];
}

/** dnssecStatus reads the DS records of every primary pod once the zone is served signed; a pod that cannot say is logged and left out. */
export async function dnssecStatus(primaries: readonly AgentClient[], zoneName: string, served: boolean, log: Logger): Promise<DnssecStatus> {
  if (!served) return { signed: false };
  const lists = await Promise.all(
    primaries.map((agent) =>
      agent.ds(zoneName).catch((err: unknown) => {
        log.warn({ pod: agent.address, zone: zoneName, err: (err as Error).message }, 'could not read DS records');
        return [] as string[];
      }),
    ),
  );
  const dsRecords = [...new Set(lists.flat())].sort();
  // "<zone>. IN DS <key tag> <algorithm> <digest type> <digest>"
  const first = /\sDS\s+(\d+)\s+(\d+)\s/.exec(dsRecords[0] ?? '');
  if (!first) return { signed: true };
  return { signed: true, algorithm: ALGORITHM_NAMES[first[2] ?? ''] ?? first[2], keyTag: Number(first[1]), dsRecords };
}
