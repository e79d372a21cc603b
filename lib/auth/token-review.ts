import type { Clock } from '../clock';
import type { StatusError } from '../errors';

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

export interface ReviewCacheOptions {
  /** How long an accepted token is believed without asking again: a revoked token works at most this long. */
  ttlMs: number;
  maxEntries: number;
  clock: Clock;
}

/** Ten seconds: a UI page's burst of requests asks once, and a revoked token stops working soon after. */
export const REVIEW_CACHE = { ttlMs: 10_000, maxEntries: 1_000 } as const;

/** Remembers accepted tokens briefly (refusals are never cached: the rate limiter counts those). */
export function cachedReview(review: ReviewToken, { ttlMs, maxEntries, clock }: ReviewCacheOptions): ReviewToken {
  const cache = new Map<string, { user: ReviewedUser; untilMs: number }>();
  return async (token) => {
    const hit = cache.get(token);
    if (hit !== undefined && hit.untilMs > clock.now()) return hit.user;
    cache.delete(token);
    const answer = await review(token);
    if ('username' in answer) {
      // Map order is insertion order: the first entry is the oldest.
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value ?? '');
      cache.set(token, { user: answer, untilMs: clock.now() + ttlMs });
    }
    return answer;
  };
}
