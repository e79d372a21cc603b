import { describe, expect, it } from 'vitest';
import { edgeSecurity } from '../../lib/edge/edge-app';
import { edgeRefusal } from '../../lib/edge/edge-limits';
import { StatusError } from '../../lib/errors';

const entries = (cluster: Record<string, unknown>, user: Record<string, unknown>) => ({ cluster, context: {}, user });

describe('edgeRefusal: what a context needs that a worker cannot give', () => {
  it('lets a bearer-token context on an https server through, with or without a CA of its own', () => {
    expect(edgeRefusal(entries({ server: 'https://k8s.example.com' }, { token: 'REDACTED' }))).toBeUndefined();
    const withCa = { server: 'https://k8s.example.com', 'certificate-authority-data': 'DATA+OMITTED' };
    expect(edgeRefusal(entries(withCa, { token: 'REDACTED' }))).toBeUndefined();
    expect(edgeRefusal(entries({ server: 'http://127.0.0.1:8080', 'insecure-skip-tls-verify': true }, {}))).toBe(
      undefined,
    );
  });

  it('names every need it cannot meet, once each', () => {
    const refusal = edgeRefusal(
      entries(
        { server: 'https://k8s.example.com', 'insecure-skip-tls-verify': true, 'proxy-url': 'socks5://p:1080' },
        { 'client-certificate-data': 'DATA+OMITTED', 'client-certificate': '/c.pem', exec: { command: 'x' } },
      ),
    );
    expect(refusal).toBe(
      'it needs a client certificate (the worker has no mTLS binding configured), an exec credential plugin (the ' +
        'worker cannot run processes), a proxy (the worker connects with fetch, which takes none), ' +
        'insecure-skip-tls-verify (fetch always verifies the server certificate), which the edge worker cannot provide',
    );
  });

  it('refuses file references: the worker has no files', () => {
    expect(edgeRefusal(entries({ server: 'https://k', 'certificate-authority': '/ca.pem' }, {}))).toContain(
      'certificate authority file',
    );
    expect(edgeRefusal(entries({ server: 'https://k' }, { tokenFile: '/t' }))).toContain('token file');
  });
});

describe('edgeSecurity: the admission policy from the bindings', () => {
  it('serves loopback alone without a token, and splits the lists', () => {
    expect(edgeSecurity({})).toEqual({ allowedHosts: [], allowOrigins: [] });
    const withToken = edgeSecurity({
      KORE_ALLOWED_HOSTS: ' kb.example.workers.dev, ,other.example ',
      KORE_ALLOW_ORIGINS: 'https://ui.example',
      KORE_AUTH_TOKEN: 't0ken-of-the-worker',
    });
    expect(withToken).toMatchObject({
      allowedHosts: ['kb.example.workers.dev', 'other.example'],
      allowOrigins: ['https://ui.example'],
      auth: { mode: 'token' },
    });
    if (withToken instanceof StatusError || withToken.auth?.mode !== 'token') throw new Error('token mode expected');
    expect(withToken.auth.tokens.matches('t0ken-of-the-worker')).toBe(true);
  });

  it('refuses to serve beyond loopback without a token', () => {
    const refused = edgeSecurity({ KORE_ALLOWED_HOSTS: 'kb.example.workers.dev', KORE_AUTH_TOKEN: '' });
    expect(refused).toBeInstanceOf(StatusError);
    expect((refused as StatusError).toStatus()).toMatchObject({
      code: 503,
      message: expect.stringContaining('KORE_AUTH_TOKEN') as unknown,
    });
  });
});
