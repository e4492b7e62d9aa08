import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { KubeClient } from '../kube/api-client.js';
import { loadKubeConnection } from '../kube/kubeconfig.js';
import { POD_PATHS } from '../dns/named-conf.js';
import { AGENT_PORT } from './client.js';
import { runAgent, type AgentConfig } from './main.js';

/** AGENT_PATHS are where the Bind9Instance pod mounts the agent's inputs. */
export const AGENT_PATHS = {
  dataDir: `${POD_PATHS.data}/bindy`,
  tokenFile: '/etc/bindy/agent/token',
  /** tls.crt and tls.key: the certificate the operator issued for this instance. */
  tlsDir: '/etc/bindy/agent-tls',
  rndcKeyFile: `${POD_PATHS.rndcKeyDir}/rndc.key`,
} as const;

function intEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new Error(`${name}=${JSON.stringify(raw)}: must be an integer`);
  return Number(raw);
}

/** agentConfigFromEnv builds the agent's config; the token file is re-read so a rotated Secret is honoured. */
export function agentConfigFromEnv(env: NodeJS.ProcessEnv): AgentConfig {
  const log = pino({ level: env.LOG_LEVEL ?? 'info', base: { component: 'agent' } });
  const tokenFile = env.AGENT_TOKEN_FILE ?? AGENT_PATHS.tokenFile;
  const tlsDir = env.AGENT_TLS_DIR ?? AGENT_PATHS.tlsDir;
  const electionOn = (env.ENABLE_LEADER_ELECTION ?? 'true').toLowerCase() !== 'false';
  return {
    listenHost: env.AGENT_LISTEN_HOST ?? '0.0.0.0',
    port: intEnv(env, 'AGENT_PORT', AGENT_PORT),
    dataDir: env.AGENT_DATA_DIR ?? AGENT_PATHS.dataDir,
    token: () => readFileSync(tokenFile, 'utf8').trim(),
    tls: { cert: readFileSync(join(tlsDir, 'tls.crt'), 'utf8'), key: readFileSync(join(tlsDir, 'tls.key'), 'utf8') },
    // named listens on every address of the pod (port 53), so the control address answers DNS too.
    rndc: { server: env.RNDC_SERVER ?? '127.0.0.1', port: intEnv(env, 'RNDC_PORT', 953), keyFile: env.RNDC_KEY_FILE ?? AGENT_PATHS.rndcKeyFile, dns: { server: env.RNDC_SERVER ?? '127.0.0.1', port: 53 } },
    lease: electionOn
      ? { client: new KubeClient(loadKubeConnection(env), { timeoutMs: 5_000 }), namespace: env.LEASE_NAMESPACE ?? 'dns-system', name: env.LEASE_NAME ?? 'bindy-leader' }
      : undefined,
    log,
  };
}

/** main runs `bindy agent` until SIGTERM/SIGINT. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = agentConfigFromEnv(env);
  const agent = await runAgent(config);
  const stop = async () => {
    await agent.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
