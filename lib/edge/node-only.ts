import { Hono } from 'hono';
import type { ContextStore } from '../contexts/context-store';
import { StatusError } from '../errors';

/**
 * What the edge worker cannot serve, answered 501 with the reason instead of the 404 of a route that is not there:
 * everything here needs a process that outlives a request, sockets, or a file.
 */

const TERMINAL =
  'the web terminal needs a websocket server and exec upgrades to the cluster, which the edge worker has not';
const METRICS =
  'metrics come from the embedded store (a scraper that runs between requests) or from Prometheus through a Node client; the edge worker runs neither';
const TELEMETRY = "kore-board's own metrics count one process's work; an edge worker has no such process";
const ADDED_CONTEXTS =
  'the edge worker keeps no added contexts: its clusters are the kubeconfig in its KUBECONFIG secret (wrangler secret put KUBECONFIG)';

const NODE_ONLY_ROUTES: ReadonlyArray<readonly [path: string, reason: string]> = [
  ['/api/terminal/*', TERMINAL],
  ['/api/clusters/:cluster/metrics', METRICS],
  ['/api/clusters/:cluster/nodes', METRICS],
  ['/api/clusters/:cluster/nodes/*', METRICS],
  ['/api/clusters/:cluster/namespaces/:ns/:resource/:name/metrics', METRICS],
  ['/api/clusters/:cluster/namespaces/:ns/:resource/:name/pods', METRICS],
  ['/api/v1/clusters/*', METRICS],
  ['/metrics', TELEMETRY],
];

/** Mounted on the app after its own routes, so it only takes paths the app left out (no metrics, no terminal). */
export function nodeOnlyRoutes(): Hono {
  const app = new Hono();
  for (const [path, reason] of NODE_ONLY_ROUTES)
    app.all(path, () => {
      throw new StatusError('NotImplemented', reason);
    });
  return app;
}

/** POST and DELETE /api/contexts: refused with the reason. */
export const noContextStore: ContextStore = {
  path: 'KUBECONFIG',
  add: () => Promise.reject(new StatusError('NotImplemented', ADDED_CONTEXTS)),
  remove: () => Promise.reject(new StatusError('NotImplemented', ADDED_CONTEXTS)),
};
