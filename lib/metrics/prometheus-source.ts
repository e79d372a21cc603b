/**
 * The Prometheus metrics source (`--metrics-source prometheus=URL`): every metrics route answered from Prometheus's
 * `query_range` over cAdvisor's series (promql.ts says which and why), instead of the embedded store. A context's
 * series are those whose `clusterLabel` is the context's name; points are `resolutionMs` apart over `windowMs`,
 * aligned to the resolution so that replicas asking at once get the same answer.
 *
 * The same 404 rule as the embedded store: a node or pod Prometheus holds no series of in the window is undefined; one
 * it holds, but with no time at which both cpu and memory have a value, is `[]`.
 */
import type { Clock } from '../clock';
import { StatusError } from '../errors';
import { prometheusApi, type ResultSeries } from './prometheus-api';
import { promDuration, seriesQueries, statusQueries, type SeriesTarget } from './promql';
import type { MetricsSource, Point, ScrapeStatus, SeriesKey } from './types';

export interface PrometheusSourceOptions {
  url: string;
  /** The label naming a series' context (`--prometheus-cluster-label`). */
  clusterLabel: string;
  resolutionMs: number;
  windowMs: number;
  /** --metrics-contexts: only these; default every context. */
  contexts?: readonly string[];
  clock: Clock;
  /** Per request to Prometheus; default 10 s. */
  timeoutMs?: number;
}

export interface PrometheusSource extends MetricsSource {
  close(): Promise<void>;
}

const DEFAULT_PROMETHEUS_TIMEOUT_MS = 10_000;
/** kubernetes-mixin's irate window: room for two samples at any common scrape interval. */
const MIN_RATE_WINDOW_MS = 5 * 60_000;
/**
 * Names past this many are not put in the query: all of the context's nodes (or the namespaces' pods) are asked for
 * and the answer filtered here, which Prometheus evaluates faster than a regex of thousands of alternatives.
 */
const MAX_NAMED = 200;

/** One answer per requested key, from the cpu and memory results of one target. */
type Joined = Map<string, Point[]>;

/** `sep` cannot occur in a label value that reaches here: names are joined into one map key with it. */
const SEP = '\u0000';

/** cpu (cores) and memory series joined at the times both have a value, keyed by their `by` labels. */
function join(cpu: ResultSeries[], memory: ResultSeries[], by: readonly string[]): Joined {
  const keyOf = (s: ResultSeries) => by.map((label) => s.labels[label] ?? '').join(SEP);
  const memoryByKey = new Map(memory.map((s) => [keyOf(s), new Map(s.samples)]));
  const joined: Joined = new Map();
  const cpuKeys = new Set<string>();
  for (const s of cpu) {
    const key = keyOf(s);
    cpuKeys.add(key);
    const bytes = memoryByKey.get(key);
    const points: Point[] = [];
    for (const [t, cores] of s.samples) {
      const m = bytes?.get(t);
      if (m !== undefined) points.push({ t, cpu: Math.round(cores * 1000), memory: Math.round(m) });
    }
    joined.set(key, points);
  }
  // A series with memory but no cpu rate yet (a single sample so far) exists, with no points.
  for (const key of memoryByKey.keys()) if (!cpuKeys.has(key)) joined.set(key, []);
  return joined;
}

function unique(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

export function createPrometheusSource(options: PrometheusSourceOptions): PrometheusSource {
  const { clusterLabel, resolutionMs, windowMs, clock } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROMETHEUS_TIMEOUT_MS;
  const api = prometheusApi(options.url, timeoutMs);
  const only = options.contexts === undefined ? undefined : new Set(options.contexts);
  const rateWindow = promDuration(Math.max(MIN_RATE_WINDOW_MS, 2 * resolutionMs));
  const window = promDuration(windowMs);

  /** The range every series is asked over: the last `windowMs`, on the resolution's grid. */
  const range = () => {
    const endMs = Math.floor(clock.now() / resolutionMs) * resolutionMs;
    return { startMs: endMs - Math.floor(windowMs / resolutionMs) * resolutionMs, endMs, stepMs: resolutionMs };
  };

  const ask = async (context: string, target: SeriesTarget, at: ReturnType<typeof range>): Promise<Joined> => {
    const { cpu, memory, by } = seriesQueries(clusterLabel, context, target, rateWindow);
    const [cpuSeries, memorySeries] = await Promise.all([api.queryRange(cpu, at), api.queryRange(memory, at)]);
    return join(cpuSeries, memorySeries, by);
  };

  const series = async (context: string, keys: readonly SeriesKey[]): Promise<(Point[] | undefined)[]> => {
    const at = range();
    const nodes = unique(keys.flatMap((k) => (k.kind === 'node' ? [k.name] : [])));
    const pods = keys.flatMap((k) => (k.kind === 'pod' ? [k] : []));
    const podNames = unique(pods.map((p) => p.name));
    const [cluster, byNode, byPod] = await Promise.all([
      keys.some((k) => k.kind === 'cluster') ? ask(context, { kind: 'cluster' }, at) : undefined,
      nodes.length === 0
        ? undefined
        : ask(context, { kind: 'node', names: nodes.length <= MAX_NAMED ? nodes : undefined }, at),
      pods.length === 0
        ? undefined
        : ask(
            context,
            {
              kind: 'pod',
              namespaces: unique(pods.map((p) => p.namespace)),
              names: podNames.length <= MAX_NAMED ? podNames : undefined,
            },
            at,
          ),
    ]);
    return keys.map((key) => {
      if (key.kind === 'cluster') return cluster?.get('');
      if (key.kind === 'node') return byNode?.get(key.name);
      return byPod?.get(`${key.namespace}${SEP}${key.name}`);
    });
  };

  /** One number of an instant query's answer; undefined when it has none. */
  const scalar = async (query: string, timeMs: number) => (await api.query(query, timeMs))[0]?.samples[0]?.[1];

  const status = async (context: string): Promise<ScrapeStatus | undefined> => {
    if (only !== undefined && !only.has(context)) return undefined;
    const queries = statusQueries(clusterLabel, context, window);
    const now = clock.now();
    try {
      const [nodes = 0, pods = 0, newest, scrapeSeconds] = await Promise.all([
        scalar(queries.nodes, now),
        scalar(queries.pods, now),
        scalar(queries.newest, now),
        scalar(queries.scrapeSeconds, now),
      ]);
      const answer: ScrapeStatus = { available: true, series: nodes + pods + (nodes > 0 ? 1 : 0) };
      if (newest !== undefined) answer.lastScrape = Math.round(newest * 1000);
      if (scrapeSeconds !== undefined) answer.durationMs = Math.round(scrapeSeconds * 1000);
      return answer;
    } catch (err) {
      if (!(err instanceof StatusError)) throw err;
      return { available: false, error: err.message, series: 0 };
    }
  };

  return {
    kind: 'prometheus',
    available: (context) => (only === undefined || only.has(context) ? true : undefined),
    status,
    series,
    close: () => api.close(),
  };
}
