/**
 * The PromQL the Prometheus metrics source sends, built from escaped literals only: a context, node, namespace or
 * pod name is always inside a string literal (in a regex matcher, with every regex metacharacter escaped too), so no
 * name can add a matcher, a function or another query. Pure functions.
 *
 * What is asked, over cAdvisor's series (as the kubelet's `/metrics/cadvisor` serves them):
 * - a node is its root cgroup (`id="/"`), what metrics-server reports as the node's usage; the cluster is the sum of
 *   its nodes, as in the embedded store;
 * - a pod is the sum of its containers' series. cAdvisor also reports the pod's own cgroup and its sandbox (pause)
 *   container (both `container=""`, the pod cgroup without an image), which hold the same usage again: filtered as
 *   the kubernetes-mixin dashboards filter them (`container!=""`, `image!=""`, and `container!="POD"` of the
 *   dockershim era), so nothing is counted twice;
 * - cpu is `irate` of `container_cpu_usage_seconds_total`: the rate between the last two samples, which is how
 *   metrics-server derives usage from the same counter; memory is `container_memory_working_set_bytes`, what
 *   metrics-server reports as memory.
 */

const CPU_METRIC = 'container_cpu_usage_seconds_total';
const MEMORY_METRIC = 'container_memory_working_set_bytes';
/** The label Prometheus setups attach to kubelet targets for the node's name (README: Metrics from Prometheus). */
const NODE_LABEL = 'node';

/** A Prometheus label name (`--prometheus-cluster-label` must be one). */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The cAdvisor series of a node (its root cgroup). */
const NODE_CGROUP: readonly Matcher[] = [['id', '=', '/']];
/** A pod's containers' series, without the pod cgroup and the sandbox that repeat their usage. */
const CONTAINERS: readonly Matcher[] = [
  ['container', '!=', ''],
  ['container', '!=', 'POD'],
  ['image', '!=', ''],
];

export type Matcher = readonly [label: string, op: '=' | '!=' | '=~', value: string];

/**
 * A PromQL string literal. PromQL reads strings with Go's escapes, which JSON's are a subset of; lone surrogates
 * (which Go would refuse) become U+FFFD first.
 */
export function stringLiteral(value: string): string {
  return JSON.stringify(
    value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'),
  );
}

/** Every RE2 metacharacter escaped (what Go's regexp.QuoteMeta escapes): the value matches only itself. */
export function regexQuote(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/** A regex matching exactly one of `values` (Prometheus anchors label regexes at both ends). */
export function oneOf(values: readonly string[]): string {
  return values.map(regexQuote).join('|');
}

export function selector(metric: string, matchers: readonly Matcher[]): string {
  for (const [label] of matchers) if (!LABEL_NAME.test(label)) throw new RangeError(`not a label name: ${label}`);
  return `${metric}{${matchers.map(([label, op, value]) => `${label}${op}${stringLiteral(value)}`).join(',')}}`;
}

/** What one pair of queries asks about: the cluster, some nodes, or some pods (undefined names: all of them). */
export type SeriesTarget =
  | { kind: 'cluster' }
  | { kind: 'node'; names?: readonly string[] }
  | { kind: 'pod'; namespaces?: readonly string[]; names?: readonly string[] };

export interface SeriesQueries {
  /** cpu in cores, one result series per group. */
  cpu: string;
  /** Working set in bytes, grouped the same way. */
  memory: string;
  /** The labels that name a result series: none (cluster), `node`, or `namespace` and `pod`. */
  by: readonly string[];
}

/**
 * The cpu and memory queries of a target in one context: `clusterLabel="<context>"` picks the context's series,
 * `rateWindow` (a PromQL duration such as `5m`) bounds how far back `irate` looks for its two samples.
 */
export function seriesQueries(
  clusterLabel: string,
  context: string,
  target: SeriesTarget,
  rateWindow: string,
): SeriesQueries {
  const matchers: Matcher[] = [[clusterLabel, '=', context]];
  let by: readonly string[];
  if (target.kind === 'pod') {
    matchers.push(...CONTAINERS);
    if (target.namespaces !== undefined) matchers.push(['namespace', '=~', oneOf(target.namespaces)]);
    if (target.names !== undefined) matchers.push(['pod', '=~', oneOf(target.names)]);
    by = ['namespace', 'pod'];
  } else {
    matchers.push(...NODE_CGROUP);
    if (target.kind === 'node' && target.names !== undefined) matchers.push([NODE_LABEL, '=~', oneOf(target.names)]);
    by = target.kind === 'node' ? [NODE_LABEL] : [];
  }
  const sum = `sum by (${by.join(', ')})`;
  return {
    cpu: `${sum} (irate(${selector(CPU_METRIC, matchers)}[${rateWindow}]))`,
    memory: `${sum} (${selector(MEMORY_METRIC, matchers)})`,
    by,
  };
}

/** The status route's questions about one context, each answered by one number (or nothing). */
export function statusQueries(clusterLabel: string, context: string, window: string) {
  const cluster: Matcher = [clusterLabel, '=', context];
  const seen = (matchers: readonly Matcher[], by: string) =>
    `count(count by (${by}) (last_over_time(${selector(MEMORY_METRIC, [cluster, ...matchers])}[${window}])))`;
  return {
    /** Nodes with a point in the window. */
    nodes: seen(NODE_CGROUP, NODE_LABEL),
    /** Pods with a point in the window. */
    pods: seen(CONTAINERS, 'namespace, pod'),
    /** When Prometheus last stored a sample of the context's nodes, in seconds. */
    newest: `max(timestamp(${selector(MEMORY_METRIC, [cluster, ...NODE_CGROUP])}))`,
    /** How long the context's slowest target took to scrape, in seconds. */
    scrapeSeconds: `max(${selector('scrape_duration_seconds', [cluster])})`,
  };
}

/** A duration in PromQL's notation, to the millisecond: `90000` → `90s`, `300000` → `5m`. */
export function promDuration(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
