import type { Clock } from '../clock';
import type { TokenAuthentication, UserAuthentication } from './authentication';
import { createRateLimiter, LOGIN_LIMITS } from './rate-limiter';
import { createSessionTokens } from './session-tokens';
import { staticTokens } from './static-tokens';
import { cachedReview, REVIEW_CACHE, type ReviewToken } from './token-review';

export interface ModeOptions {
  /** Signs (token mode) or encrypts (user mode) the session tokens. */
  sessionSecret: Uint8Array;
  clock: Clock;
  secureCookies?: boolean;
}

/** `--auth token` with these static tokens. */
export function tokenAuthentication(
  tokens: readonly string[],
  { sessionSecret, clock, secureCookies = false }: ModeOptions,
): TokenAuthentication {
  return {
    mode: 'token',
    tokens: staticTokens(tokens),
    sessions: createSessionTokens({ mode: 'token', secret: sessionSecret, clock }),
    limiter: createRateLimiter({ ...LOGIN_LIMITS, clock }),
    secureCookies,
  };
}

/** `--auth user`: tokens are checked with `review` (a SelfSubjectReview), accepted ones remembered briefly. */
export function userAuthentication(
  review: ReviewToken,
  { sessionSecret, clock, secureCookies = false }: ModeOptions,
): UserAuthentication {
  return {
    mode: 'user',
    review: cachedReview(review, { ...REVIEW_CACHE, clock }),
    sessions: createSessionTokens({ mode: 'user', secret: sessionSecret, clock }),
    limiter: createRateLimiter({ ...LOGIN_LIMITS, clock }),
    secureCookies,
  };
}
