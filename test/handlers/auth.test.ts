/**
 * The web UI's sign-in (`/api/auth/*`, handlers/auth.ts) and `/healthy`, over a real port, with no token
 * (`--auth none`) and with one (`--auth token`). The whole UI sequence per mode, and the bypass attempts, are in
 * test/auth/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack';

const TOKEN = 'a-token-of-sufficient-length';

async function json(res: Response): Promise<unknown> {
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return res.json();
}

function postLogin(url: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/api/auth/login`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** A stack for the enclosing describe, with the given access token (undefined: `--auth none`). */
function stackWith(authToken: string | undefined): { readonly stack: Stack } {
  const holder = {} as { stack: Stack };
  beforeAll(async () => {
    holder.stack = await startStack({}, { authToken });
  });
  afterAll(async () => holder.stack?.close());
  return holder;
}

describe('with --auth none', () => {
  const started = stackWith(undefined);
  let stack: Stack;
  beforeAll(() => {
    stack = started.stack;
  });

  it('tells the UI to sign itself in, signs anyone in, and names the admin user', async () => {
    const how = await fetch(`${stack.url}/api/auth/login`);
    expect(how.status).toBe(200);
    expect(await json(how)).toEqual({ strategy: 'cookie', schema: '', provider: '' });
    expect(how.headers.get('cache-control')).toBe('no-store');

    for (const body of ['{}', '{"token":"anything"}', '']) {
      const login = await postLogin(stack.url, body);
      expect(login.status, body).toBe(200);
      expect(await json(login), body).toEqual({ message: '' });
      expect(login.headers.get('set-cookie'), body).toBeNull();
    }

    const user = await fetch(`${stack.url}/api/auth/user`);
    expect(user.status).toBe(200);
    expect(await json(user)).toEqual({ user: { username: 'admin' } });

    const logout = await fetch(`${stack.url}/api/auth/logout`);
    expect(logout.status).toBe(200);
    expect(await json(logout)).toEqual({ message: '' });
  });

  it('answers /healthy', async () => {
    const res = await fetch(`${stack.url}/healthy`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
  });
});

describe('with an access token', () => {
  const started = stackWith(TOKEN);
  let stack: Stack;
  let cookieName: string;
  beforeAll(() => {
    stack = started.stack;
    cookieName = `kore-board-token-${new URL(stack.url).port}`;
  });

  it('tells the UI to ask for the token, before any sign-in', async () => {
    const res = await fetch(`${stack.url}/api/auth/login`);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ strategy: 'local', schema: 'token', provider: '' });
  });

  it('trades the right token for session tokens and cookies, which then authenticate', async () => {
    const login = await postLogin(stack.url, JSON.stringify({ token: TOKEN }));
    expect(login.status).toBe(200);
    const pair = (await json(login)) as { token: string; refreshToken: string };
    expect(Object.keys(pair).sort()).toEqual(['refreshToken', 'token']);
    expect(login.headers.get('cache-control')).toBe('no-store');
    const cookies = login.headers.getSetCookie();
    expect(cookies).toEqual([
      `${cookieName}=${pair.token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=900`,
      `kore-board-refresh-${new URL(stack.url).port}=${pair.refreshToken}; Path=/api/auth; HttpOnly; SameSite=Strict; Max-Age=604800`,
    ]);
    // The printed login link sets the same two cookies (with sessions of its own) and drops the token from the URL.
    const link = await fetch(`${stack.url}/?token=${TOKEN}`, { redirect: 'manual' });
    expect(link.status).toBe(303);
    expect(link.headers.get('location')).toBe('/');
    expect(link.headers.getSetCookie().map((c) => c.replace(/=[^;]+;/, '=…;'))).toEqual(
      cookies.map((c) => c.replace(/=[^;]+;/, '=…;')),
    );

    const cookie = cookies[0]!.split(';')[0]!;
    const user = await fetch(`${stack.url}/api/auth/user`, { headers: { cookie } });
    expect(user.status).toBe(200);
    expect(await json(user)).toEqual({ user: { username: 'admin' } });
    expect((await fetch(`${stack.url}/api/clusters`, { headers: { cookie } })).status).toBe(200);
  });

  it('refuses a wrong or missing token with a 401 Status and no cookie', async () => {
    for (const body of [
      JSON.stringify({ token: 'wrong-token-of-sufficient-len' }),
      JSON.stringify({ token: TOKEN.slice(0, -1) }),
      JSON.stringify({ token: `${TOKEN}x` }),
      JSON.stringify({ token: 42 }),
      JSON.stringify({}),
      JSON.stringify([TOKEN]),
      'null',
    ]) {
      const res = await postLogin(stack.url, body);
      expect(res.status, body).toBe(401);
      expect(await json(res), body).toMatchObject({
        kind: 'Status',
        status: 'Failure',
        reason: 'Unauthorized',
        code: 401,
      });
      expect(res.headers.get('set-cookie'), body).toBeNull();
    }
  });

  it('answers a body that is not JSON with 400, another media type with 415, a large one with 413', async () => {
    const bad = await postLogin(stack.url, '{"token":');
    expect(bad.status).toBe(400);
    expect(await json(bad)).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
    const plain = await postLogin(stack.url, JSON.stringify({ token: TOKEN }), { 'content-type': 'text/plain' });
    expect(plain.status).toBe(415);
    expect(await json(plain)).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType' });
    expect(plain.headers.get('set-cookie')).toBeNull();
    const large = await postLogin(stack.url, JSON.stringify({ token: TOKEN, pad: 'x'.repeat(20_000) }));
    expect(large.status).toBe(413);
    expect(await json(large)).toMatchObject({ kind: 'Status', reason: 'RequestEntityTooLarge' });
  });

  it('needs a sign-in for the user; signing out needs none and clears both cookies', async () => {
    const res = await fetch(`${stack.url}/api/auth/user`);
    expect(res.status).toBe(401);
    expect(await json(res)).toMatchObject({ kind: 'Status', reason: 'Unauthorized' });
    const logout = await fetch(`${stack.url}/api/auth/logout`);
    expect(logout.status).toBe(200);
    expect(await json(logout)).toEqual({ message: '' });
    expect(logout.headers.getSetCookie()).toEqual([
      `${cookieName}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`,
      `kore-board-refresh-${new URL(stack.url).port}=; Path=/api/auth; HttpOnly; SameSite=Strict; Max-Age=0`,
    ]);
  });

  it('refuses a sign-in posted by a foreign page (login CSRF) before looking at the token', async () => {
    const pages: Array<Record<string, string>> = [
      { origin: 'http://evil.example' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
      { origin: 'http://127.0.0.1:1', 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of pages) {
      const res = await postLogin(stack.url, JSON.stringify({ token: TOKEN }), headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(await json(res)).toMatchObject({ kind: 'Status', reason: 'Forbidden' });
      expect(res.headers.get('set-cookie')).toBeNull();
    }
    // Its own page may.
    const own = await postLogin(stack.url, JSON.stringify({ token: TOKEN }), {
      origin: stack.url,
      'sec-fetch-site': 'same-origin',
    });
    expect(own.status).toBe(200);
  });

  it('opens only GET and POST of /api/auth/login, not other methods or paths under it', async () => {
    for (const [method, path] of [
      ['PUT', '/api/auth/login'],
      ['DELETE', '/api/auth/login'],
      ['GET', '/api/auth/login/x'],
      ['GET', '/api/auth/loginx'],
      ['GET', '/api/auth'],
    ] as const) {
      expect((await fetch(`${stack.url}${path}`, { method })).status, `${method} ${path}`).toBe(401);
    }
  });

  it('answers /healthy without the token, as /healthz and /readyz', async () => {
    for (const path of ['/healthy', '/healthz', '/readyz']) {
      const res = await fetch(`${stack.url}${path}`);
      expect(res.status, path).toBe(200);
    }
  });
});
