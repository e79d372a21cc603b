import type { Clock } from '../clock';

export interface ExpiringAnswersOptions {
  /** How long an answer is reused. */
  ttlMs: number;
  /** Answers kept at most; the oldest go first. */
  maxEntries: number;
  clock: Clock;
}

/**
 * Answers the cluster gave about a user, kept briefly so that a page's burst of requests asks once: who a token
 * belongs to (token-review.ts), what it may do (access-reviews.ts). Bounded, the oldest dropped first (a Map keeps
 * insertion order, and a renewed answer moves to the end).
 */
export class ExpiringAnswers<V> {
  private readonly entries = new Map<string, { value: V; untilMs: number }>();

  constructor(private readonly options: ExpiringAnswersOptions) {}

  /** The answer kept for `key`, unless it is older than the time to live. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined && entry.untilMs > this.options.clock.now()) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: V): void {
    const { ttlMs, maxEntries, clock } = this.options;
    this.entries.delete(key);
    this.entries.set(key, { value, untilMs: clock.now() + ttlMs });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= maxEntries) break;
      this.entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
