import { Hono, type Context, type Env } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { loginCookie, tokenMatches } from '../lib/admission';
import { bodyFormat } from '../lib/decode/media-type';
import { StatusError } from '../lib/errors';

/** A sign-in body is `{"token": "…"}`: a few KB is plenty. */
const LOGIN_BODY_LIMIT = 4 * 1024;

/** kore-board has one user, the owner of the token (or, with `--auth none`, whoever reaches the address). */
const USER = { username: 'admin' };

/** Answers that set or reflect who is signed in are never cached. */
const NO_STORE = { 'cache-control': 'no-store' };

/** The sign-in body's size check: 413 as soon as it passes the limit, before JSON parsing. */
const limitBody = bodyLimit({
  maxSize: LOGIN_BODY_LIMIT,
  onError: () => {
    throw new StatusError('RequestEntityTooLarge', `the sign-in body is larger than ${LOGIN_BODY_LIMIT} bytes`);
  },
});

/** The token from a JSON sign-in body: 400 when the body is not JSON, undefined when it names no token. */
async function givenToken(c: Context<Env, string>): Promise<string | undefined> {
  // A foreign page's no-preflight types (text/plain, forms) are refused here too, as on every route with a body.
  if (bodyFormat(c.req.header('content-type') ?? null) !== 'json')
    throw new StatusError('UnsupportedMediaType', 'send the sign-in as application/json: {"token": "…"}');
  await limitBody(c, () => Promise.resolve()); // throws past the limit
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new StatusError('BadRequest', 'the sign-in body is not JSON: send {"token": "…"}');
  }
  const token = typeof body === 'object' && body !== null ? (body as { token?: unknown }).token : undefined;
  return typeof token === 'string' ? token : undefined;
}

/**
 * Mounted at `/api/auth`: the web UI's sign-in. `GET /login` says how to sign in (`schema: "token"`, or `""` when
 * there is no token and the UI signs itself in); `POST /login` trades the token for the login cookie, the one the
 * printed login link sets; `GET /user` is the signed-in user; `GET /logout` clears the cookie. Admission lets both
 * `/login` routes through without a token (the Host check and the origin rule still apply) and guards the others.
 */
export function authRoutes(authToken: string | undefined): Hono {
  const app = new Hono();
  // Admission let only allowed Host names through, so there is one.
  const cookie = (c: Context<Env, string>, token: string | undefined) => loginCookie(c.req.header('host') ?? '', token);
  app.get('/login', (c) =>
    c.json({ strategy: 'cookie', schema: authToken === undefined ? '' : 'token', provider: '' }, 200, NO_STORE),
  );
  app.post('/login', async (c) => {
    if (authToken === undefined) return c.json({ message: '' }, 200, NO_STORE);
    if (!tokenMatches(await givenToken(c), authToken))
      throw new StatusError('Unauthorized', 'wrong access token: it is in <data-dir>/token, or the one you gave');
    return c.json({ message: '' }, 200, { ...NO_STORE, 'set-cookie': cookie(c, authToken) });
  });
  app.get('/user', (c) => c.json({ user: USER }, 200, NO_STORE));
  app.get('/logout', (c) =>
    c.json(
      { message: '' },
      200,
      authToken === undefined ? NO_STORE : { ...NO_STORE, 'set-cookie': cookie(c, undefined) },
    ),
  );
  return app;
}
