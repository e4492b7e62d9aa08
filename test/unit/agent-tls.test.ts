/**
 * The agent channel's certificates, checked by Node's X.509 parser and by real TLS handshakes on
 * 127.0.0.1: the operator reaches an agent only with a certificate its CA issued for exactly
 * that instance, and an agent never answers plain HTTP.
 */
import { X509Certificate } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { createServer, request, type Agent, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { agentConnections, agentServerName, certificateProblem, createAgentCa, fingerprint, issueAgentCertificate, type CertificatePem } from '../../src/agent/tls.js';

async function serve(tls: CertificatePem): Promise<Server> {
  const server = createServer({ cert: tls.cert, key: tls.key }, (_req, res) => res.end('agent'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

function get(server: Server, pool: Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/', agent: pool }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('agent certificates', () => {
  const ca = createAgentCa(new Date('2026-01-01T00:00:00Z'));
  const name = agentServerName('adv', 'b-c');
  const cert = issueAgentCertificate(ca, name, new Date('2026-01-02T00:00:00Z'));
  const servers: Server[] = [];
  const pools: Agent[] = [];
  const pool = (caPem: string, serverName: string) => {
    const p = agentConnections(caPem, serverName);
    pools.push(p);
    return p;
  };
  afterAll(async () => {
    for (const p of pools) p.destroy();
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  it('makes a CA that may sign leaf certificates only, and a leaf for exactly one instance name', () => {
    const root = new X509Certificate(ca.cert);
    expect(root.ca).toBe(true);
    expect(root.subject).toBe('CN=bindy agent CA');
    const leaf = new X509Certificate(cert.cert);
    expect(leaf.ca).toBe(false);
    expect(leaf.subjectAltName).toBe('DNS:b-c.adv.agent.bindy.invalid');
    expect(leaf.checkIssued(root)).toBe(true);
    expect(leaf.verify(root.publicKey)).toBe(true);
    expect(leaf.validTo).toBe(root.validTo);
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(fingerprint(ca.cert)).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['this instance, this CA', () => certificateProblem(ca.cert, cert.cert, name), undefined],
    ['another instance whose namespace-name join is the same', () => certificateProblem(ca.cert, cert.cert, agentServerName('adv-b', 'c')), 'not issued for c.adv-b.agent.bindy.invalid'],
    ['another CA', () => certificateProblem(createAgentCa().cert, cert.cert, name), 'not signed by the operator CA'],
    ['after the CA ends', () => certificateProblem(ca.cert, cert.cert, name, new Date('2040-01-01T00:00:00Z')), expect.stringMatching(/^expired on /)],
    ['garbage', () => certificateProblem(ca.cert, 'not a cert', name), expect.stringMatching(/^not a certificate/)],
  ])('judges a certificate of %s', (_what, judge, expected) => {
    expect(judge()).toEqual(expected);
  });

  it('connects only to an agent presenting the instance\'s certificate from the pinned CA', async () => {
    const good = await serve(cert);
    const foreign = await serve(issueAgentCertificate(ca, agentServerName('adv-b', 'c')));
    const rogueCa = createAgentCa();
    const rogue = await serve(issueAgentCertificate(rogueCa, name));
    servers.push(good, foreign, rogue);
    expect(await get(good, pool(ca.cert, name))).toBe('agent');
    await expect(get(foreign, pool(ca.cert, name))).rejects.toThrow(/does not match certificate's altnames/);
    await expect(get(rogue, pool(ca.cert, name))).rejects.toThrow(/signature failure|unable to verify/);
  });

  it('reuses one TLS connection for consecutive calls (keep-alive)', async () => {
    const server = await serve(cert);
    servers.push(server);
    let handshakes = 0;
    server.on('secureConnection', () => handshakes++);
    const p = pool(ca.cert, name);
    for (let i = 0; i < 5; i++) await get(server, p);
    expect(handshakes).toBe(1);
  });

  it('an agent port does not answer plain HTTP', async () => {
    const server = await serve(cert);
    servers.push(server);
    const port = (server.address() as AddressInfo).port;
    const outcome = await new Promise<string>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/v1/zones' }, (res) => resolve(`status ${res.statusCode}`));
      req.on('error', (err) => resolve(`error ${err.message}`));
      req.end();
    });
    expect(outcome).toMatch(/^error /);
  });
});
