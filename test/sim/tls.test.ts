import { X509Certificate } from 'node:crypto';
import { expect, it } from 'vitest';
import { createPki } from '../../lib/sim/tls';

it('issues certificates whose serial numbers are minimal positive DER integers (Go rejects others)', () => {
  const pki = createPki();
  const pems = [pki.ca, pki.server, pki.client, ...Array.from({ length: 8 }, (_, i) => pki.issueClient(`user-${i}`))];
  for (const pem of pems) {
    const serial = new X509Certificate(pem.certPem).serialNumber;
    expect(serial).toMatch(/^[0-7][0-9A-F]{31}$/i);
    expect(serial.startsWith('00')).toBe(false);
  }
});
