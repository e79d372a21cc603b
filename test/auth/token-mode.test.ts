/**
 * `--auth token` over a real port against the simulated cluster: the Kore Board UI's whole sign-in sequence, kubectl
 * with the static token through `/raw`, every bypass attempt refused with a Status, and the sign-in rate limit —
 * time moved by an injected clock.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tokenAuthentication } from '../../lib/auth/token-authentication';
import { SESSION_AUDIENCE } from '../../lib/auth/session-tokens';
import { signIn } from '../helpers/sign-in';
import { startStack, type Stack } from '../helpers/stack';
import { execStatus, json, kubectl, login, movableClock, refresh, statusWith } from './auth-fixtures';

const TOKEN = 'the-static-token-of-this-test';
const clock = movableClock();
const sessionSecret = new TextEncoder().encode('a session secret of at least 32 characters');
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({}, { auth: tokenAuthentication([TOKEN], { sessionSecret, clock }) });
});
afterAll(async () => stack?.close());

const NS = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

describe('the Kore Board UI signs in', () => {
  it('GET login → POST login → requests with Authorization: <token> → refresh → logout', async () => {
    const how = await fetch(`${stack.url}/api/auth/login`);
    expect(await how.json()).toEqual({ strategy: 'local', schema: 'token', provider: '' });

    const { status, body } = await login(stack.url, TOKEN);
    expect(status).toBe(200);
    const token = body.token as string;
    const refreshToken = body.refreshToken as string;
    // The UI's "local" strategy sends the token with no scheme; scripts send "Bearer ".
    for (const authorization of [token, `Bearer ${token}`]) {
      const user = await fetch(`${stack.url}/api/auth/user`, { headers: { authorization } });
      expect(await user.json()).toEqual({ user: { username: 'admin' } });
      expect(await statusWith(`${stack.url}/api/clusters`, authorization)).toBe(200);
      expect(await statusWith(`${stack.raw}/api/v1/namespaces`, authorization)).toBe(200);
    }
    // A header-authenticated write needs no CSRF header: no browser adds Authorization on its own.
    const created = await fetch(stack.raw, {
      ...json(NS('ui-made')),
      headers: { 'content-type': 'application/json', authorization: token },
    });
    expect(created.status).toBe(201);

    const renewed = await refresh(stack.url, refreshToken);
    expect(renewed.status).toBe(200);
    expect(await statusWith(`${stack.url}/api/clusters`, renewed.body.token as string)).toBe(200);
    // Rotated: the refresh token worked once.
    expect((await refresh(stack.url, refreshToken)).status).toBe(401);

    const logout = await fetch(`${stack.url}/api/auth/logout`, {
      headers: { authorization: renewed.body.token as string },
    });
    expect(logout.status).toBe(200);
    expect(await statusWith(`${stack.url}/api/clusters`, renewed.body.token as string)).toBe(401);
    expect((await refresh(stack.url, renewed.body.refreshToken as string)).status).toBe(200);
  });

  it('lets kubectl through /raw with the static token as a path token, and scripts with Authorization: Bearer', async () => {
    const base = `${stack.url}/token/${TOKEN}/raw/clusters/sim`;
    const got = await kubectl(['--server', base, 'get', 'namespaces', '-o', 'name']);
    expect(got.stderr).toBe('');
    expect(got.stdout).toContain('namespace/default');
    // Over plain HTTP kubectl withholds --token (it sends credentials over TLS only): hence the path token.
    const withheld = await kubectl(['--server', stack.raw, '--token', TOKEN, 'get', 'namespaces']);
    expect(withheld.code).not.toBe(0);
    expect(withheld.stderr).toMatch(/must be logged in/);
    expect(await statusWith(`${stack.raw}/api/v1/namespaces`, `Bearer ${TOKEN}`)).toBe(200);
  });
});

describe('bypass attempts', () => {
  const who = () => `${stack.url}/api/auth/user`;
  // Each attempt below is also a failed guess from this address: a fresh rate-limit window keeps them 401s.
  beforeEach(() => clock.advance(60_000));

  it('refuses a missing, a forged, a none-signed and an unknown token with a 401 Status', async () => {
    const forged = await new SignJWT({ use: 'access', sub: 'admin' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setAudience(SESSION_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('15m')
      .setJti(crypto.randomUUID())
      .sign(new TextEncoder().encode('another key, not the session secret!!'));
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ use: 'access', sub: 'admin', aud: SESSION_AUDIENCE, exp: 9e9, iat: 1, jti: 'x' })}.`;
    for (const authorization of [undefined, forged, `Bearer ${forged}`, unsigned, 'not-a-token-at-all-of-length']) {
      for (const url of [who(), `${stack.raw}/api/v1/namespaces`]) {
        const res = await fetch(url, { headers: authorization === undefined ? {} : { authorization } });
        expect(res.status, `${url} ${authorization}`).toBe(401);
        expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
      }
    }
    expect(await execStatus(stack.raw, { authorization: forged })).toBe(401);
  });

  it('refuses a refresh token as an access token and an access token as a refresh token', async () => {
    const { body } = await login(stack.url, TOKEN);
    expect(await statusWith(who(), body.refreshToken as string)).toBe(401);
    expect(await statusWith(`${stack.raw}/api/v1/namespaces`, `Bearer ${body.refreshToken as string}`)).toBe(401);
    const swapped = await refresh(stack.url, body.token as string);
    expect(swapped.status).toBe(401);
    expect(swapped.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized' });
  });

  it('refuses an expired access token (15 minutes), then an expired refresh token (7 days)', async () => {
    const { body } = await login(stack.url, TOKEN);
    clock.advance(14 * 60_000);
    expect(await statusWith(who(), body.token as string)).toBe(200);
    clock.advance(2 * 60_000);
    const expired = await fetch(who(), { headers: { authorization: body.token as string } });
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { message: string }).message).toMatch(/expired/);
    clock.advance(7 * 24 * 3600_000);
    expect((await refresh(stack.url, body.refreshToken as string)).status).toBe(401);
  });

  it('refuses a cookie-authenticated write without the CSRF header or a same-origin Origin', async () => {
    const { cookie } = await signIn(stack.url, TOKEN);
    const post = (name: string, headers: Record<string, string>) =>
      fetch(stack.raw, {
        method: 'POST',
        body: JSON.stringify(NS(name)),
        headers: { 'content-type': 'application/json', cookie, ...headers },
      });
    const refused = await post('csrf-none', {});
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toMatch(/X-Requested-With/);
    expect((await post('csrf-header', { 'x-requested-with': 'XMLHttpRequest' })).status).toBe(201);
    expect((await post('csrf-origin', { origin: stack.url })).status).toBe(201);
    // Reads need neither.
    expect(await statusWith(`${stack.raw}/api/v1/namespaces/csrf-none`, undefined, { cookie })).toBe(404);
  });

  it('refuses a foreign Origin on the websocket upgrade and on a /raw write, whatever the credentials', async () => {
    const { cookie, token } = await signIn(stack.url, TOKEN);
    const callers: Array<Record<string, string>> = [
      { cookie },
      { authorization: token },
      { authorization: `Bearer ${TOKEN}` },
    ];
    for (const headers of callers) {
      expect(await execStatus(stack.raw, headers, 'http://evil.example'), JSON.stringify(headers)).toBe(403);
      expect(await execStatus(stack.raw, headers, stack.url), JSON.stringify(headers)).toBe(101);
      const write = await fetch(stack.raw, {
        method: 'POST',
        body: JSON.stringify(NS('from-evil')),
        headers: { 'content-type': 'application/json', origin: 'http://evil.example', ...headers },
      });
      expect(write.status).toBe(403);
    }
    expect(await execStatus(stack.raw, {})).toBe(401);
  });
});

describe('the sign-in rate limit', () => {
  it('answers 429 with Retry-After after 10 failures a minute from one address, and admits again after the window', async () => {
    clock.advance(60_000);
    for (let i = 0; i < 10; i++) expect((await login(stack.url, `wrong-token-number-${i}-xxxx`)).status).toBe(401);
    const limited = await login(stack.url, TOKEN);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', code: 429 });
    expect(Number(limited.res.headers.get('retry-after'))).toBeGreaterThan(0);
    // Guessing through the fast path is the same guess.
    const raw = await fetch(`${stack.raw}/api/v1/namespaces`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).not.toBeNull();
    clock.advance(61_000);
    expect((await login(stack.url, TOKEN)).status).toBe(200);
  });
});
