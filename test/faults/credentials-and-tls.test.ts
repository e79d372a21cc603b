import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPki } from '../../lib/sim/tls';
import { adminUser, HEALTHY, startFaultStack, type FaultStack } from '../helpers/fault-stack';
import { b64 } from '../helpers/raw-stack';

/**
 * Contexts whose cluster cannot be reached for reasons of their own — a CA that did not sign the server, an
 * expired client certificate, an exec plugin that never finishes — each answered with its Status within a bound,
 * while context `healthy` (the same simulated cluster) answers normally at the same time.
 */

const YEAR = 365 * 24 * 60 * 60 * 1000;
const EXEC_TIMEOUT_MS = 800;

describe('faults of a context’s own making', () => {
  let s: FaultStack;
  beforeAll(async () => {
    s = await startFaultStack({
      execTimeoutMs: EXEC_TIMEOUT_MS,
      extra: (sim) => {
        const expired = sim.issueClient('kubernetes-admin', ['system:masters'], {
          notBefore: new Date(Date.now() - 2 * YEAR),
          notAfter: new Date(Date.now() - YEAR),
        });
        return [
          // The CA of another simulated cluster (same name, other key): the server's signature does not verify.
          { name: 'wrong-ca', server: sim.url, caPem: createPki().ca.certPem, user: adminUser(sim) },
          {
            name: 'expired-cert',
            server: sim.url,
            caPem: sim.caPem,
            user: { 'client-certificate-data': b64(expired.certPem), 'client-key-data': b64(expired.keyPem) },
          },
          {
            name: 'exec-hangs',
            server: sim.url,
            caPem: sim.caPem,
            user: {
              exec: {
                apiVersion: 'client.authentication.k8s.io/v1',
                command: process.execPath,
                args: ['-e', 'setTimeout(() => {}, 60_000)'],
                interactiveMode: 'Never',
              },
            },
          },
        ];
      },
    });
  });
  afterAll(() => s.close());

  /** The faulty request and a healthy one sent together: the healthy one is not held up by the other. */
  async function alongsideHealthy(path: string, boundMs: number) {
    const start = performance.now();
    const [faulty, healthy] = await Promise.all([
      s.get(path).then((res) => ({ ...res, ms: performance.now() - start })),
      s.get(`/raw/clusters/${HEALTHY}/api/v1/namespaces`).then((res) => ({ ...res, ms: performance.now() - start })),
    ]);
    expect(faulty.ms, path).toBeLessThan(boundMs);
    expect(healthy.status).toBe(200);
    expect(healthy.ms).toBeLessThan(Math.max(faulty.ms, 1_000));
    return faulty;
  }

  it('a CA that does not sign the server: 502 naming the x509 problem, through /raw and the views', async () => {
    for (const path of ['/raw/clusters/wrong-ca/api/v1/namespaces', '/api/clusters/wrong-ca/dashboard']) {
      const res = await alongsideHealthy(path, 2_000);
      expect(res.status, path).toBe(502);
      expect(res.body, path).toMatchObject({ kind: 'Status', reason: 'BadGateway', code: 502 });
      expect((res.body as { message: string }).message, path).toMatch(
        /^context "wrong-ca": https:\/\/127\.0\.0\.1:\d+: TLS handshake failed: .*certificate.* \((CERT_SIGNATURE_FAILURE|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)$/,
      );
    }
  });

  it('an expired client certificate: the cluster’s own 401 Status, through /raw and the views', async () => {
    for (const path of ['/raw/clusters/expired-cert/api/v1/namespaces', '/api/clusters/expired-cert/dashboard']) {
      const res = await alongsideHealthy(path, 2_000);
      expect(res.status, path).toBe(401);
      expect(res.body, path).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    }
  });

  it('an exec plugin that hangs: 503 once its timeout passes, naming the plugin', async () => {
    for (const path of ['/raw/clusters/exec-hangs/api/v1/namespaces', '/api/clusters/exec-hangs/topology']) {
      const res = await alongsideHealthy(path, EXEC_TIMEOUT_MS + 2_000);
      expect(res.status, path).toBe(503);
      expect(res.body, path).toMatchObject({ kind: 'Status', code: 503 });
      expect((res.body as { message: string }).message, path).toBe(
        `context "exec-hangs": getting credentials: exec: executable ${process.execPath} did not finish within ${EXEC_TIMEOUT_MS} ms`,
      );
    }
  });
});
