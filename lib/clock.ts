/** Time as a dependency, so caches, token expiry and metrics can be tested without sleeping. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
