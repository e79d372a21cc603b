import type { LeaveSignal } from '../proxy/forward';

/**
 * A LeaveSignal that fires when `emitter` closes before `finished()` is true: the client went away
 * while its request was still being answered.
 */
export function leaveSignal(emitter: NodeJS.EventEmitter, finished: () => boolean): LeaveSignal {
  const listeners = new Set<() => void>();
  const signal = {
    aborted: false,
    addEventListener: (_type: 'abort', listener: () => void) => void listeners.add(listener),
    removeEventListener: (_type: 'abort', listener: () => void) => void listeners.delete(listener),
  };
  emitter.once('close', () => {
    if (finished()) return;
    signal.aborted = true;
    for (const listener of [...listeners]) listener();
  });
  return signal;
}
