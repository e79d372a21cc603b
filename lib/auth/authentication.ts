import type { RateLimiter } from './rate-limiter';
import type { SessionTokens } from './session-tokens';
import type { StaticTokens } from './static-tokens';
import type { ReviewToken } from './token-review';

export const AUTH_MODES = ['none', 'token', 'user'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** What signs in login and refresh cookies, and counts failed sign-ins: the same in token and user mode. */
interface Signing {
  sessions: SessionTokens;
  /** Failed sign-ins and guessed tokens, per client address. */
  limiter: RateLimiter;
  /** Cookies get `Secure` (served over TLS). */
  secureCookies: boolean;
}

/**
 * How callers prove who they are (`--auth`), made once per kore-board and shared by every entrance, so that a
 * session minted by the app is accepted by the fast path and the upgrades, and one limiter counts all failures.
 * - `none`: everyone who reaches the address is the owner (loopback only).
 * - `token`: a static token, or a session minted from one, makes the caller the owner.
 * - `user`: a Kubernetes bearer token (checked with the cluster), or a session carrying one, makes the caller that user.
 */
export type Authentication =
  | { mode: 'none' }
  | ({ mode: 'token'; tokens: StaticTokens } & Signing)
  | ({ mode: 'user'; review: ReviewToken } & Signing);

export type SigningAuthentication = Exclude<Authentication, { mode: 'none' }>;
export type TokenAuthentication = Extract<Authentication, { mode: 'token' }>;
export type UserAuthentication = Extract<Authentication, { mode: 'user' }>;
