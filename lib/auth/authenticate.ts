import { StatusError } from '../errors';
import type { Authentication, SigningAuthentication } from './authentication';
import { OWNER, type Principal } from './principal';

/** What a request presents to prove who it is. */
export interface Presented {
  /** The `Authorization` header: `Bearer <token>`, or the token alone as the Kore Board UI sends it. */
  authorization: string | undefined;
  /** The access token of the session cookie. */
  sessionCookie: string | undefined;
  /** Where failed attempts are counted; absent: not counted (no address known). */
  clientAddress: string | undefined;
}

export interface Authenticated {
  principal: Principal;
  /** Signed in by cookie alone: a browser sends it with any page's request, so state changes need the CSRF rule. */
  viaCookie: boolean;
}

/** How to sign in, per mode: the 401 says it. */
const HOW_TO_SIGN_IN = {
  token:
    'kore-board requires a sign-in: "Authorization: Bearer <token>" with an access token (or a session token from POST /api/auth/login), kubectl --server http://HOST:PORT/token/<token>/raw/clusters/<context>, or the login URL printed at start',
  user: 'kore-board requires a sign-in: "Authorization: Bearer <your Kubernetes token>", or a session token from POST /api/auth/login with {"token": "<your Kubernetes token>"}',
} as const;

/** `Bearer <token>` or the bare token (the Kore Board UI's "local" strategy sends no scheme). */
export function credentialOf(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const token = /^bearer\s/i.test(authorization) ? authorization.slice(7) : authorization;
  const trimmed = token.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** The 429 for an address past its failures. */
export function tooManyAttempts(retryAfterS: number): StatusError {
  return new StatusError(
    'TooManyRequests',
    `too many failed sign-in attempts from this address; try again in ${retryAfterS} s`,
    { retryAfterSeconds: retryAfterS },
  );
}

/** The refusal when the address may not try now, or undefined when it may. */
export function throttled(auth: SigningAuthentication, clientAddress: string | undefined): StatusError | undefined {
  const retry = clientAddress === undefined ? undefined : auth.limiter.retryAfterS(clientAddress);
  return retry === undefined ? undefined : tooManyAttempts(retry);
}

/** Counts a failed guess of a static or Kubernetes token against the address, and hands the refusal back. */
export function counted(
  auth: SigningAuthentication,
  clientAddress: string | undefined,
  error: StatusError,
): StatusError {
  if (clientAddress !== undefined) auth.limiter.fail(clientAddress);
  return error;
}

/**
 * A static token (token mode) or a Kubernetes bearer token (user mode), checked for what it is: the owner, or the
 * user the cluster says it belongs to. Guesses are counted per address; past the limit nothing is checked.
 */
export async function checkSecret(
  auth: SigningAuthentication,
  secret: string,
  clientAddress: string | undefined,
): Promise<Principal | StatusError> {
  const refused = throttled(auth, clientAddress);
  if (refused !== undefined) return refused;
  if (auth.mode === 'token')
    return auth.tokens.matches(secret)
      ? OWNER
      : counted(auth, clientAddress, new StatusError('Unauthorized', 'wrong access token'));
  const reviewed = await auth.review(secret);
  if (reviewed instanceof StatusError) return reviewed.code === 401 ? counted(auth, clientAddress, reviewed) : reviewed;
  return { kind: 'user', username: reviewed.username, groups: reviewed.groups, bearerToken: secret };
}

/**
 * Session tokens are JWTs (token mode: three dot-separated parts) or JWEs (user mode: five); a Kubernetes
 * service-account token is a JWT too, so in user mode only the JWE shape is taken for a session.
 */
function looksLikeSession(auth: SigningAuthentication, token: string): boolean {
  return token.split('.').length === (auth.mode === 'token' ? 3 : 5);
}

/**
 * Who the request is: `Authorization` first (a static or Kubernetes token, or a session access token), else the
 * session cookie. A 401 says how to sign in; a 429 when the address has failed too often.
 */
export async function authenticate(auth: Authentication, presented: Presented): Promise<Authenticated | StatusError> {
  if (auth.mode === 'none') return { principal: OWNER, viaCookie: false };
  const header = credentialOf(presented.authorization);
  const token = header ?? presented.sessionCookie;
  if (token === undefined) return new StatusError('Unauthorized', HOW_TO_SIGN_IN[auth.mode]);
  const viaCookie = header === undefined;
  let sessionRefusal: StatusError | undefined;
  if (viaCookie || looksLikeSession(auth, token)) {
    const session = await auth.sessions.verify(token, 'access');
    if (!(session instanceof StatusError)) return { principal: session.principal, viaCookie };
    // A cookie holds only sessions; in user mode a five-part token is not a Kubernetes token either.
    if (viaCookie || auth.mode === 'user') return session;
    sessionRefusal = session;
  }
  const principal = await checkSecret(auth, token, presented.clientAddress);
  if (!(principal instanceof StatusError)) return { principal, viaCookie: false };
  // A session-shaped token that is no static token either: why the session failed (expired…) says more.
  return principal.code === 401 && sessionRefusal !== undefined ? sessionRefusal : principal;
}
