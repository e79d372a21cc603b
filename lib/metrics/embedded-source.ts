import type { MetricsScraper } from './scraper';
import type { MetricsSource, MetricsStore } from './types';

/** The embedded pipeline as the routes read it: the scraper says what is collected, the store holds the series. */
export function embeddedSource(scraper: Pick<MetricsScraper, 'status'>, store: MetricsStore): MetricsSource {
  return {
    kind: 'embedded',
    available: (context) => scraper.status(context)?.available,
    status: (context) => Promise.resolve(scraper.status(context)),
    series: (context, keys) => Promise.resolve(keys.map((key) => store.series(context, key))),
  };
}
