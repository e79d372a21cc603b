/**
 * The metrics pipeline's shared shapes: what one scrape of a context yields, what the store keeps and answers, and
 * how the scraper reports on each context. Units are fixed here once: cpu in millicores, memory in bytes, time in
 * epoch milliseconds.
 */

/** cpu in millicores, memory in bytes. */
export interface Usage {
  cpu: number;
  memory: number;
}

/** One point of a series. */
export interface Point extends Usage {
  /** Epoch milliseconds of the scrape that measured it. */
  t: number;
}

/** What one scrape of one context measured: every node, and every pod with its containers summed. */
export interface ScrapeSample {
  /** When the scrape started (the store files every series of this sample under this one time). */
  at: number;
  nodes: ReadonlyMap<string, Usage>;
  /** Keyed `<namespace>/<name>`. */
  pods: ReadonlyMap<string, Usage>;
}

/** A series of one context: the cluster total (the sum of its nodes), one node, or one pod. */
export type SeriesKey =
  { kind: 'cluster' } | { kind: 'node'; name: string } | { kind: 'pod'; namespace: string; name: string };

/** How to combine several pods' series at each time. */
export type CombineOp = 'sum' | 'avg' | 'max' | 'min';

/** The embedded store: one ring per series, `windowMs` deep. */
export interface MetricsStore {
  /** Files a scrape; series not in it keep their points and age out with the window. */
  record(context: string, sample: ScrapeSample): void;
  /** Oldest first; undefined when the series was never seen in the window (the routes' 404). */
  series(context: string, key: SeriesKey): Point[] | undefined;
  /** Forgets a context (removed from the kubeconfig). */
  dropContext(context: string): void;
  /** Every context with at least one series. */
  contexts(): string[];
}

/** How collecting one context's metrics goes: the scraper's account, or Prometheus's; the status route's body. */
export interface ScrapeStatus {
  /**
   * false, embedded: the cluster serves no metrics.k8s.io (no metrics-server); its routes answer 503. false,
   * Prometheus: Prometheus could not be asked (`error` says why); its routes answer 502/503 while that lasts.
   */
  available: boolean;
  /** Epoch ms of the last scrape that finished (successfully or not); undefined before the first. */
  lastScrape?: number;
  durationMs?: number;
  /** Why the last scrape failed; absent after a success. */
  error?: string;
  /** Series the store holds for the context. */
  series: number;
}

/** Which source answers the metrics routes. */
export type MetricsSourceKind = 'embedded' | 'prometheus';

/**
 * What the metrics routes read: the embedded store with its scraper, or (for fleets) Prometheus. Asynchronous, since
 * Prometheus is asked over HTTP; its failures reject with a StatusError naming it (502 for an error answer, 503 when
 * it cannot be reached or does not answer in time).
 */
export interface MetricsSource {
  readonly kind: MetricsSourceKind;
  /**
   * What every series route checks first, without asking anyone: undefined when the context's metrics are not
   * collected (left out by --metrics-contexts, or not loaded), false when its cluster serves no metrics API.
   */
  available(context: string): boolean | undefined;
  /** How collecting goes, for the status route (the Prometheus source asks Prometheus); undefined as `available`. */
  status(context: string): Promise<ScrapeStatus | undefined>;
  /** One answer per key, in order: oldest first; undefined for a series with no point in the window (a 404). */
  series(context: string, keys: readonly SeriesKey[]): Promise<(Point[] | undefined)[]>;
}
