/**
 * The terminal tokens' single use across `--workers`: workers' ledgers ask the supervisor's (lib/node/workers/
 * jti-ledger.ts). Here over an in-process channel that carries messages as the IPC channel does (serialized, checked
 * on arrival); the real pool is driven in workers-replay.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { memoryJtiLedger } from '../../lib/terminal/jti-ledger';
import type { JtiLedger } from '../../lib/terminal/types';
import { answerJtiClaim, workerJtiLedger, type WorkerChannel } from '../../lib/node/workers/jti-ledger';
import type { SupervisorChannel } from '../../lib/node/workers/supervisor-requests';
import { isJtiClaim } from '../../lib/node/workers/protocol';
import { fakeClock } from '../helpers/registry-fixtures';
import { manualTimers } from './manual-timers';

const clock = fakeClock();
const MINUTE = 60_000;

/** One worker's channel to a supervisor answering from `ledger`; it can be muted, broken or disconnected. */
function channelTo(ledger: JtiLedger) {
  const listeners = new Set<(message: unknown) => void>();
  const disconnectListeners = new Set<() => void>();
  const state = { connected: true, answering: true, sendFails: false, sent: 0 };
  const deliver = (message: unknown) => {
    const copy: unknown = JSON.parse(JSON.stringify(message));
    for (const listener of listeners) listener(copy);
  };
  const worker: WorkerChannel = {
    isConnected: () => state.connected,
    send: (message) => queueMicrotask(() => deliver(message)),
  };
  const channel: SupervisorChannel = {
    connected: () => state.connected,
    send(message, failed) {
      state.sent++;
      if (state.sendFails) return queueMicrotask(failed);
      const arrived: unknown = JSON.parse(JSON.stringify(message));
      if (state.answering && isJtiClaim(arrived)) void answerJtiClaim(worker, ledger, arrived);
    },
    onMessage: (listener) => listeners.add(listener),
    onDisconnect: (listener) => disconnectListeners.add(listener),
  };
  return {
    channel,
    state,
    deliver,
    disconnect() {
      state.connected = false;
      for (const listener of disconnectListeners) listener();
    },
  };
}

describe('the workers’ jti ledger', () => {
  it('lets a token id be claimed once across workers: on the worker that minted it or any other, never twice', async () => {
    const supervisor = memoryJtiLedger(clock);
    const timers = manualTimers(clock);
    const a = workerJtiLedger(channelTo(supervisor).channel, timers);
    const b = workerJtiLedger(channelTo(supervisor).channel, timers);
    const exp = clock.now() + MINUTE;
    expect(await b.claim('minted-by-a', exp)).toBe(true);
    expect(await a.claim('minted-by-a', exp)).toBe(false);
    expect(await b.claim('minted-by-a', exp)).toBe(false);
    expect(await Promise.all([a.claim('raced', exp), b.claim('raced', exp)])).toEqual(
      expect.arrayContaining([true, false]),
    );
    expect(timers.pending()).toBe(0);
  });

  it('refuses when the supervisor is lost: claims waiting for it, and every claim after', async () => {
    const timers = manualTimers(clock);
    const link = channelTo(memoryJtiLedger(clock));
    const ledger = workerJtiLedger(link.channel, timers);
    link.state.answering = false;
    const waiting = ledger.claim('never-answered', clock.now() + MINUTE);
    link.disconnect();
    expect(await waiting).toBe(false);
    const sent = link.state.sent;
    expect(await ledger.claim('after', clock.now() + MINUTE)).toBe(false);
    expect(link.state.sent).toBe(sent);
    expect(timers.pending()).toBe(0);
  });

  it('refuses when no answer comes in time, or the claim cannot be sent', async () => {
    const timers = manualTimers(clock);
    const link = channelTo(memoryJtiLedger(clock));
    const ledger = workerJtiLedger(link.channel, timers, 1_000);
    link.state.answering = false;
    const late = ledger.claim('slow', clock.now() + MINUTE);
    timers.advance(999);
    link.deliver({ type: 'kore:jti-answer', id: 1, claimed: 'yes' });
    link.deliver({ type: 'kore:jti-answer', id: 2, claimed: true });
    timers.advance(1);
    expect(await late).toBe(false);

    link.state.sendFails = true;
    expect(await ledger.claim('unsent', clock.now() + MINUTE)).toBe(false);
    expect(timers.pending()).toBe(0);
  });
});
