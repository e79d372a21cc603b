import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack';

/** fetch cannot set Host; a raw request can, as a rebinding attacker's browser would send it. */
function requestWithHost(
  url: string,
  host: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers: { ...headers, host } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('default security', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.close());

  it('answers loopback names and refuses any other Host with a 403 Status, on every entrance', async () => {
    const port = new URL(stack.url).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'LOCALHOST']) {
      expect((await requestWithHost(`${stack.url}/api/clusters`, host)).status, host).toBe(200);
    }
    // The app route, the raw fast path, and a route that does not exist: all refuse first.
    for (const path of ['/api/clusters', '/raw/clusters/sim/api/v1/namespaces', '/nowhere']) {
      for (const host of [
        `evil.example:${port}`,
        'evil.example',
        '127.0.0.1.evil.example',
        `localhost.evil.example:${port}`,
      ]) {
        const res = await requestWithHost(`${stack.url}${path}`, host);
        expect(res.status, `${host} ${path}`).toBe(403);
        expect(JSON.parse(res.body)).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403 });
      }
    }
  });

  it('refuses an upgrade (exec) from a foreign Host before it reaches the cluster', async () => {
    const res = await requestWithHost(
      `${stack.url}/raw/clusters/sim/api/v1/namespaces/default/pods/busybox/exec?command=sh`,
      'evil.example',
      {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    );
    expect(res.status).toBe(403);
  });

  it('sends no CORS headers when no origin is configured', async () => {
    const res = await requestWithHost(`${stack.url}/api/clusters`, 'localhost', { origin: 'https://evil.example' });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await requestWithHost(
      `${stack.url}/api/clusters`,
      'localhost',
      { origin: 'https://evil.example', 'access-control-request-method': 'DELETE' },
      'OPTIONS',
    );
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('keeps every error a Kubernetes Status', async () => {
    const res = await fetch(`${stack.url}/api/nothing-here`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
    });
  });
});

describe('configured origins, extra host and a token', () => {
  let stack: Stack;
  const token = 'a-token-of-sufficient-length';
  beforeAll(async () => {
    stack = await startStack(
      {},
      { allowOrigins: ['https://dash.example'], allowedHosts: ['kb.internal'], authToken: token },
    );
  });
  afterAll(async () => stack?.close());
  const auth = { authorization: `Bearer ${token}` };

  it('echoes an allowed origin by name with credentials, never *', async () => {
    const res = await requestWithHost(`${stack.url}/api/clusters`, 'localhost', {
      ...auth,
      origin: 'https://dash.example',
    });
    expect(res.headers['access-control-allow-origin']).toBe('https://dash.example');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers.vary).toMatch(/Origin/);
    const preflight = await requestWithHost(
      `${stack.url}/raw/clusters/sim/api/v1/pods`,
      'localhost',
      {
        origin: 'https://dash.example',
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'content-type',
      },
      'OPTIONS',
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-methods']).toContain('PATCH');
    const other = await requestWithHost(`${stack.url}/api/clusters`, 'localhost', {
      ...auth,
      origin: 'https://dash.example.evil',
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('accepts the extra Host name', async () => {
    expect((await requestWithHost(`${stack.url}/api/clusters`, 'kb.internal:443', auth)).status).toBe(200);
  });

  it('requires the bearer token on every route but the probes, and never forwards it to the cluster', async () => {
    expect((await fetch(`${stack.url}/api/clusters`)).status).toBe(401);
    expect(
      (await fetch(`${stack.url}/api/clusters`, { headers: { authorization: 'Bearer wrong-token-of-same-len' } }))
        .status,
    ).toBe(401);
    expect((await fetch(`${stack.raw}/api/v1/namespaces`)).status).toBe(401);
    expect((await fetch(`${stack.url}/healthz`)).status).toBe(200);
    // With the token, the raw proxy answers as the context's own user (the sim would refuse our token).
    expect((await fetch(`${stack.raw}/api/v1/namespaces`, { headers: auth })).status).toBe(200);
  });
});
