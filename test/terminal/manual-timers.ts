import type { Timers } from '../../lib/terminal/timers';
import type { FakeClock } from '../helpers/registry-fixtures';

/** Timers on a fake clock: `advance` moves the clock and fires, in order, whatever has come due. */
export interface ManualTimers extends Timers {
  advance(ms: number): void;
  /** Timers set and not yet fired or cancelled. */
  pending(): number;
}

export function manualTimers(clock: FakeClock): ManualTimers {
  const due = new Set<{ at: number; fire: () => void }>();
  return {
    after(ms, fire) {
      const timer = { at: clock.now() + ms, fire };
      due.add(timer);
      return () => due.delete(timer);
    },
    advance(ms) {
      clock.advance(ms);
      for (;;) {
        const next = [...due].filter((t) => t.at <= clock.now()).sort((a, b) => a.at - b.at)[0];
        if (next === undefined) return;
        due.delete(next);
        next.fire();
      }
    },
    pending: () => due.size,
  };
}
