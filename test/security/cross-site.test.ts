/**
 * A browser on another origin is a stranger on every entrance: the app, the `/raw` fast path and upgrades.
 * Each request below is what a page on evil.example can make the user's browser send to a local
 * kore-board (valid Host, the user's cookie); each is refused, while the same request with no Origin
 * (kubectl, curl), from kore-board's own origin or from an origin given with --allow-origin still works.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { signIn } from '../helpers/sign-in';
import { startStack, type Stack } from '../helpers/stack';

const EVIL = 'http://evil.example';
const TRUSTED = 'https://dash.example';
const TOKEN = 'a-token-of-sufficient-length';
const NS_BODY = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

let stack: Stack;
let own: string;
let cookie: string;

beforeAll(async () => {
  stack = await startStack({}, { allowOrigins: [TRUSTED], authToken: TOKEN });
  own = stack.url;
  cookie = (await signIn(stack.url, TOKEN)).cookie;
});
afterAll(async () => stack?.close());

/** What a browser sends along: the user's login cookie, and the page's origin when there is one. */
function browser(origin: string | undefined, extra: Record<string, string> = {}): Record<string, string> {
  return { cookie, ...(origin === undefined ? {} : { origin }), ...extra };
}

async function namespaceExists(name: string): Promise<boolean> {
  const res = await fetch(`${stack.raw}/api/v1/namespaces/${name}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return res.status === 200;
}

async function expectRefused(res: Response, what: string): Promise<void> {
  expect(res.status, what).toBe(403);
  const body = (await res.json()) as { kind: string; reason: string; message: string };
  expect(body, what).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403 });
  expect(body.message, what).toMatch(/refused/);
  expect(res.headers.get('access-control-allow-origin'), what).toBeNull();
}

describe('state-changing requests from a foreign page', () => {
  it('refuses cross-site apply in every body type a browser sends without a preflight', async () => {
    const bodies: Array<[string, BodyInit]> = [
      ['text/plain', NS_BODY('xs-plain')],
      ['application/x-www-form-urlencoded', `x=${encodeURIComponent(NS_BODY('xs-form'))}`],
      [
        'multipart/form-data; boundary=b',
        `--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n${NS_BODY('xs-multi')}\r\n--b--\r\n`,
      ],
      ['application/json', NS_BODY('xs-json')],
    ];
    for (const [type, body] of bodies) {
      for (const headers of [
        browser(EVIL),
        browser('null'),
        browser(undefined, { 'sec-fetch-site': 'cross-site' }),
        browser('http://127.0.0.1:1', { 'sec-fetch-site': 'same-site' }),
      ]) {
        const res = await fetch(stack.raw, { method: 'POST', body, headers: { ...headers, 'content-type': type } });
        await expectRefused(res, `${type} ${JSON.stringify(headers)}`);
      }
    }
    for (const name of ['xs-plain', 'xs-form', 'xs-multi', 'xs-json'])
      expect(await namespaceExists(name), name).toBe(false);
  });

  it('refuses cross-site PUT, PATCH and DELETE through the proxy, and adding or deleting contexts', async () => {
    const cases: Array<[string, string, BodyInit | undefined]> = [
      ['PUT', stack.raw, NS_BODY('xs-put')],
      ['DELETE', `${stack.raw}/api/v1/namespaces/default`, undefined],
      ['PATCH', `${stack.raw}/api/v1/namespaces/default`, '{"metadata":{"labels":{"x":"y"}}}'],
      ['POST', `${stack.raw}/api/v1/namespaces`, NS_BODY('xs-create')],
      ['POST', `${stack.url}/api/contexts`, 'apiVersion: v1\nkind: Config\n'],
      ['DELETE', `${stack.url}/api/contexts/sim`, undefined],
      ['PATCH', `${stack.url}/api/v1/config`, undefined],
      ['OPTIONS', `${stack.raw}/api/v1/namespaces`, undefined],
    ];
    for (const [method, url, body] of cases) {
      await expectRefused(
        await fetch(url, { method, body, headers: browser(EVIL, { 'content-type': 'application/merge-patch+json' }) }),
        `${method} ${url}`,
      );
    }
    expect(await namespaceExists('default')).toBe(true);
    const ns = (await (
      await fetch(`${stack.raw}/api/v1/namespaces/default`, { headers: browser(undefined) })
    ).json()) as { metadata: { labels?: Record<string, string> } };
    expect(ns.metadata.labels?.x).toBeUndefined();
    expect(await namespaceExists('xs-put')).toBe(false);
    expect(await namespaceExists('xs-create')).toBe(false);
  });

  it("sandboxes kore-board's own Status answers on every entrance, as any /raw answer", async () => {
    for (const headers of [browser(own), browser(undefined), browser(EVIL)]) {
      const res = await fetch(`${stack.url}/raw/clusters/no-such-context/api/v1/pods`, { headers });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-security-policy')).toMatch(/^sandbox/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('serves cross-site reads, never with CORS headers (the page cannot read them)', async () => {
    for (const url of [`${stack.url}/api/clusters`, `${stack.raw}/api/v1/namespaces`]) {
      const res = await fetch(url, { headers: browser(EVIL) });
      expect(res.status, url).toBe(200);
      expect(res.headers.get('access-control-allow-origin'), url).toBeNull();
    }
  });

  it('still takes the same writes with no Origin, from its own origin, and from an allowed origin', async () => {
    const senders: Array<[string, Record<string, string>]> = [
      ['xs-curl', { authorization: `Bearer ${TOKEN}` }],
      ['xs-own', browser(own, { 'sec-fetch-site': 'same-origin' })],
      ['xs-trusted', browser(TRUSTED, { 'sec-fetch-site': 'cross-site' })],
    ];
    // Its own origin under another loopback name: the Host the browser used is what counts.
    const port = new URL(own).port;
    const viaLocalhost = await fetch(`http://localhost:${port}/raw/clusters/sim`, {
      method: 'POST',
      body: NS_BODY('xs-localhost'),
      headers: { ...browser(`http://localhost:${port}`), 'content-type': 'application/json' },
    });
    expect(viaLocalhost.status).toBe(201);
    for (const [name, headers] of senders) {
      const res = await fetch(stack.raw, {
        method: 'POST',
        body: NS_BODY(name),
        headers: { ...headers, 'content-type': 'application/json' },
      });
      expect(res.status, name).toBe(201);
      if (name === 'xs-trusted') expect(res.headers.get('access-control-allow-origin')).toBe(TRUSTED);
      const deleted = await fetch(`${stack.raw}/api/v1/namespaces/${name}`, { method: 'DELETE', headers });
      expect(deleted.status, name).toBe(200);
    }
  });
});

