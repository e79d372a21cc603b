/**
 * The metrics scraper: every `resolutionMs`, one round over the scraped contexts, each listing metrics.k8s.io
 * NodeMetrics and PodMetrics and filing them in the store under the round's start time. Contexts are scraped a few
 * at a time, each within its own timeout, so one slow or dead cluster never holds back the others. A cluster whose
 * discovery has no metrics.k8s.io is marked unavailable and only re-checked now and then.
 */
import { mapLimited, withTimeout } from '../async-bounds';
import type { Clock } from '../clock';
import type { ClusterRegistry } from '../clusters/types';
import { errorMessage } from '../errors';
import { clusterApis, type ClusterApi } from '../kube/cluster-apis';
import type { Logger } from '../log';
import { listMetrics, MetricsListError, servesMetrics } from './metrics-api';
import type { MetricsStore, ScrapeStatus } from './types';

/** An unavailable context's discovery is read afresh every this many rounds (metrics-server installed since). */
export const RECHECK_EVERY_ROUNDS = 10;
export const DEFAULT_PARALLELISM = 4;
const MAX_TIMEOUT_MS = 30_000;
/** At most this many malformed objects are named in a status error. */
const NAMED_MALFORMED = 3;

export interface ScraperOptions {
  registry: ClusterRegistry;
  /** `seriesCount` (the store of store.ts has it) gives ScrapeStatus.series; without it, the last scrape's count. */
  store: MetricsStore & { seriesCount?(context: string): number };
  clock: Clock;
  resolutionMs: number;
  /** Per scrape of one context (discovery and both lists); default min(resolutionMs, 30 s). */
  timeoutMs?: number;
  /** Contexts scraped at once; default 4. */
  parallelism?: number;
  /** --metrics-contexts: only these; default every context of the registry. */
  contexts?: readonly string[];
  log: Logger;
  /** Called after each full round (e.g. to save a snapshot). */
  afterScrape?: () => void;
  /** The contexts' clients and discovery caches; default `clusterApis(registry)`. Pass the app's to share discovery. */
  apis?: (context: string) => ClusterApi;
}

export interface MetricsScraper {
  /** One round over every scraped context, now; resolves when every context was filed or gave up. */
  scrapeAll(): Promise<void>;
  /** A round every resolutionMs (and one at once), on an unref'd timer; a tick during a round is skipped. */
  start(): void;
  /** undefined: not a scraped context. */
  status(context: string): ScrapeStatus | undefined;
  /** Stops the timer and waits for the round in flight. */
  close(): Promise<void>;
}

/** One scraped context. Replaced when the context changes, so a scrape begun before cannot file into the new one. */
interface ContextState {
  available: boolean;
  lastScrape?: number;
  durationMs?: number;
  error?: string;
  /**
   * Series filed by the last scrape: its nodes, its pods and the cluster total. Reported only when the store cannot
   * count (`seriesCount`): a lower bound of what it holds (series absent from that scrape stay until they age out).
   */
  filed: number;
  /** Rounds since discovery said there is no metrics.k8s.io. */
  roundsUnavailable: number;
}

function malformedError(malformed: readonly string[]): string {
  const named = malformed.slice(0, NAMED_MALFORMED).join('; ');
  const more = malformed.length > NAMED_MALFORMED ? ` and ${malformed.length - NAMED_MALFORMED} more` : '';
  return `${malformed.length} object(s) with malformed usage skipped: ${named}${more}`;
}

