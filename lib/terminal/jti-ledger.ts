import type { Clock } from '../clock';
import type { JtiLedger } from './types';

/**
 * The token ids claimed in this process, each kept until its token expires (a token is refused after that anyway,
 * so the set holds at most a minute of sessions). Another process needs another ledger: with `--workers`, the
 * supervisor keeps the one every worker asks.
 */
export function memoryJtiLedger(clock: Clock): JtiLedger {
  const claimed = new Map<string, number>();
  const forget = (now: number) => {
    for (const [jti, expiresAtMs] of claimed) if (expiresAtMs <= now) claimed.delete(jti);
  };
  return {
    claim: async (jti, expiresAtMs) => {
      const now = clock.now();
      forget(now);
      if (expiresAtMs <= now || claimed.has(jti)) return false;
      claimed.set(jti, expiresAtMs);
      return true;
    },
  };
}
