import { Hono } from 'hono';
import type { AdmissionPolicy } from '../lib/admission';
import type { Clock } from '../lib/clock';
import type { ClusterRegistry } from '../lib/clusters/types';
import { StatusError } from '../lib/errors';
import type { Logger } from '../lib/log';
import { clusterApis } from '../lib/kube/cluster-apis';
import type { ContextStore } from '../lib/contexts/context-store';
import { inlineDecoder, type BodyDecoder } from '../lib/decode/decoder';
import type { ViewStore } from '../lib/views/store';
import { applyRoutes } from './apply';
import { clustersRoutes } from './clusters';
import { contextsRoutes } from './contexts';
import { admission } from './middleware/admission';
import { cors } from './middleware/cors';
import { opsRoutes } from './ops';
import { rawRoutes } from './raw';
import { renderError, statusResponse } from './status-response';
import { viewsRoutes } from './views';

/** Host names, trusted origins (CORS) and the access token: what every entrance checks. */
export type SecurityOptions = AdmissionPolicy;

/** Everything the app needs from outside. Tests and the edge entry pass their own. */
export interface AppDeps {
  registry: ClusterRegistry;
  clock: Clock;
  log: Logger;
  security: SecurityOptions;
  /** Where contexts added through the API are kept; absent: adding and deleting are refused. */
  contextStore?: ContextStore;
  /** Topology/dashboard/graph views with their watch caches; the caller made it and closes it. */
  views: ViewStore;
  /** Decodes request bodies within their budgets. Default: on the calling thread (Node passes a worker-backed one). */
  decoder?: BodyDecoder;
}

/** Builds the whole HTTP API. Pure Fetch-API: no Node objects, so any runtime can serve it. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  // CORS first, so a browser can read even a rejection; then admission guards every route.
  app.use('*', cors(deps.security.allowOrigins));
  app.use('*', admission(deps.security));
  app.route('/', opsRoutes(deps.registry));
  app.route('/', clustersRoutes(deps.registry));
  const clusterApi = clusterApis(deps.registry);
  app.route('/', applyRoutes({ registry: deps.registry, clusterApi, decoder: deps.decoder ?? inlineDecoder }));
  app.route('/', contextsRoutes({ registry: deps.registry, clusterApi, contextStore: deps.contextStore }));
  app.route('/', viewsRoutes(deps.views));
  app.route('/', rawRoutes(deps.registry));
  app.notFound((c) =>
    statusResponse(
      new StatusError(
        'NotFound',
        `the server could not find the requested resource: ${c.req.method} ${c.req.path}`,
      ).toStatus(),
    ),
  );
  app.onError((err, c) =>
    renderError(err, (e) => deps.log.error('unexpected error', { path: c.req.path, error: String(e) })),
  );
  return app;
}
