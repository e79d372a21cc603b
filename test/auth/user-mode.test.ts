/**
 * `--auth user` over a real port against the simulated cluster: a person signs in with their own Kubernetes token
 * (checked with a SelfSubjectReview against the current context) and gets an encrypted session carrying it; the
 * token works directly too. What a user Principal may then do in the cluster is RBAC's (test/auth is only who).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { selfSubjectReview } from '../../lib/auth/self-subject-review';
import { createSessionTokens } from '../../lib/auth/session-tokens';
import { OWNER } from '../../lib/auth/principal';
import { userAuthentication } from '../../lib/auth/token-authentication';
import { startStack, type Stack } from '../helpers/stack';
import { execStatus, login, movableClock, refresh, statusWith } from './auth-fixtures';

const ALICE = 'alice-kubernetes-token-0123456789';
const clock = movableClock();
const sessionSecret = new TextEncoder().encode('a session secret of at least 32 characters');
let stack: Stack;

beforeAll(async () => {
  // The review asks the stack's own registry, which exists only once the stack does.
  const review = (token: string) => selfSubjectReview(stack.registry)(token);
  stack = await startStack({}, { auth: userAuthentication(review, { sessionSecret, clock }) });
  stack.sim.addToken(ALICE, { username: 'alice', groups: ['developers', 'system:authenticated'] });
});
afterAll(async () => stack?.close());
// Failed attempts count against this address: each test starts a fresh rate-limit window.
beforeEach(() => clock.advance(60_000));

const whoAmI = async (authorization: string) =>
  (await fetch(`${stack.url}/api/auth/user`, { headers: { authorization } })).json() as Promise<unknown>;

describe('a person signs in with their Kubernetes token', () => {
  it('GET login → POST login → requests with Authorization: <token> → refresh → logout', async () => {
    expect(await (await fetch(`${stack.url}/api/auth/login`)).json()).toEqual({
      strategy: 'local',
      schema: 'token',
      provider: '',
    });
    const { status, body, res } = await login(stack.url, ALICE);
    expect(status).toBe(200);
    const token = body.token as string;
    // An encrypted JWT: five parts, and the Kubernetes token nowhere in it or in the cookies.
    expect(token.split('.')).toHaveLength(5);
    for (const text of [token, body.refreshToken as string, ...res.headers.getSetCookie()])
      expect(text).not.toContain(ALICE);
    expect(res.headers.getSetCookie().every((c) => /HttpOnly; SameSite=Strict/.test(c))).toBe(true);

    expect(await whoAmI(token)).toEqual({ user: { username: 'alice' } });
    expect(await statusWith(`${stack.url}/api/clusters`, token)).toBe(200);
    const renewed = await refresh(stack.url, body.refreshToken as string);
    expect(renewed.status).toBe(200);
    expect(await whoAmI(renewed.body.token as string)).toEqual({ user: { username: 'alice' } });
    // Rotated: the first refresh token worked once.
    expect((await refresh(stack.url, body.refreshToken as string)).status).toBe(401);
    await fetch(`${stack.url}/api/auth/logout`, { headers: { authorization: renewed.body.token as string } });
    expect(await statusWith(`${stack.url}/api/auth/user`, renewed.body.token as string)).toBe(401);
  });

  it('takes the Kubernetes token directly on each request (kubectl --token, scripts), the fast path and upgrades too', async () => {
    expect(await whoAmI(`Bearer ${ALICE}`)).toEqual({ user: { username: 'alice' } });
    expect(await statusWith(`${stack.raw}/api/v1/namespaces`, `Bearer ${ALICE}`)).not.toBe(401);
    expect(await statusWith(`${stack.url}/token/${ALICE}/raw/clusters/sim/api/v1/namespaces`, undefined)).not.toBe(401);
    expect(await execStatus(stack.raw, { authorization: `Bearer ${ALICE}` }, 'http://evil.example')).toBe(403);
    expect(await execStatus(stack.raw, {})).toBe(401);
    for (const url of [`${stack.url}/api/clusters`, `${stack.raw}/api/v1/namespaces`])
      expect(await statusWith(url, undefined), url).toBe(401);
    const foreign = await fetch(stack.raw, {
      method: 'POST',
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'from-evil' } }),
      headers: { 'content-type': 'application/json', origin: 'http://evil.example', authorization: `Bearer ${ALICE}` },
    });
    expect(foreign.status).toBe(403);
  });

  it('believes an accepted token for 10 s: revoked in the cluster, it is refused once that has passed', async () => {
    const bob = 'bob-kubernetes-token-0123456789';
    stack.sim.addToken(bob, { username: 'bob', groups: ['system:authenticated'] });
    expect(await whoAmI(`Bearer ${bob}`)).toEqual({ user: { username: 'bob' } });
    stack.sim.revokeToken(bob);
    expect(await whoAmI(`Bearer ${bob}`)).toEqual({ user: { username: 'bob' } });
    clock.advance(10_001);
    expect(await statusWith(`${stack.url}/api/auth/user`, `Bearer ${bob}`)).toBe(401);
  });
});

describe('bypass attempts', () => {
  it('refuses a token the cluster does not know, at sign-in and on a request, with a 401 Status', async () => {
    const wrong = await login(stack.url, 'no-such-kubernetes-token-000');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized' });
    expect(JSON.stringify(wrong.body)).not.toContain('no-such-kubernetes-token');
    expect(await statusWith(`${stack.raw}/api/v1/namespaces`, 'Bearer no-such-kubernetes-token-000')).toBe(401);
  });

  it('refuses a token-mode session (even one made with the same secret), a refresh token as access and the reverse', async () => {
    const tokenMode = createSessionTokens({ mode: 'token', secret: sessionSecret, clock });
    const owner = await tokenMode.issue(OWNER);
    expect(await statusWith(`${stack.url}/api/auth/user`, owner.token)).toBe(401);
    expect((await refresh(stack.url, owner.refreshToken)).status).toBe(401);
    const { body } = await login(stack.url, ALICE);
    expect(await statusWith(`${stack.url}/api/auth/user`, body.refreshToken as string)).toBe(401);
    expect((await refresh(stack.url, body.token as string)).status).toBe(401);
  });

  it('refuses an expired session; the refresh token then still works, until it expires too', async () => {
    const { body } = await login(stack.url, ALICE);
    clock.advance(15 * 60_000 + 1_000);
    expect(await statusWith(`${stack.url}/api/auth/user`, body.token as string)).toBe(401);
    const renewed = await refresh(stack.url, body.refreshToken as string);
    expect(renewed.status).toBe(200);
    clock.advance(7 * 24 * 3600_000);
    expect((await refresh(stack.url, renewed.body.refreshToken as string)).status).toBe(401);
  });
});
