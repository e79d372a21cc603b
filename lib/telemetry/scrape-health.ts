/**
 * The embedded scraper's health per context as gauges, read from its statuses at each exposition (nothing is kept
 * here, so a removed context's series leave with it): when it last scraped, how long that took, whether it failed,
 * how many series the store holds, whether the cluster serves metrics at all.
 */
import { Gauge, type Registry } from 'prom-client';
import type { ScrapeStatus } from '../metrics/types';

/** Each scraped context and its status, as the scraper reports them now. */
export type ScrapeStatuses = () => Iterable<readonly [context: string, status: ScrapeStatus]>;

const GAUGES: readonly [name: string, help: string, value: (s: ScrapeStatus) => number | undefined][] = [
  [
    'kore_metrics_scrape_last_timestamp_seconds',
    'When the last scrape of the context finished (successfully or not), in seconds since the epoch.',
    (s) => (s.lastScrape === undefined ? undefined : s.lastScrape / 1000),
  ],
  [
    'kore_metrics_scrape_duration_seconds',
    'How long the last scrape of the context took.',
    (s) => (s.durationMs === undefined ? undefined : s.durationMs / 1000),
  ],
  [
    'kore_metrics_scrape_error',
    '1 when the last scrape of the context failed (its status says why), else 0.',
    (s) => (s.lastScrape === undefined ? undefined : s.error === undefined ? 0 : 1),
  ],
  ['kore_metrics_series', 'Series the embedded store holds for the context.', (s) => s.series],
  [
    'kore_metrics_available',
    '1 when the context serves metrics.k8s.io (a metrics-server runs), else 0.',
    (s) => (s.available ? 1 : 0),
  ],
];

export function registerScrapeHealth(registry: Registry, statuses: ScrapeStatuses): void {
  for (const [name, help, value] of GAUGES) {
    new Gauge({
      name,
      help,
      labelNames: ['context'],
      registers: [registry],
      // With --workers every worker scrapes the same clusters: the pool's value is the largest, not their sum.
      aggregator: 'max',
      collect() {
        this.reset();
        for (const [context, status] of statuses()) {
          const v = value(status);
          if (v !== undefined) this.set({ context }, v);
        }
      },
    });
  }
}
