/**
 * The UI's cross-origin development mode: the UI's dev server (e.g. http://localhost:3000, given with
 * --allow-origin) calls kore-board with axios `withCredentials: true`. A browser preflights every write and every
 * request with a non-simple header; each answer names the origin, allows credentials and varies on Origin. Another
 * origin gets no CORS header at all, and `*` is never sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../helpers/sign-in';
import { startStack, type Stack } from '../helpers/stack';

const DEV = 'http://localhost:3000';
const TOKEN = 'a-token-of-sufficient-length';

let stack: Stack;
let cookie: string;
beforeAll(async () => {
  stack = await startStack({}, { allowOrigins: [DEV], authToken: TOKEN });
  cookie = (await signIn(stack.url, TOKEN)).cookie;
});
afterAll(async () => stack?.close());

function preflight(path: string, origin: string, method: string): Promise<Response> {
  return fetch(`${stack.url}${path}`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'content-type,authorization',
      'sec-fetch-mode': 'cors',
    },
  });
}

function expectNoCors(res: Response, what: string): void {
  for (const name of [
    'access-control-allow-origin',
    'access-control-allow-credentials',
    'access-control-allow-methods',
    'access-control-allow-headers',
  ])
    expect(res.headers.get(name), `${what}: ${name}`).toBeNull();
}

describe('an allowed development origin', () => {
  it('gets every preflight answered, without the token (preflights carry no credentials)', async () => {
    const cases: Array<[string, string]> = [
      ['/api/auth/login', 'POST'],
      ['/api/contexts', 'POST'],
      ['/api/contexts/sim', 'DELETE'],
      ['/raw/clusters/sim', 'PUT'],
      ['/raw/clusters/sim/api/v1/namespaces/default', 'PATCH'],
      ['/api/clusters', 'GET'],
    ];
    for (const [path, method] of cases) {
      const res = await preflight(path, DEV, method);
      const what = `${method} ${path}`;
      expect(res.status, what).toBe(204);
      expect(res.headers.get('access-control-allow-origin'), what).toBe(DEV);
      expect(res.headers.get('access-control-allow-credentials'), what).toBe('true');
      expect(res.headers.get('access-control-allow-methods')?.split(/,\s*/), what).toEqual(
        expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
      );
      expect(res.headers.get('access-control-allow-headers')?.toLowerCase().split(/,\s*/), what).toEqual(
        expect.arrayContaining(['content-type', 'authorization']),
      );
      expect(res.headers.get('vary'), what).toMatch(/\bOrigin\b/);
    }
  });

  it('signs in with a credentialed POST and reads with the cookie, each answer readable by the page', async () => {
    const login = await fetch(`${stack.url}/api/auth/login`, {
      method: 'POST',
      body: JSON.stringify({ token: TOKEN }),
      headers: { origin: DEV, 'content-type': 'application/json', 'sec-fetch-site': 'same-site' },
    });
    expect(login.status).toBe(200);
    expect(login.headers.get('access-control-allow-origin')).toBe(DEV);
    expect(login.headers.get('access-control-allow-credentials')).toBe('true');
    expect(login.headers.get('vary')).toMatch(/\bOrigin\b/);
    expect(login.headers.get('set-cookie')).toMatch(/^kore-board-token-\d+=/);

    const user = await fetch(`${stack.url}/api/auth/user`, { headers: { origin: DEV, cookie } });
    expect(user.status).toBe(200);
    expect(user.headers.get('access-control-allow-origin')).toBe(DEV);
    expect(user.headers.get('access-control-allow-credentials')).toBe('true');
    expect(await user.json()).toEqual({ user: { username: 'admin' } });

    // A rejection is readable too, so the UI can send the user to its sign-in page.
    const refused = await fetch(`${stack.url}/api/clusters`, { headers: { origin: DEV } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(DEV);
  });
});

describe('any other origin', () => {
  it('gets no CORS headers on a preflight, which admission then refuses', async () => {
    for (const origin of ['http://localhost:3001', 'http://localhost:30000', 'https://localhost:3000', 'null']) {
      const res = await preflight('/api/auth/login', origin, 'POST');
      expect(res.status, origin).toBe(403);
      expectNoCors(res, origin);
    }
  });

  it('gets no CORS headers on the same credentialed requests, and a foreign sign-in is refused', async () => {
    const evil = 'http://evil.example';
    const login = await fetch(`${stack.url}/api/auth/login`, {
      method: 'POST',
      body: JSON.stringify({ token: TOKEN }),
      headers: { origin: evil, 'content-type': 'application/json' },
    });
    expect(login.status).toBe(403);
    expectNoCors(login, 'login');
    const user = await fetch(`${stack.url}/api/auth/user`, { headers: { origin: evil, cookie } });
    expect(user.status).toBe(200);
    expectNoCors(user, 'user');
    // Still marked as varying by Origin, so no cache gives this answer to the allowed origin or back.
    expect(user.headers.get('vary')).toMatch(/\bOrigin\b/);
  });

  it('never sees a wildcard', async () => {
    const res = await fetch(`${stack.url}/api/auth/login`, { headers: { origin: DEV } });
    expect(res.headers.get('access-control-allow-origin')).toBe(DEV);
    const none = await fetch(`${stack.url}/api/auth/login`);
    expect(none.headers.get('access-control-allow-origin')).toBeNull();
  });
});
