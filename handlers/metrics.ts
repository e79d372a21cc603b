import { Hono, type Context } from 'hono';
import { requireAccess } from '../lib/auth/access-gate';
import { createAccessReviews, type AccessQuestion, type AccessReviews } from '../lib/auth/access-reviews';
import type { Principal } from '../lib/auth/principal';
import { systemClock } from '../lib/clock';
import { connectionFor } from '../lib/clusters/principal-connection';
import type { ClusterConnection, ClusterRegistry } from '../lib/clusters/types';
import { StatusError } from '../lib/errors';
import { combineSeries, parseCombineOp } from '../lib/metrics/combine';
import type { MetricsSource, Point, SeriesKey } from '../lib/metrics/types';
import { principalOf } from './principal-of';

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
 * What a user (`--auth user`) must be allowed to see a series: pods' usage needs `list pods` in their namespace,
 * a node's or the cluster's `list nodes`. The series come from the scraper, which reads with the context's credentials.
 */
function accessFor(keys: readonly SeriesKey[]): AccessQuestion {
  const pod = keys.find((k) => k.kind === 'pod');
  return pod === undefined
    ? { verb: 'list', group: '', resource: 'nodes' }
    : { verb: 'list', group: '', resource: 'pods', namespace: pod.namespace };
}

/**
 * Mounted at `/api/v1/clusters`: the spec's Metrics-Scraper routes. `GET /:cluster` (the cluster), `/nodes/:node`
 * (a comma list is summed), `/namespaces/:ns/pods/:pod[/:op]` (a comma list combined by sum|avg|max|min), and
 * `/status` (which source answers and how collecting goes). 404 for a context that is not scraped or a series never
 * seen in the window, 503 for a cluster without metrics-server (never a series of zeros) and, from the Prometheus
 * source, 502/503 when Prometheus errs or cannot be reached. A user (`--auth user`) is refused (403) the series of
 * what they may not list (`accessFor`), asked of the cluster with their own token.
 */
export function metricsRoutes(
  registry: ClusterRegistry,
  source: MetricsSource,
  access: AccessReviews = createAccessReviews({ clock: systemClock }),
): Hono {
  const app = new Hono();
  const combined = async (
    context: string,
    keys: SeriesKey[],
    describe: (key: SeriesKey) => string,
    op: string | undefined,
    principal: Principal,
  ) => {
    const combine = parseCombineOp(op);
    const conn = measuredConnection(registry, source, context);
    await requireAccess(access, connectionFor(conn, principal), principal, accessFor(keys));
    const series = (await source.series(context, keys)).map((points, i) => {
      if (points === undefined) throw new StatusError('NotFound', `no metrics for ${describe(keys[i]!)} in the window`);
      return points;
    });
    return seriesBody(series.length === 1 ? series[0]! : combineSeries(series, combine));
  };

  app.get('/:cluster', async (c) => {
    const context = c.req.param('cluster');
    return c.json(
      await combined(
        context,
        [{ kind: 'cluster' }],
        () => `context ${JSON.stringify(context)}`,
        undefined,
        principalOf(c),
      ),
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
    const describe = (k: SeriesKey) => `node ${JSON.stringify(nameOf(k))}`;
    return c.json(await combined(c.req.param('cluster'), keys, describe, undefined, principalOf(c)));
  });
  const pods = (c: Context, op: string | undefined) => {
    const namespace = c.req.param('ns') ?? '';
    const keys = names(c.req.param('pod') ?? '', 'pod').map((name): SeriesKey => ({ kind: 'pod', namespace, name }));
    const describe = (k: SeriesKey) => `pod ${JSON.stringify(`${namespace}/${nameOf(k)}`)}`;
    return combined(c.req.param('cluster') ?? '', keys, describe, op, principalOf(c));
  };
  app.get('/:cluster/namespaces/:ns/pods/:pod', async (c) => c.json(await pods(c, undefined)));
  app.get('/:cluster/namespaces/:ns/pods/:pod/:op', async (c) => c.json(await pods(c, c.req.param('op'))));

  return app;
}

function nameOf(key: SeriesKey): string {
  return key.kind === 'cluster' ? '' : key.name;
}
