/**
 * The metrics routes' source as a Node process runs it, by `--metrics-source`: the embedded pipeline (scraper, store,
 * snapshot: embedded-metrics.ts), or a Prometheus asked at each request, with no scraper running here.
 */
import { createPrometheusSource } from '../metrics/prometheus-source';
import type { MetricsSource } from '../metrics/types';
import type { ScrapeStatuses } from '../telemetry/scrape-health';
import { startEmbeddedMetrics, type EmbeddedMetricsOptions } from './embedded-metrics';

export interface RunningMetrics {
  source: MetricsSource;
  /** The embedded scraper's statuses, for /metrics; none with Prometheus, which reports on its own scrapes (`up`). */
  scrapes: ScrapeStatuses | undefined;
  /** Begins what runs in the background (the embedded scraper; nothing with Prometheus), once the server listens. */
  start(): void;
  /** Stops what runs (the scraper, with its last snapshot; Prometheus's connections). */
  close(): Promise<void>;
}

export async function startMetricsSource(options: EmbeddedMetricsOptions): Promise<RunningMetrics> {
  const { config, clock } = options;
  if (config.source.kind === 'embedded') return startEmbeddedMetrics(options);
  const source = createPrometheusSource({
    url: config.source.url,
    clusterLabel: config.source.clusterLabel,
    resolutionMs: config.resolutionMs,
    windowMs: config.windowMs,
    contexts: config.contexts,
    clock,
  });
  options.log.info('metrics: answered by Prometheus; nothing is scraped here', {
    prometheus: new URL(config.source.url).origin,
    clusterLabel: config.source.clusterLabel,
  });
  return { source, scrapes: undefined, start: () => undefined, close: () => source.close() };
}