export function createScraper(options: ScraperOptions): MetricsScraper {
  const { registry, store, clock, resolutionMs, log } = options;
  const timeoutMs = options.timeoutMs ?? Math.min(resolutionMs, MAX_TIMEOUT_MS);
  const parallelism = options.parallelism ?? DEFAULT_PARALLELISM;
  const only = options.contexts === undefined ? undefined : new Set(options.contexts);
  const apis = options.apis ?? clusterApis(registry);
  const states = new Map<string, ContextState>();
  let round: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const fresh = (): ContextState => ({ available: true, filed: 0, roundsUnavailable: 0 });
  const wanted = () => registry.contexts().flatMap((c) => (only === undefined || only.has(c.name) ? [c.name] : []));

  /** Scrapes what the registry holds now: new contexts start, removed ones are dropped from the store. */
  const sync = () => {
    const names = new Set(wanted());
    for (const name of states.keys()) {
      if (names.has(name)) continue;
      states.delete(name);
      store.dropContext(name);
    }
    for (const name of names) if (!states.has(name)) states.set(name, fresh());
  };

  if (only !== undefined) {
    const known = new Set(registry.contexts().map((c) => c.name));
    const missing = [...only].filter((name) => !known.has(name));
    if (missing.length > 0) log.warn('metrics: contexts to scrape not in the kubeconfig (yet)', { contexts: missing });
  }
  sync();
  const unsubscribe = registry.onChange(({ changed }) => {
    // A changed context may point at another cluster: its availability is learnt again.
    for (const name of changed) if (states.has(name)) states.set(name, fresh());
    sync();
  });

  /**
   * Discovery, then both lists, filed unless `filing` says no (timed out, or the context removed or changed since):
   * what was left out as malformed, or 'unavailable' when the cluster serves no metrics.k8s.io.
   */
  const scrapeContext = async (
    name: string,
    state: ContextState,
    at: number,
    filing: () => boolean,
  ): Promise<{ malformed: string[] } | 'unavailable'> => {
    const api = apis(name);
    if (!state.available && ++state.roundsUnavailable >= RECHECK_EVERY_ROUNDS) {
      state.roundsUnavailable = 0;
      api.discovery.invalidate();
    }
    const available = servesMetrics(await api.discovery.current());
    if (available !== state.available && filing()) {
      log.info(available ? 'metrics: metrics.k8s.io now served' : 'metrics: no metrics.k8s.io (no metrics-server)', {
        context: name,
      });
      // Its routes answer 503 from now on; what was kept would only be stale.
      if (!available) store.dropContext(name);
      state.available = available;
      state.roundsUnavailable = 0;
    }
    if (!available) return 'unavailable';
    let listed;
    try {
      listed = await listMetrics(api.call);
    } catch (err) {
      // Discovery may be stale (metrics-server removed): read it again next round.
      if (err instanceof MetricsListError && err.status === 404) api.discovery.invalidate();
      throw err;
    }
    const { nodes, pods } = listed;
    if (filing()) {
      store.record(name, { at, nodes: nodes.usage, pods: pods.usage });
      state.filed = nodes.usage.size + pods.usage.size + 1;
    }
    return { malformed: [...nodes.malformed, ...pods.malformed] };
  };

  const scrapeOne = async (name: string, at: number): Promise<void> => {
    const state = states.get(name);
    if (state === undefined) return;
    const current = () => states.get(name) === state;
    const started = clock.now();
    let timedOut = false;
    let error: string | undefined;
    try {
      // Timed out, the scrape goes on until its requests' own timeouts, and must not file anything.
      const outcome = await withTimeout(
        scrapeContext(name, state, at, () => !timedOut && current()),
        timeoutMs,
        () => {
          timedOut = true;
          return new Error(`no answer within ${timeoutMs} ms`);
        },
      );
      if (outcome !== 'unavailable' && outcome.malformed.length > 0) error = malformedError(outcome.malformed);
    } catch (err) {
      error = errorMessage(err);
      // Nothing measured at `at`: an empty sample moves the context's time, so what it held ages out of the window.
      if (current() && state.available) store.record(name, { at, nodes: new Map(), pods: new Map() });
    }
    // Removed or changed while scraping: the new state is not this one's to report.
    if (!current()) return;
    if (error !== undefined && error !== state.error) log.warn('metrics: scrape failed', { context: name, error });
    else if (error === undefined && state.error !== undefined) log.info('metrics: scrape recovered', { context: name });
    const finished = clock.now();
    state.lastScrape = finished;
    state.durationMs = finished - started;
    state.error = error;
  };

  const runRound = async (): Promise<void> => {
    try {
      sync();
      const at = clock.now();
      await mapLimited([...states.keys()], parallelism, (name) => scrapeOne(name, at));
      options.afterScrape?.();
    } catch (err) {
      // A timer's round has no caller to reject to.
      log.error('metrics: scrape round failed', { error: errorMessage(err) });
    }
  };

  /** Starts a round unless one is running; resolves when the round it joined or started ends. */
  const begin = (): Promise<void> => {
    round ??= runRound().finally(() => {
      round = undefined;
    });
    return round;
  };

  return {
    async scrapeAll() {
      if (closed) return;
      // A round already running started before this call: wait for it, then measure now.
      if (round !== undefined) await round;
      await begin();
    },
    start() {
      if (timer !== undefined || closed) return;
      void begin();
      timer = setInterval(() => {
        if (round === undefined) void begin();
        else log.debug('metrics: round still running, tick skipped');
      }, resolutionMs);
      timer.unref();
    },
    status(context) {
      const state = states.get(context);
      if (state === undefined) return undefined;
      const series = state.available ? (store.seriesCount?.(context) ?? state.filed) : 0;
      const status: ScrapeStatus = { available: state.available, series };
      if (state.lastScrape !== undefined) status.lastScrape = state.lastScrape;
      if (state.durationMs !== undefined) status.durationMs = state.durationMs;
      if (state.error !== undefined) status.error = state.error;
      return status;
    },
    async close() {
      closed = true;
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      unsubscribe();
      await round;
    },
  };
}
