import type { Timers } from '../../terminal/timers';
import type { SupervisorAnswer, WorkerRequest } from './protocol';

/**
 * A worker's questions to its supervisor over the cluster IPC channel, each answered once and paired by id: the
 * terminal tokens' single use (jti-ledger.ts) and the pool's metrics (metrics-exposition.ts). A question the
 * supervisor cannot answer (gone, the message not sent, or no answer in time) resolves to undefined: each asker
 * decides what that means.
 */

/** A worker's channel to its supervisor (Node's `process` in a cluster worker). */
export interface SupervisorChannel {
  connected(): boolean;
  /** `failed` is called when the message could not be sent. */
  send(message: WorkerRequest, failed: () => void): void;
  onMessage(listener: (message: unknown) => void): void;
  onDisconnect(listener: () => void): void;
}

/** The cluster worker's own channel: the `process` object. */
export function processChannel(proc: NodeJS.Process = process): SupervisorChannel {
  return {
    connected: () => proc.connected,
    send: (message, failed) => {
      if (proc.send === undefined) return failed();
      // With a callback, a closed channel is reported there rather than as an 'error' event nobody handles.
      proc.send(message, undefined, undefined, (err: Error | null) => {
        if (err !== null) failed();
      });
    },
    onMessage: (listener) => void proc.on('message', listener),
    onDisconnect: (listener) => void proc.on('disconnect', listener),
  };
}

/** How long a worker waits for an answer: the supervisor answers from memory or its workers, so only a stuck one is slower. */
export const ANSWER_TIMEOUT_MS = 5_000;

/** Distributes `Omit` over a union, so each request keeps its own fields without its id. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/**
 * Asks the supervisor `request` (its id added here) and resolves with the answer `isAnswer` recognises, or undefined
 * when none comes within `answerMs`.
 */
export function supervisorRequests<A extends SupervisorAnswer>(
  channel: SupervisorChannel,
  timers: Timers,
  isAnswer: (message: unknown) => message is A,
  answerMs = ANSWER_TIMEOUT_MS,
): (request: WithoutId<WorkerRequest>) => Promise<A | undefined> {
  const pending = new Map<number, (answer: A | undefined) => void>();
  let lastId = 0;
  channel.onMessage((message) => {
    if (isAnswer(message)) pending.get(message.id)?.(message);
  });
  channel.onDisconnect(() => {
    for (const settle of [...pending.values()]) settle(undefined);
  });
  return (request) => {
    if (!channel.connected()) return Promise.resolve(undefined);
    const id = ++lastId;
    return new Promise((resolve) => {
      const settle = (answer: A | undefined) => {
        if (!pending.delete(id)) return;
        cancel();
        resolve(answer);
      };
      const cancel = timers.after(answerMs, () => settle(undefined));
      pending.set(id, settle);
      channel.send({ ...request, id }, () => settle(undefined));
    });
  };
}
