/**
 * One-shot timers as a dependency, beside `Clock`: the terminal's first-frame and idle deadlines are tested by
 * advancing a fake clock and firing what is due, never by sleeping.
 */
export interface Timers {
  /** Calls `fire` once after `ms`; the returned function cancels it. */
  after(ms: number, fire: () => void): () => void;
}

export const systemTimers: Timers = {
  after(ms, fire) {
    const timer = setTimeout(fire, ms);
    return () => clearTimeout(timer);
  },
};
