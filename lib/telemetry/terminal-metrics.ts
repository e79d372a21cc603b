/** Web terminal sessions open now, by kind (the termtype: cluster, pod, container), read at each exposition. */
import type { Registry } from 'prom-client';
import { collectedGauge } from './collected-gauge';

export type TerminalSessions = () => Iterable<readonly [kind: string, sessions: number]>;

export function registerTerminalMetrics(registry: Registry, sessions: TerminalSessions): void {
  collectedGauge(
    registry,
    'kore_board_terminal_sessions',
    'Web terminal sessions open now, by kind (cluster, pod, container).',
    ['kind'],
    function* () {
      for (const [kind, open] of sessions()) yield [{ kind }, open];
    },
  );
}
