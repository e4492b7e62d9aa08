/**
 * agentTlsFixture issues what the operator would for one instance: a CA, the agent's server
 * certificate for the instance's name, and the operator-side connection that pins the CA and
 * checks that name.
 */
import type { AgentConnection } from '../../src/agent/client.js';
import { agentConnections, agentServerName, createAgentCa, issueAgentCertificate, type CertificatePem } from '../../src/agent/tls.js';

export interface AgentTlsFixture {
  readonly ca: CertificatePem;
  readonly serverName: string;
  /** The agent's certificate and key (AgentConfig.tls). */
  readonly tls: CertificatePem;
  /** A fresh operator-side connection pool to this instance's agents. */
  connection(): AgentConnection;
}

export function agentTlsFixture(namespace = 'test', name = 'agent'): AgentTlsFixture {
  const ca = createAgentCa();
  const serverName = agentServerName(namespace, name);
  return { ca, serverName, tls: issueAgentCertificate(ca, serverName), connection: () => ({ pool: agentConnections(ca.cert, serverName), serverName }) };
}
