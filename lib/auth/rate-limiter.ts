import type { Clock } from '../clock';

/**
 * Failed sign-ins counted per client address in a fixed window: past `maxFailures`, that address is refused
 * until its window ends. Memory is bounded: at `maxKeys` addresses, ended windows are dropped, then the oldest.
 */
export interface RateLimiter {
  /** Seconds until `key` may try again, or undefined when it may now. */
  retryAfterS(key: string): number | undefined;
  fail(key: string): void;
}

export interface RateLimiterOptions {
  maxFailures: number;
  windowMs: number;
  maxKeys: number;
  clock: Clock;
}

/** Ten failed sign-ins a minute per address: a person mistyping is never stopped, a guesser gets ten a minute. */
export const LOGIN_LIMITS = { maxFailures: 10, windowMs: 60_000, maxKeys: 10_000 } as const;

interface Window {
  startMs: number;
  failures: number;
}

export function createRateLimiter({ maxFailures, windowMs, maxKeys, clock }: RateLimiterOptions): RateLimiter {
  const windows = new Map<string, Window>();
  const current = (key: string): Window | undefined => {
    const w = windows.get(key);
    return w !== undefined && clock.now() - w.startMs < windowMs ? w : undefined;
  };
  const makeRoom = () => {
    if (windows.size < maxKeys) return;
    const now = clock.now();
    for (const [key, w] of windows) if (now - w.startMs >= windowMs) windows.delete(key);
    // Map iteration is insertion order: the first key is the oldest window.
    for (const key of windows.keys()) {
      if (windows.size < maxKeys) break;
      windows.delete(key);
    }
  };
  return {
    retryAfterS(key) {
      const w = current(key);
      if (w === undefined || w.failures < maxFailures) return undefined;
      return Math.max(1, Math.ceil((w.startMs + windowMs - clock.now()) / 1000));
    },
    fail(key) {
      const w = current(key);
      if (w !== undefined) {
        w.failures++;
        return;
      }
      windows.delete(key);
      makeRoom();
      windows.set(key, { startMs: clock.now(), failures: 1 });
    },
  };
}