/** Opens an exec websocket as a browser would (cookie and Origin), or as kubectl would (neither). */
function openExec(headers: Record<string, string>, origin?: string): Promise<{ status: number; output: string }> {
  const target = `${stack.raw.replace('http:', 'ws:')}/api/v1/namespaces/default/pods/busybox/exec?command=echo&command=hi&stdout=true`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(target, ['v5.channel.k8s.io', 'v4.channel.k8s.io'], {
      headers,
      ...(origin === undefined ? {} : { origin }),
    });
    let output = '';
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, output: '' });
    });
    ws.on('message', (data: Buffer) => {
      if (data[0] === 1) output += data.subarray(1).toString();
    });
    ws.on('close', () => resolve({ status: 101, output }));
    ws.on('error', reject);
  });
}

describe('upgrades from a foreign page (cross-site websocket hijacking)', () => {
  it('refuses an exec websocket from another origin before it reaches the cluster, even with the login cookie', async () => {
    for (const origin of [EVIL, 'null', `http://127.0.0.1:1`]) {
      expect(await openExec({ cookie }, origin), origin).toEqual({ status: 403, output: '' });
    }
    expect(await openExec({ cookie, 'sec-fetch-site': 'cross-site' })).toEqual({ status: 403, output: '' });
  });

  it('opens the same exec from its own origin, an allowed origin, and for a client that sends no Origin', async () => {
    expect(await openExec({ cookie }, own)).toEqual({ status: 101, output: 'hi\n' });
    expect(await openExec({ cookie }, TRUSTED)).toEqual({ status: 101, output: 'hi\n' });
    expect(await openExec({ authorization: `Bearer ${TOKEN}` })).toEqual({ status: 101, output: 'hi\n' });
  });

  it('asks for the token on an upgrade too', async () => {
    expect(await openExec({}, own)).toEqual({ status: 401, output: '' });
  });
});

describe('the access token', () => {
  it('is taken as a bearer token, the session cookie of this port, or a /token/<t>/ path prefix, and nothing else', async () => {
    const cases: Array<[string, Record<string, string>, number]> = [
      ['/api/clusters', { authorization: `Bearer ${TOKEN}` }, 200],
      ['/api/clusters', { cookie }, 200],
      [`/token/${TOKEN}/api/clusters`, {}, 200],
      [`/token/${TOKEN}/raw/clusters/sim/api/v1/namespaces/default`, {}, 200],
      ['/token/wrong-token-wrong-token/api/clusters', {}, 401],
      ['/api/clusters', { cookie: cookie.replace(/^kore-board-token-\d+=/, 'kore-board-token-1=') }, 401],
      // The cookie holds a session, never the static token itself.
      ['/api/clusters', { cookie: `kore-board-token-${new URL(stack.url).port}=${TOKEN}` }, 401],
      ['/api/clusters', { authorization: `Basic ${btoa(`kore:${TOKEN}`)}` }, 401],
      ['/healthz', {}, 200],
    ];
    for (const [path, headers, status] of cases) {
      expect((await fetch(`${stack.url}${path}`, { headers })).status, `${path} ${JSON.stringify(headers)}`).toBe(
        status,
      );
    }
  });
});
