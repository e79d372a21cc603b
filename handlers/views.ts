import { Hono, type Context } from 'hono';
import { StatusError } from '../lib/errors';
import type { ViewResponse, ViewStore } from '../lib/views/store';
import { labelParam, subdomainParam } from './path-names';
import { principalOf } from './principal-of';

/**
 * Computed views of a cluster: topology, dashboard, and the workload / network / pod graphs. Mounted at
 * `/api/clusters/:cluster`, where `:cluster` is a context name, URL-encoded (it may hold `@`, `:` and `/`).
 */

/** The namespace from the path or `?namespace=` (empty means all); both, and different, is a mistake. */
function namespaceOf(c: Context): string | undefined {
  const fromPath = c.req.param('ns');
  const fromQuery = c.req.query('namespace') || undefined;
  if (fromPath !== undefined && fromQuery !== undefined && fromPath !== fromQuery) {
    throw new StatusError(
      'BadRequest',
      `namespace ${JSON.stringify(fromPath)} in the path and ${JSON.stringify(fromQuery)} in the query disagree`,
    );
  }
  const ns = fromPath ?? fromQuery;
  return ns === undefined ? undefined : labelParam(ns, 'namespace');
}

function cluster(c: Context): string {
  const name = c.req.param('cluster');
  if (name === undefined || name === '') throw new StatusError('BadRequest', 'the cluster (context name) is missing');
  return name;
}

/**
 * Kubernetes-style warning headers (code 299), so kubectl-minded clients see them whatever the body shape;
 * Server-Timing says how long the view took here, apart from the network and the client.
 */
async function respond(compute: () => Promise<ViewResponse>): Promise<Response> {
  const start = performance.now();
  const view = await compute();
  const headers = new Headers({
    'content-type': 'application/json',
    'server-timing': `view;dur=${(performance.now() - start).toFixed(3)}`,
  });
  for (const w of view.warnings) headers.append('warning', `299 - ${JSON.stringify(w.replace(/[^\x20-\x7e]/g, '?'))}`);
  // Graphs are maps keyed by namespace, with no room for more fields: every view says its age here too.
  if (view.lastSyncTime !== undefined) headers.set('x-kore-last-sync-time', view.lastSyncTime);
  headers.set('x-kore-stale', String(view.stale));
  return new Response(view.json, { status: 200, headers });
}

export function viewsRoutes(views: ViewStore): Hono {
  const app = new Hono();

  // A user (`--auth user`) is shown what they may list (lib/views/visible.ts); the owner everything.
  const topology = async (c: Context) => respond(() => views.topology(cluster(c), namespaceOf(c), principalOf(c)));
  for (const path of ['/topology', '/graph/topology', '/topology/namespaces/:ns', '/graph/topology/namespaces/:ns'])
    app.get(path, topology);

  app.get('/dashboard', async (c) => respond(() => views.dashboard(cluster(c), principalOf(c))));

  const workloads = async (c: Context) => respond(() => views.workloads(cluster(c), namespaceOf(c), principalOf(c)));
  app.get('/graph/workloads', workloads);
  app.get('/graph/workloads/namespaces/:ns', workloads);

  const network = async (c: Context) => respond(() => views.network(cluster(c), namespaceOf(c), principalOf(c)));
  app.get('/graph/network', network);
  app.get('/graph/network/namespaces/:ns', network);

  app.get('/graph/pod/namespaces/:ns/pods/:pod', async (c) => {
    const ns = labelParam(c.req.param('ns'), 'namespace');
    const pod = subdomainParam(c.req.param('pod'), 'pod name');
    return respond(() => views.pod(cluster(c), ns, pod, principalOf(c)));
  });
  return app;
}
