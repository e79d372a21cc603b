import type { Timers } from '../../terminal/timers';
import type { JtiLedger } from '../../terminal/types';
import { isJtiAnswer, type JtiClaim, type SupervisorAnswer } from './protocol';
import { ANSWER_TIMEOUT_MS, supervisorRequests, type SupervisorChannel } from './supervisor-requests';

/**
 * The terminal tokens' single use across `--workers`: the supervisor keeps the one set of claimed token ids, and
 * each worker's ledger asks it over the cluster IPC channel. A token minted by one worker thus opens one session on
 * any worker, never two. When the supervisor cannot answer (gone, or not in time) the claim is refused: a token
 * that cannot be proven unused is not accepted.
 */

/** A worker's ledger: each claim is the supervisor's answer, and a refusal when there is none. */
export function workerJtiLedger(channel: SupervisorChannel, timers: Timers, answerMs = ANSWER_TIMEOUT_MS): JtiLedger {
  const ask = supervisorRequests(channel, timers, isJtiAnswer, answerMs);
  return {
    claim: async (jti, expiresAtMs) => (await ask({ type: 'kore:jti-claim', jti, expiresAtMs }))?.claimed ?? false,
  };
}

/** A worker as the supervisor talks to it (Node's cluster `Worker`). */
export interface WorkerChannel {
  isConnected(): boolean;
  send(message: SupervisorAnswer, sendHandle: undefined, callback: (error: Error | null) => void): unknown;
}

/** The supervisor's side: answers one worker's claim from the ledger every worker shares. */
export async function answerJtiClaim(worker: WorkerChannel, ledger: JtiLedger, claim: JtiClaim): Promise<void> {
  const claimed = await ledger.claim(claim.jti, claim.expiresAtMs);
  // A worker that left meanwhile needs no answer: the callback keeps its closed channel from raising an 'error'.
  if (worker.isConnected()) worker.send({ type: 'kore:jti-answer', id: claim.id, claimed }, undefined, () => undefined);
}
