/**
 * Requests by route, method and code, and their durations, on every entrance (the Hono app, the Node `/raw` fast
 * path, upgrades). The route label is the matched route pattern, never the raw path, so the label sets stay bounded;
 * methods outside the HTTP verbs we serve count as `other`.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

/** The route label of a request no route matched (404s, refused preflights, malformed targets). */
export const UNMATCHED_ROUTE = 'unmatched';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** A bounded method label: a caller may send any token as the method. */
export function methodLabel(method: string | undefined): string {
  return method !== undefined && METHODS.has(method) ? method : 'other';
}

/** Seconds, from sub-millisecond fast-path answers to long watches. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export interface HttpMetrics {
  /** One answered (or abandoned: code 0) request. */
  observe(route: string, method: string, code: number, seconds: number): void;
}

export function registerHttpMetrics(registry: Registry): HttpMetrics {
  const requests = new Counter({
    name: 'kore_board_http_requests_total',
    help: 'HTTP requests answered, by matched route pattern, method and status code (0: the caller left before an answer).',
    labelNames: ['route', 'method', 'code'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'kore_board_http_request_duration_seconds',
    help: 'Time from a request to the end of its answer (long-running requests such as watches count their whole life).',
    labelNames: ['route', 'method'],
    buckets: BUCKETS,
    registers: [registry],
  });
  // prom-client hashes the label object on every labels() call: the children are kept here, found by nested lookups
  // that allocate nothing once a label set was seen.
  const counters = new Map<string, Map<string, Map<number, Counter.Internal>>>();
  const timers = new Map<string, Map<string, Histogram.Internal<string>>>();
  const counterOf = (route: string, method: string, code: number) => {
    let byMethod = counters.get(route);
    if (byMethod === undefined) counters.set(route, (byMethod = new Map<string, Map<number, Counter.Internal>>()));
    let byCode = byMethod.get(method);
    if (byCode === undefined) byMethod.set(method, (byCode = new Map<number, Counter.Internal>()));
    let child = byCode.get(code);
    if (child === undefined) byCode.set(code, (child = requests.labels(route, method, String(code))));
    return child;
  };
  const timerOf = (route: string, method: string) => {
    let byMethod = timers.get(route);
    if (byMethod === undefined) timers.set(route, (byMethod = new Map<string, Histogram.Internal<string>>()));
    let child = byMethod.get(method);
    if (child === undefined) byMethod.set(method, (child = duration.labels(route, method)));
    return child;
  };
  return {
    observe(route, method, code, seconds) {
      counterOf(route, method, code).inc();
      timerOf(route, method).observe(seconds);
    },
  };
}
