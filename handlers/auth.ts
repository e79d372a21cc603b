import { Hono, type Context, type Env } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import * as v from 'valibot';
import type { Authentication, SigningAuthentication } from '../lib/auth/authentication';
import { checkSecret, credentialOf } from '../lib/auth/authenticate';
import { PRINCIPAL, principalName, type Principal } from '../lib/auth/principal';
import { accessCookieName, cookieValue, refreshCookieName, sessionCookies } from '../lib/auth/session-cookies';
import { OWNER_NAME, type SessionPair, type SessionUse } from '../lib/auth/session-tokens';
import { bodyFormat } from '../lib/decode/media-type';
import { StatusError } from '../lib/errors';
import { clientAddressOf } from './middleware/client-address';

/** A sign-in body is `{"token": "…"}` or `{"refreshToken": "…"}`: a few KB is plenty. */
const LOGIN_BODY_LIMIT = 16 * 1024;

const SECRET = v.pipe(v.string(), v.nonEmpty());
/** `POST /login`'s body (token and user mode); /openapi.json documents it from this schema. */
export const LOGIN_BODY = v.object({ token: SECRET });
/** `POST /token/refresh`'s body. */
export const REFRESH_BODY = v.object({ refreshToken: SECRET });
const BODIES = { token: LOGIN_BODY, refreshToken: REFRESH_BODY };

/** Answers that set or reflect who is signed in are never cached. */
const NO_STORE = { 'cache-control': 'no-store' };

/** The sign-in body's size check: 413 as soon as it passes the limit, before JSON parsing. */
const limitBody = bodyLimit({
  maxSize: LOGIN_BODY_LIMIT,
  onError: () => {
    throw new StatusError('RequestEntityTooLarge', `the sign-in body is larger than ${LOGIN_BODY_LIMIT} bytes`);
  },
});

/** The token of a JSON sign-in body: 400 when the body is not JSON, undefined when it is not of its schema. */
async function bodyField(c: Context<Env, string>, field: keyof typeof BODIES): Promise<string | undefined> {
  // A foreign page's no-preflight types (text/plain, forms) are refused here too, as on every route with a body.
  if (bodyFormat(c.req.header('content-type') ?? null) !== 'json')
    throw new StatusError('UnsupportedMediaType', `send application/json: {"${field}": "…"}`);
  await limitBody(c, () => Promise.resolve()); // throws past the limit
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new StatusError('BadRequest', `the body is not JSON: send {"${field}": "…"}`);
  }
  const parsed = v.safeParse(BODIES[field], body);
  if (!parsed.success) return undefined;
  const fields: Record<string, string> = parsed.output;
  return fields[field];
}

/** The Host admission checked: every route here runs after it. */
const hostOf = (c: Context<Env, string>) => c.req.header('host') ?? '';

/** A JSON answer that sets cookies (several `Set-Cookie` lines, which Hono's header record cannot hold). */
function withCookies(body: unknown, cookies: string[]): Response {
  const headers = new Headers({ ...NO_STORE, 'content-type': 'application/json' });
  for (const cookie of cookies) headers.append('set-cookie', cookie);
  return new Response(JSON.stringify(body), { status: 200, headers });
}

/** The login answer: the two tokens (the Kore Board UI's "local" strategy reads `token` and `refreshToken`) and cookies. */
function signedIn(c: Context<Env, string>, auth: SigningAuthentication, pair: SessionPair): Response {
  return withCookies(pair, sessionCookies(hostOf(c), pair, auth.secureCookies));
}

/** Ends every session the request names (its access token, its cookies): they are refused until they expire. */
async function revokePresented(c: Context<Env, string>, auth: SigningAuthentication): Promise<void> {
  const cookie = c.req.header('cookie');
  const presented: Array<[string | undefined, SessionUse]> = [
    [credentialOf(c.req.header('authorization')), 'access'],
    [cookieValue(cookie, accessCookieName(hostOf(c))), 'access'],
    [cookieValue(cookie, refreshCookieName(hostOf(c))), 'refresh'],
  ];
  for (const [token, use] of presented) {
    if (token === undefined) continue;
    const session = await auth.sessions.verify(token, use);
    if (!(session instanceof StatusError)) auth.sessions.revoke(session);
  }
}

/** What `GET /api/auth/user` names: the owner is `admin`, as in the original Kore Board. */
function usernameOf(principal: Principal): string {
  return principal.kind === 'owner' ? OWNER_NAME : principalName(principal);
}

/**
 * Mounted at `/api/auth`: the web UI's sign-in, as the Kore Board UI calls it. `GET /login` says how to sign in
 * (`schema: ""`: the UI signs itself in; `"token"`: it asks for a token); `POST /login` trades a static token
 * (token mode) or a Kubernetes token (user mode) for session tokens; `POST /token/refresh` trades a refresh token
 * for new ones; `GET /user` is who is signed in; `GET /logout` ends the presented sessions and clears the cookies.
 * Admission lets `/login`, `/token/refresh` and `/logout` through unsigned (the Host check and the origin rule still
 * apply) and sets the Principal `/user` reads.
 */
export function authRoutes(auth: Authentication): Hono {
  const app = new Hono();
  app.get('/login', (c) =>
    c.json(
      auth.mode === 'none'
        ? { strategy: 'cookie', schema: '', provider: '' }
        : { strategy: 'local', schema: 'token', provider: '' },
      200,
      NO_STORE,
    ),
  );
  app.get('/user', (c) => c.json({ user: { username: usernameOf(c.get(PRINCIPAL)) } }, 200, NO_STORE));
  if (auth.mode === 'none') {
    app.post('/login', (c) => c.json({ message: '' }, 200, NO_STORE));
    app.get('/logout', (c) => c.json({ message: '' }, 200, NO_STORE));
    app.post('/token/refresh', () => {
      throw new StatusError('BadRequest', 'with --auth none there are no sessions to refresh');
    });
    return app;
  }
  app.post('/login', async (c) => {
    const token = await bodyField(c, 'token');
    if (token === undefined) throw new StatusError('Unauthorized', 'send {"token": "…"} to sign in');
    const principal = await checkSecret(auth, token, clientAddressOf(c));
    if (principal instanceof StatusError) throw principal;
    return signedIn(c, auth, await auth.sessions.issue(principal));
  });
  app.post('/token/refresh', async (c) => {
    // The UI sends it in the body; a browser signed in by the login link has it only as a cookie.
    const given =
      c.req.header('content-type') === undefined
        ? cookieValue(c.req.header('cookie'), refreshCookieName(hostOf(c)))
        : await bodyField(c, 'refreshToken');
    if (given === undefined) throw new StatusError('Unauthorized', 'send {"refreshToken": "…"} to refresh the session');
    const session = await auth.sessions.verify(given, 'refresh');
    if (session instanceof StatusError) throw session;
    // Rotated: a refresh token is used once, so a stolen one that was already used is worthless.
    auth.sessions.revoke(session);
    return signedIn(c, auth, await auth.sessions.issue(session.principal));
  });
  app.get('/logout', async (c) => {
    await revokePresented(c, auth);
    return withCookies({ message: '' }, sessionCookies(hostOf(c), undefined, auth.secureCookies));
  });
  return app;
}
