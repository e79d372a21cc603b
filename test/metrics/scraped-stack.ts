/**
 * A kore-board stack whose metrics come from the real scraper and store on an injected clock, with a second context
 * (`no-metrics`) whose cluster has no metrics-server: what the metrics routes' tests run against. Rounds are
 * `scraper.scrapeAll()` at the clock's time, never sleeps.
 */
import { expect } from 'vitest';
import type { Clock } from '../../lib/clock';
import { demoKubeconfig } from '../../lib/demo-kubeconfig';
import { silentLogger } from '../../lib/log';
import { embeddedSource } from '../../lib/metrics/embedded-source';
import { createScraper, type MetricsScraper } from '../../lib/metrics/scraper';
import { createMetricsStore } from '../../lib/metrics/store';
import type { MetricsSource } from '../../lib/metrics/types';
import { startSim, type SimCluster } from '../../lib/sim';
import { startStack, type Stack } from '../helpers/stack';

export const NO_METRICS = 'no-metrics';

export interface ScrapedStack {
  stack: Stack;
  scraper: MetricsScraper;
  source: MetricsSource;
  /** The cluster behind the `no-metrics` context. */
  noMetrics: SimCluster;
  close(): Promise<void>;
}

export async function startScrapedStack(
  clock: Clock & { advance(ms: number): void },
  { windowMs, resolutionMs, rounds }: { windowMs: number; resolutionMs: number; rounds: number },
): Promise<ScrapedStack> {
  let scraper: MetricsScraper | undefined;
  let source: MetricsSource | undefined;
  const stack = await startStack(
    { clock },
    {},
    {
      metrics: (registry) => {
        const store = createMetricsStore({ windowMs, resolutionMs });
        scraper = createScraper({ registry, store, clock, resolutionMs, log: silentLogger });
        source = embeddedSource(scraper, store);
        return source;
      },
    },
  );
  const noMetrics = await startSim({ clock, metricsServer: false });
  const added = await fetch(`${stack.url}/api/contexts`, {
    method: 'POST',
    headers: { 'content-type': 'application/yaml' },
    body: demoKubeconfig(noMetrics, NO_METRICS),
  });
  expect(added.status).toBe(201);
  for (let round = 0; round < rounds; round++) {
    if (round > 0) clock.advance(resolutionMs);
    await scraper!.scrapeAll();
  }
  return {
    stack,
    scraper: scraper!,
    source: source!,
    noMetrics,
    close: async () => {
      await scraper?.close();
      await stack.close();
      await noMetrics.close();
    },
  };
}
