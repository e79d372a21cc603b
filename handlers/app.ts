import { Hono } from 'hono';
import { settle, type AdmissionPolicy, type SettledPolicy } from '../lib/admission';
import { createAccessReviews } from '../lib/auth/access-reviews';
import type { Clock } from '../lib/clock';
import type { ClusterRegistry } from '../lib/clusters/types';
import { StatusError } from '../lib/errors';
import type { Logger } from '../lib/log';
import { clusterApis, type ClusterApis } from '../lib/kube/cluster-apis';
import type { ContextStore } from '../lib/contexts/context-store';
import { inlineDecoder, type BodyDecoder } from '../lib/decode/decoder';
import type { ViewStore } from '../lib/views/store';
import type { MetricsSource } from '../lib/metrics/types';
import type { TelemetryExposition } from '../lib/telemetry/registry';
import type { ForwardOptions } from '../lib/proxy/forward';
import { applyRoutes, currentContextApplyRoutes } from './apply';
import { authRoutes } from './auth';
import { clustersRoutes } from './clusters';
import { configRoutes } from './config';
import { metricsRoutes } from './metrics';
import { terminalRoutes, type TerminalDeps } from './terminal';
import { uiMetricsRoutes } from './ui-metrics';
import { contextsRoutes } from './contexts';
import { admission } from './middleware/admission';
import { cors } from './middleware/cors';
import { routeReport, type RouteSeen } from './middleware/route-report';
import { openapiRoutes } from './openapi';
import { opsRoutes } from './ops';
import { rawRoutes } from './raw';
import { telemetryRoutes } from './telemetry';
import { renderError, statusResponse } from './status-response';
import { viewsRoutes } from './views';

/** Host names, trusted origins (CORS) and how callers sign in: what every entrance checks. */
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
  /**
   * A web UI's files (on Node, lib/node/ui-files.ts from `--ui-dir`), mounted at `/` after every API route: it then
   * serves `/` instead of the JSON index, and admission lets GET/HEAD of non-API paths through without the token.
   */
  ui?: Hono;
  /** cpu/memory time series (the embedded store, or Prometheus); absent: no metrics routes. */
  metrics?: MetricsSource;
  /** kore-board's own metrics in the Prometheus text format; absent: no `GET /metrics`. */
  telemetry?: TelemetryExposition;
  /** The web terminal's tokens (and the kubectl shell, where it runs); absent: no terminal routes. */
  terminal?: TerminalDeps;
  /**
   * The `/raw` route's forwarding (timeouts, the telemetry it reports to) and `--max-body`, which apply's body limit
   * follows too. Default: DEFAULT_FORWARD_OPTIONS.
   */
  forward?: ForwardOptions;
  /** Told each request's route pattern and user (request metrics, the access log). Default: nobody. */
  routeSeen?: RouteSeen;
  /** The contexts' clients and discovery caches, when the caller counts them. Default: made here. */
  clusterApi?: ClusterApis;
}

/**
 * Builds the whole HTTP API. Pure Fetch-API: no Node objects, so any runtime can serve it.
 * The root is the URL map: each area is a sub-app mounted at its prefix, with paths relative to it.
 * On Node, `/raw` requests and upgrades are answered before this app (lib/node/server.ts); see docs/architecture.md.
 */
export function createApp(deps: AppDeps): Hono {
  const security = settle(deps.security);
  const app = guarded(security, deps.ui !== undefined, deps.routeSeen);
  const { registry } = deps;
  const clusterApi = deps.clusterApi ?? clusterApis(registry);
  const decoder = deps.decoder ?? inlineDecoder;
  const access = createAccessReviews({ clock: deps.clock }); // what a user (--auth user) may do, asked with their token

  app.route('/', opsRoutes(registry, { index: deps.ui === undefined })); // /  /healthz  /healthy  /readyz
  if (deps.telemetry !== undefined) app.route('/', telemetryRoutes(deps.telemetry)); // GET /metrics: kore-board's own
  app.route('/', openapiRoutes(app)); // GET /openapi.json: every route, described (listed at its first request)
  app.route('/api/auth', authRoutes(security.auth)); // the web UI's sign-in
  app.route('/api/clusters', clustersRoutes(registry)); // the context list
  app.route('/api/clusters/:cluster', viewsRoutes(deps.views)); // topology, dashboard, graphs
  if (deps.metrics !== undefined) app.route('/api/clusters/:cluster', uiMetricsRoutes(registry, deps.metrics)); // the UI's metrics
  app.route('/api/contexts', contextsRoutes({ registry, clusterApi, contextStore: deps.contextStore }));
  if (deps.terminal !== undefined)
    app.route('/api/terminal/clusters/:cluster', terminalRoutes(registry, deps.terminal, access)); // terminal tokens
  app.route('/api/v1', configRoutes(registry)); // PATCH /config: reload the kubeconfig
  if (deps.metrics !== undefined) app.route('/api/v1/clusters', metricsRoutes(registry, deps.metrics, access)); // the spec's Metrics-Scraper
  // Same prefix, in this order: the catch-all would take POST/PUT /raw/clusters/:cluster (apply) if it came first.
  const maxBodyBytes = deps.forward?.maxBodyBytes;
  app.route('/raw/clusters', applyRoutes({ registry, clusterApi, decoder, maxBodyBytes }));
  app.route('/raw/clusters', rawRoutes(registry, deps.forward)); // /raw/clusters/* (the cluster's API)
  app.route('/raw', currentContextApplyRoutes({ registry, clusterApi, decoder, maxBodyBytes })); // POST/PUT /raw: the current context
  // Last: the UI answers any GET it has a file or a client route for, so every API route must come before it.
  if (deps.ui !== undefined) app.route('/', deps.ui);
  return answeringErrors(app, deps.log);
}

/** The spec's metrics routes alone, for `--metrics-listen` (the spec's `localhost:8000`), behind the same guards. */
export function createMetricsApp(
  deps: Pick<AppDeps, 'registry' | 'security' | 'log'> & { metrics: MetricsSource },
): Hono {
  const app = guarded(settle(deps.security), false);
  app.route('/api/v1/clusters', metricsRoutes(deps.registry, deps.metrics));
  return answeringErrors(app, deps.log);
}

/** CORS first, so a browser can read even a rejection; then admission guards every route. */
function guarded(security: SettledPolicy, uiFiles: boolean, routeSeen?: RouteSeen): Hono {
  const app = new Hono();
  if (routeSeen !== undefined) app.use('*', routeReport(routeSeen)); // around all: it sees rejections too
  app.use('*', cors(security.allowOrigins));
  app.use('*', admission(security, { uiFiles }));
  return app;
}

/** Unknown paths and thrown errors as Kubernetes Status objects. */
function answeringErrors(app: Hono, log: Logger): Hono {
  app.notFound((c) =>
    statusResponse(
      new StatusError(
        'NotFound',
        `the server could not find the requested resource: ${c.req.method} ${c.req.path}`,
      ).toStatus(),
    ),
  );
  app.onError((err, c) =>
    renderError(err, (e) => log.error('unexpected error', { path: c.req.path, error: String(e) })),
  );
  return app;
}
