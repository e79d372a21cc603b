/**
 * What the `/raw` proxy reports (lib/proxy/forward.ts's ForwardTelemetry): upstream failures by context and cause,
 * and the watches open through it (the Node fast path and the Hono route alike), next to the views' own watches.
 */
import { Counter, type Registry } from 'prom-client';
import type { ForwardTelemetry } from '../proxy/forward';
import { upstreamCause } from '../proxy/upstream-error';
import { collectedGauge, type GaugeSample } from './collected-gauge';

/** The views' watches per context, as the view store reports them at each exposition. */
export type ViewWatches = () => Iterable<readonly [context: string, watches: number]>;

export function registerProxyMetrics(registry: Registry, viewWatches: ViewWatches): ForwardTelemetry {
  const failures = new Counter({
    name: 'kore_board_upstream_errors_total',
    help: 'Requests to a cluster that failed before or while it answered, by context and cause (the error code).',
    labelNames: ['context', 'cause'],
    registers: [registry],
  });
  const rawWatches = new Map<string, number>();
  collectedGauge(
    registry,
    'kore_board_open_watches',
    'Watches open now, by context and source: raw (callers through /raw) or views (the views cache).',
    ['context', 'source'],
    function* (): Iterable<GaugeSample> {
      for (const [context, open] of rawWatches) yield [{ context, source: 'raw' }, open];
      for (const [context, open] of viewWatches()) yield [{ context, source: 'views' }, open];
    },
  );
  return {
    upstreamFailed: (context, err) => failures.inc({ context, cause: upstreamCause(err) }),
    watchOpened(context) {
      rawWatches.set(context, (rawWatches.get(context) ?? 0) + 1);
      return () => {
        const left = (rawWatches.get(context) ?? 1) - 1;
        if (left === 0) rawWatches.delete(context);
        else rawWatches.set(context, left);
      };
    },
  };
}
