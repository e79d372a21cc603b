/**
 * The simulated cluster's PKI, made fresh at start-up: a CA, a server certificate for the loopback names,
 * and an admin client certificate (CN=kubernetes-admin, O=system:masters) the server accepts.
 * Keys come from node:crypto (fast, native); node-forge only assembles and signs the certificates.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface Pem {
  certPem: string;
  keyPem: string;
}

export interface SimPki {
  ca: Pem;
  server: Pem;
  client: Pem;
  /**
   * Issues another client certificate signed by the same CA (e.g. for a second user); `validity` gives it other
   * dates than the default (an hour ago to a year ahead), e.g. an expired one.
   */
  issueClient(commonName: string, organizations?: string[], validity?: Validity): Pem;
}

export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

function newKeyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; keyPem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(keyPem);
  return { privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e), keyPem };
}

interface CertSpec {
  subject: forge.pki.CertificateField[];
  publicKey: forge.pki.PublicKey;
  issuer: forge.pki.Certificate | undefined;
  signingKey: forge.pki.rsa.PrivateKey;
  extensions: object[];
  validity?: Validity;
}

function makeCert(spec: CertSpec): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = spec.publicKey;
  // DER wants a minimal positive integer: Go (kubectl) rejects a sign bit or a leading zero byte as
  // "malformed serial number", so the first byte is kept within 0x01..0x7f.
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  cert.serialNumber = serial.toString('hex');
  const now = Date.now();
  cert.validity.notBefore = spec.validity?.notBefore ?? new Date(now - 60 * 60 * 1000);
  cert.validity.notAfter = spec.validity?.notAfter ?? new Date(now + 365 * 24 * 60 * 60 * 1000);
  cert.setSubject(spec.subject);
  cert.setIssuer(spec.issuer ? spec.issuer.subject.attributes : spec.subject);
  cert.setExtensions(spec.extensions);
  cert.sign(spec.signingKey, forge.md.sha256.create());
  return cert;
}

export function createPki(): SimPki {
  const caKeys = newKeyPair();
  const caCert = makeCert({
    subject: [{ name: 'commonName', value: 'kore-board-sim-ca' }],
    publicKey: caKeys.publicKey,
    issuer: undefined,
    signingKey: caKeys.privateKey,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      { name: 'subjectKeyIdentifier' },
    ],
  });

  const serverKeys = newKeyPair();
  const serverCert = makeCert({
    subject: [{ name: 'commonName', value: 'kube-apiserver' }],
    publicKey: serverKeys.publicKey,
    issuer: caCert,
    signingKey: caKeys.privateKey,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 2, value: 'kubernetes' },
          { type: 2, value: 'kubernetes.default.svc' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });

  const issueClient = (commonName: string, organizations: string[] = [], validity?: Validity): Pem => {
    const keys = newKeyPair();
    const cert = makeCert({
      subject: [
        { name: 'commonName', value: commonName },
        ...organizations.map((value) => ({ name: 'organizationName', value })),
      ],
      publicKey: keys.publicKey,
      issuer: caCert,
      signingKey: caKeys.privateKey,
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', clientAuth: true },
      ],
      validity,
    });
    return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
  };

  return {
    ca: { certPem: forge.pki.certificateToPem(caCert), keyPem: caKeys.keyPem },
    server: { certPem: forge.pki.certificateToPem(serverCert), keyPem: serverKeys.keyPem },
    client: issueClient('kubernetes-admin', ['system:masters']),
    issueClient,
  };
}
