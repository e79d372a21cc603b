import type { Timers } from '../../terminal/timers';
import type { JtiLedger } from '../../terminal/types';
import { isJtiAnswer, type JtiAnswer, type JtiClaim } from './protocol';

/**
 * The terminal tokens' single use across `--workers`: the supervisor keeps the one set of claimed token ids, and
 * each worker's ledger asks it over the cluster IPC channel. A token minted by one worker thus opens one session on
 * any worker, never two. When the supervisor cannot answer (gone, or not in time) the claim is refused: a token
 * that cannot be proven unused is not accepted.
 */

/** A worker's channel to its supervisor (Node's `process` in a cluster worker). */
export interface SupervisorChannel {
  connected(): boolean;
  /** `failed` is called when the message could not be sent. */
  send(message: JtiClaim, failed: () => void): void;
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

/** How long a worker waits for the supervisor's answer: it answers from memory, so only a stuck supervisor is slower. */
export const ANSWER_TIMEOUT_MS = 5_000;

/** A worker's ledger: each claim is the supervisor's answer, and a refusal when there is none. */
export function workerJtiLedger(channel: SupervisorChannel, timers: Timers, answerMs = ANSWER_TIMEOUT_MS): JtiLedger {
  const pending = new Map<number, (claimed: boolean) => void>();
  let lastId = 0;
  channel.onMessage((message) => {
    if (isJtiAnswer(message)) pending.get(message.id)?.(message.claimed);
  });
  channel.onDisconnect(() => {
    for (const settle of [...pending.values()]) settle(false);
  });
  return {
    claim(jti, expiresAtMs) {
      if (!channel.connected()) return Promise.resolve(false);
      const id = ++lastId;
      return new Promise<boolean>((resolve) => {
        const settle = (claimed: boolean) => {
          if (!pending.delete(id)) return;
          cancel();
          resolve(claimed);
        };
        const cancel = timers.after(answerMs, () => settle(false));
        pending.set(id, settle);
        channel.send({ type: 'kore:jti-claim', id, jti, expiresAtMs }, () => settle(false));
      });
    },
  };
}

/** A worker as the supervisor talks to it (Node's cluster `Worker`). */
export interface WorkerChannel {
  isConnected(): boolean;
  send(message: JtiAnswer, sendHandle: undefined, callback: (error: Error | null) => void): unknown;
}

/** The supervisor's side: answers one worker's claim from the ledger every worker shares. */
export async function answerJtiClaim(worker: WorkerChannel, ledger: JtiLedger, claim: JtiClaim): Promise<void> {
  const claimed = await ledger.claim(claim.jti, claim.expiresAtMs);
  // A worker that left meanwhile needs no answer: the callback keeps its closed channel from raising an 'error'.
  if (worker.isConnected()) worker.send({ type: 'kore:jti-answer', id: claim.id, claimed }, undefined, () => undefined);
}
