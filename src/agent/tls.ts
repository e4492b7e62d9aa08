/**
 * The agent channel's certificates. The operator keeps one CA (ECDSA P-256) and issues each
 * Bind9Instance a server certificate whose only name is agentServerName(instance); the operator
 * pins its CA and checks that name on every connection, so an agent answers only for its own
 * instance. Node's crypto makes the keys and the signatures; X.509 has no builder in Node, so
 * the few DER structures a certificate needs (RFC 5280) are written here.
 */
import { checkServerIdentity, createSecureContext, type PeerCertificate } from 'node:tls';
import { Agent } from 'node:https';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';

/** KeyPairPem is a certificate and its PKCS#8 private key, both PEM. */
export interface CertificatePem {
  readonly cert: string;
  readonly key: string;
}

/** agentServerName is the DNS name in an instance's agent certificate (".invalid": never resolvable, RFC 2606). */
export function agentServerName(namespace: string, name: string): string {
  return `${name}.${namespace}.agent.bindy.invalid`;
}

/** CA_VALIDITY_DAYS: the CA and every certificate it issues end together; rotation is a new CA (docs/security.md). */
export const CA_VALIDITY_DAYS = 3650;

/** createAgentCa makes a self-signed CA that may sign server certificates only (pathLen 0). */
export function createAgentCa(now = new Date()): CertificatePem {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const subject = name('bindy agent CA');
  const extensions = [extension(OID.basicConstraints, true, seq(bool(true), int(Buffer.from([0])))), extension(OID.keyUsage, true, keyUsage(KEY_CERT_SIGN | CRL_SIGN))];
  const cert = certificate({ issuer: subject, subject, publicKey, signer: privateKey, notBefore: now, notAfter: addDays(now, CA_VALIDITY_DAYS), extensions });
  return { cert, key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** issueAgentCertificate signs a server certificate for `serverName`, valid as long as the CA. */
export function issueAgentCertificate(ca: CertificatePem, serverName: string, now = new Date()): CertificatePem {
  const caCert = new X509Certificate(ca.cert);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const extensions = [
    extension(OID.basicConstraints, true, seq()),
    extension(OID.keyUsage, true, keyUsage(DIGITAL_SIGNATURE)),
    extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth))),
    extension(OID.subjectAltName, true, seq(tlv(0x82, Buffer.from(serverName, 'ascii')))),
  ];
  const issuer = name('bindy agent CA');
  const cert = certificate({ issuer, subject: seq(), publicKey, signer: createPrivateKey(ca.key), notBefore: now, notAfter: new Date(caCert.validTo), extensions });
  return { cert, key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** fingerprint is the hex SHA-256 of a PEM certificate's DER. */
export function fingerprint(certPem: string): string {
  return createHash('sha256').update(new X509Certificate(certPem).raw).digest('hex');
}

/** certificateProblem says why `cert` is not a current certificate of `caPem` for `serverName` (undefined: it is). */
export function certificateProblem(caPem: string, certPem: string, serverName: string, now = new Date()): string | undefined {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (err) {
    return `not a certificate: ${(err as Error).message}`;
  }
  if (!cert.verify(createPublicKey(new X509Certificate(caPem).publicKey.export({ type: 'spki', format: 'pem' })))) return 'not signed by the operator CA';
  if (cert.checkHost(serverName, { subject: 'never' }) !== serverName) return `not issued for ${serverName}`;
  if (new Date(cert.validTo) <= now) return `expired on ${cert.validTo}`;
  return undefined;
}

/** AGENT_SOCKETS bounds the operator's open connections to one agent (one per DNSZone worker, ZONE_WORKERS in manager.ts). */
export const AGENT_SOCKETS = 32;

/**
 * agentConnections returns the operator's connection pool to one instance's agents: TLS with
 * the operator CA as the only trust root, the instance's name required in the certificate (the
 * pod address is not checked: pods move, certificates do not), and keep-alive so a push reuses
 * the handshake of the one before. Up to AGENT_SOCKETS per pod: as many as there are DNSZone
 * workers, so their pushes reach an agent together and it applies them as one batch (one rndc
 * reload); with fewer, the pool would queue them and split the batch.
 */
export function agentConnections(caPem: string, serverName: string): Agent {
  // One TLS context for the pool: given only `ca`, each new socket parsed the CA into a context of its own (OpenSSL memory outside V8's heap).
  const secureContext = createSecureContext({ ca: caPem });
  return new Agent({ keepAlive: true, timeout: 60_000, maxSockets: AGENT_SOCKETS, secureContext, servername: serverName, checkServerIdentity: identityCheck(serverName) });
}

/** identityCheck accepts exactly the certificate issued for `serverName`, whatever address was dialled. */
export function identityCheck(serverName: string): (host: string, cert: PeerCertificate) => Error | undefined {
  return (_host, cert) => checkServerIdentity(serverName, cert);
}

// ---- DER (ITU-T X.690), only what a certificate needs -------------------------------------

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;
const DIGITAL_SIGNATURE = 0x80;
const KEY_CERT_SIGN = 0x04;
const CRL_SIGN = 0x02;

function certificate(o: { issuer: Buffer; subject: Buffer; publicKey: KeyObject; signer: KeyObject; notBefore: Date; notAfter: Date; extensions: Buffer[] }): string {
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const algorithm = seq(oid(OID.ecdsaWithSha256));
  const tbs = seq(
    tlv(0xa0, int(Buffer.from([2]))),
    int(serial),
    algorithm,
    o.issuer,
    seq(time(o.notBefore), time(o.notAfter)),
    o.subject,
    o.publicKey.export({ type: 'spki', format: 'der' }),
    tlv(0xa3, seq(...o.extensions)),
  );
  const der = seq(tbs, algorithm, bitString(sign('sha256', tbs, o.signer)));
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

function tlv(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  const n = body.length;
  const length = n < 0x80 ? Buffer.from([n]) : lengthBytes(n);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}

function lengthBytes(n: number): Buffer {
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function seq(...items: Buffer[]): Buffer {
  return tlv(0x30, ...items);
}

function int(value: Buffer): Buffer {
  let v = value;
  while (v.length > 1 && v[0] === 0 && ((v[1] ?? 0) & 0x80) === 0) v = v.subarray(1);
  return tlv(0x02, ((v[0] ?? 0) & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), v]) : v);
}

function bool(value: boolean): Buffer {
  return tlv(0x01, Buffer.from([value ? 0xff : 0]));
}

function bitString(bytes: Buffer, unusedBits = 0): Buffer {
  return tlv(0x03, Buffer.from([unusedBits]), bytes);
}

/** keyUsage is a one-byte named bit list; DER drops the trailing zero bits. */
function keyUsage(bits: number): Buffer {
  let unused = 0;
  while (unused < 7 && ((bits >> unused) & 1) === 0) unused++;
  return bitString(Buffer.from([bits]), unused);
}

function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [a * 40 + b];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let v = arc >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function name(commonName: string): Buffer {
  return seq(tlv(0x31, seq(oid(OID.commonName), tlv(0x0c, Buffer.from(commonName, 'utf8')))));
}

/** time is UTCTime through 2049 and GeneralizedTime after, as RFC 5280 4.1.2.5 requires. */
function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`, 'ascii')) : tlv(0x18, Buffer.from(`${iso}Z`, 'ascii'));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [bool(true)] : []), tlv(0x04, value));
}

function addDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * 86_400_000);
}
