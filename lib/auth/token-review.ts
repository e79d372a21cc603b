import type { StatusError } from '../errors';
import { ExpiringAnswers, type ExpiringAnswersOptions } from './expiring-answers';

/** Who the cluster says a bearer token is. */
export interface ReviewedUser {
  username: string;
  groups: string[];
}

/**
 * Asks the cluster who a Kubernetes bearer token belongs to (a SelfSubjectReview made with that token alone):
 * a 401 StatusError when the cluster does not accept it, another when the cluster cannot be asked.
 */
export type ReviewToken = (bearerToken: string) => Promise<ReviewedUser | StatusError>;

/** Ten seconds: a UI page's burst of requests asks once, and a revoked token stops working soon after. */
export const REVIEW_CACHE = { ttlMs: 10_000, maxEntries: 1_000 } as const;

/**
 * Remembers accepted tokens briefly (refusals are never cached: the rate limiter counts those); a revoked token works
 * at most `ttlMs` longer.
 */
export function cachedReview(review: ReviewToken, options: ExpiringAnswersOptions): ReviewToken {
  const accepted = new ExpiringAnswers<ReviewedUser>(options);
  return async (token) => {
    const hit = accepted.get(token);
    if (hit !== undefined) return hit;
    const answer = await review(token);
    if ('username' in answer) accepted.set(token, answer);
    return answer;
  };
}
