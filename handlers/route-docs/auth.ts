import * as v from 'valibot';
import type { RouteDoc } from '../../lib/openapi/document';
import { LOGIN_BODY, REFRESH_BODY } from '../auth';
import { ok } from './common';

/** handlers/auth.ts: the web UI's sign-in. */

const SESSION = v.object({ token: v.string(), refreshToken: v.string() });
const MESSAGE = v.object({ message: v.string() });

export const AUTH_DOCS: readonly RouteDoc[] = [
  {
    method: 'GET',
    route: '/api/auth/login',
    summary: 'How to sign in: schema "" (the UI signs itself in) or "token".',
    answers: [ok('The strategy.', v.object({ strategy: v.string(), schema: v.string(), provider: v.string() }))],
  },
  {
    method: 'POST',
    route: '/api/auth/login',
    summary: 'Trade a token for session tokens (also set as cookies). Without authentication: nothing to do.',
    body: { schema: LOGIN_BODY, mediaTypes: ['application/json'], required: false },
    answers: [
      ok(
        'The session’s access and refresh tokens, or { message } without authentication.',
        v.union([SESSION, MESSAGE]),
      ),
    ],
  },
  {
    method: 'POST',
    route: '/api/auth/token/refresh',
    summary: 'Trade a refresh token (body, or the refresh cookie) for new session tokens; the old one is spent.',
    body: { schema: REFRESH_BODY, mediaTypes: ['application/json'], required: false },
    answers: [ok('New session tokens.', SESSION)],
  },
  {
    method: 'GET',
    route: '/api/auth/user',
    summary: 'Who is signed in.',
    answers: [ok('The user.', v.object({ user: v.object({ username: v.string() }) }))],
  },
  {
    method: 'GET',
    route: '/api/auth/logout',
    summary: 'End the presented sessions and clear the cookies.',
    answers: [ok('Done.', MESSAGE)],
  },
];
