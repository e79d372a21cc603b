import { Hono } from 'hono';
import type { ClusterConnection, ClusterRegistry } from '../lib/clusters/types';
import { StatusError } from '../lib/errors';
import { combineSeries, parseCombineOp } from '../lib/metrics/combine';
import type { MetricsSource, Point, SeriesKey } from '../lib/metrics/types';

/** The spec's body: `[{ timestamp, cpu, memory }]`, oldest first; timestamps to the second, as the original's. */
export function seriesBody(points: readonly Point[]) {
  return points.map((p) => ({
    timestamp: new Date(p.t).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    cpu: p.cpu,
    memory: p.memory,
  }));
}

/** A comma list of names (the spec's `node1,node2`); empty names are a 400, not a silent skip. */
function names(list: string, what: string): string[] {
  const out = list.split(',').map((n) => n.trim());
  if (out.some((n) => n === ''))
    throw new StatusError('BadRequest', `an empty ${what} name in ${JSON.stringify(list)}`);
  return [...new Set(out)];
}

/** 404 for a context unknown or whose metrics are not collected, 503 (from the registry) for one that failed to load. */
function collected(registry: ClusterRegistry, context: string, available: boolean | undefined) {
  registry.connection(context);
  if (available === undefined)
    throw new StatusError('NotFound', `metrics are not collected for context ${JSON.stringify(context)}`);
}

/**
 * The connection of a context whose metrics are collected and available: what every series route needs first.
 * Throws as `collected` does, and 503 when the cluster serves no metrics API (never a series of zeros).
 */
export function measuredConnection(
  registry: ClusterRegistry,
  source: MetricsSource,
  context: string,
): ClusterConnection {
  const available = source.available(context);
  collected(registry, context, available);
  if (available === false)
    throw new StatusError('ServiceUnavailable', `metrics API not available in context ${JSON.stringify(context)}`);
  return registry.connection(context);
}

/**
 * Mounted at `/api/v1/clusters`: the spec's Metrics-Scraper routes. `GET /:cluster` (the cluster), `/nodes/:node`
 * (a comma list is summed), `/namespaces/:ns/pods/:pod[/:op]` (a comma list combined by sum|avg|max|min), and
 * `/status` (which source answers and how collecting goes). 404 for a context that is not scraped or a series never
 * seen in the window, 503 for a cluster without metrics-server (never a series of zeros) and, from the Prometheus
 * source, 502/503 when Prometheus errs or cannot be reached.
 */
export function metricsRoutes(registry: ClusterRegistry, source: MetricsSource): Hono {
  const app = new Hono();
  const combined = async (
    context: string,
    keys: SeriesKey[],
    describe: (key: SeriesKey) => string,
    op: string | undefined,
  ) => {
    const combine = parseCombineOp(op);
    measuredConnection(registry, source, context);
    const series = (await source.series(context, keys)).map((points, i) => {
      if (points === undefined) throw new StatusError('NotFound', `no metrics for ${describe(keys[i]!)} in the window`);
      return points;
    });
    return seriesBody(series.length === 1 ? series[0]! : combineSeries(series, combine));
  };

  app.get('/:cluster', async (c) => {
    const context = c.req.param('cluster');
    return c.json(
      await combined(context, [{ kind: 'cluster' }], () => `context ${JSON.stringify(context)}`, undefined),
    );
  });
  // Answers for an unavailable context too, and says which source answers: saying so is what it is for.
  app.get('/:cluster/status', async (c) => {
    const context = c.req.param('cluster');
    collected(registry, context, source.available(context));
    const status = await source.status(context);
    return c.json({ context, source: source.kind, ...status });
  });
  app.get('/:cluster/nodes/:node', async (c) => {
    const keys = names(c.req.param('node'), 'node').map((name): SeriesKey => ({ kind: 'node', name }));
    return c.json(await combined(c.req.param('cluster'), keys, (k) => `node ${JSON.stringify(nameOf(k))}`, undefined));
  });
  const pods = (cluster: string, namespace: string, pod: string, op: string | undefined) => {
    const keys = names(pod, 'pod').map((name): SeriesKey => ({ kind: 'pod', namespace, name }));
    return combined(cluster, keys, (k) => `pod ${JSON.stringify(`${namespace}/${nameOf(k)}`)}`, op);
  };
  app.get('/:cluster/namespaces/:ns/pods/:pod', async (c) =>
    c.json(await pods(c.req.param('cluster'), c.req.param('ns'), c.req.param('pod'), undefined)),
  );
  app.get('/:cluster/namespaces/:ns/pods/:pod/:op', async (c) =>
    c.json(await pods(c.req.param('cluster'), c.req.param('ns'), c.req.param('pod'), c.req.param('op'))),
  );

  return app;
}

function nameOf(key: SeriesKey): string {
  return key.kind === 'cluster' ? '' : key.name;
}
