/**
 * The embedded metrics pipeline as a Node process runs it: the store restored from `<data-dir>`, the scraper on its
 * timer, and a snapshot written after every round and at shutdown, so a restart loses at most one tick.
 */
import type { Clock } from '../clock';
import type { ClusterRegistry } from '../clusters/types';
import { errorMessage } from '../errors';
import type { Logger } from '../log';
import { embeddedSource } from '../metrics/embedded-source';
import { createScraper } from '../metrics/scraper';
import { createMetricsStore, restoreMetricsStore, type SnapshottableMetricsStore } from '../metrics/store';
import type { MetricsSource } from '../metrics/types';
import type { ScrapeStatuses } from '../telemetry/scrape-health';
import type { MetricsConfig } from './cli';
import { loadSnapshot, saveSnapshot } from './metrics-snapshot-file';

export interface EmbeddedMetrics {
  source: MetricsSource;
  /** Each scraped context's status, for kore-board's own /metrics. */
  scrapes: ScrapeStatuses;
  /**
   * Begins scraping, one round at once. The entry calls it once the server listens: the first round (discovery, TLS
   * handshakes, every context's lists) measured 50–100 ms of the start when it ran alongside it.
   */
  start(): void;
  /** Stops scraping, waits for the round in flight, writes the last snapshot. */
  close(): Promise<void>;
}

export interface EmbeddedMetricsOptions {
  registry: ClusterRegistry;
  config: MetricsConfig;
  /** Where the snapshot lives; undefined keeps the window in memory only. */
  snapshotPath: string | undefined;
  clock: Clock;
  log: Logger;
}

async function restoredStore(options: EmbeddedMetricsOptions): Promise<SnapshottableMetricsStore> {
  const { config, snapshotPath, clock, log } = options;
  const settings = { windowMs: config.windowMs, resolutionMs: config.resolutionMs };
  const bytes =
    snapshotPath === undefined
      ? undefined
      : await loadSnapshot(snapshotPath).catch((err: unknown) => {
          log.warn('metrics snapshot unreadable; starting with an empty window', {
            path: snapshotPath,
            error: errorMessage(err),
          });
          return undefined;
        });
  if (bytes === undefined) return createMetricsStore(settings);
  const store = restoreMetricsStore(bytes, settings, clock.now());
  if (store.warning !== undefined) log.warn(store.warning, { path: snapshotPath });
  return store;
}

export async function startEmbeddedMetrics(options: EmbeddedMetricsOptions): Promise<EmbeddedMetrics> {
  const { registry, config, snapshotPath, clock, log } = options;
  const store = await restoredStore(options);
  // One write at a time, the newest state last: a round that ends while a write is in flight queues one more.
  let writing = Promise.resolve();
  const save = () => {
    if (snapshotPath === undefined) return writing;
    writing = writing
      .then(() => saveSnapshot(snapshotPath, store.encodeSnapshot()))
      .catch((err: unknown) =>
        log.warn('metrics snapshot not written', { path: snapshotPath, error: errorMessage(err) }),
      );
    return writing;
  };
  const scraper = createScraper({
    registry,
    store,
    clock,
    resolutionMs: config.resolutionMs,
    contexts: config.contexts,
    log,
    afterScrape: () => void save(),
  });
  return {
    source: embeddedSource(scraper, store),
    scrapes: () =>
      registry.contexts().flatMap((c) => {
        const status = scraper.status(c.name);
        return status === undefined ? [] : [[c.name, status] as const];
      }),
    start: () => scraper.start(),
    close: async () => {
      await scraper.close();
      await save();
    },
  };
}
