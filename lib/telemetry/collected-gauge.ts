/**
 * A gauge whose values are read from their owner at each exposition rather than kept up to date here: nothing to
 * forget when a context, cache or session goes away, since what no longer exists is simply not read.
 */
import { Gauge, type Registry } from 'prom-client';

/** Label values (in the gauge's label order) and the value for them. */
export type GaugeSample = readonly [labels: Record<string, string>, value: number];

export function collectedGauge(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly string[],
  read: () => Iterable<GaugeSample>,
): void {
  new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.set(labels, value);
    },
  });
}
