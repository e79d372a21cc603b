import type { HttpBindings } from '@hono/node-server';
import type { Registry } from 'prom-client';
import type { RouteSeen } from '../../handlers/middleware/route-report';
import type { ClusterRegistry } from '../clusters/types';
import { clusterApis, type ClusterApis } from '../kube/cluster-apis';
import { DEFAULT_FORWARD_OPTIONS, type ForwardOptions } from '../proxy/forward';
import { RAW_PREFIX } from '../proxy/raw-target';
import type { AccessLog } from '../telemetry/access-log';
import { registerCacheMetrics } from '../telemetry/cache-metrics';
import { registerHttpMetrics, UNMATCHED_ROUTE } from '../telemetry/http-metrics';
import { registerProxyMetrics } from '../telemetry/proxy-metrics';
import { registerTerminalMetrics, type TerminalSessions } from '../telemetry/terminal-metrics';
import type { ViewStore } from '../views/store';
import { requestObserver, upgradeRoute, type RequestObserver } from './request-observer';

/** What the server's parts are given so that their requests, watches, errors and caches show in `/metrics` and the access log. */
export interface ServerTelemetry {
  /** The caller's forward options, with the proxy's telemetry added. */
  forward: ForwardOptions;
  observer: RequestObserver | undefined;
  routeSeen: RouteSeen | undefined;
  clusterApi: ClusterApis;
  /** Counts the web terminal's sessions, once it exists. */
  terminal(sessions: TerminalSessions): void;
}

export interface ServerTelemetryOptions {
  /** kore-board's own metrics (`GET /metrics`); absent: nothing is counted. */
  metrics: Registry | undefined;
  accessLog: AccessLog | undefined;
  registry: ClusterRegistry;
  views: ViewStore;
  forward: ForwardOptions | undefined;
}

export function serverTelemetry(options: ServerTelemetryOptions): ServerTelemetry {
  const { metrics, accessLog, views } = options;
  const forward = options.forward ?? DEFAULT_FORWARD_OPTIONS;
  const clusterApi = clusterApis(options.registry);
  const observe = (observer: RequestObserver | undefined): ServerTelemetry => ({
    forward,
    observer,
    routeSeen:
      observer &&
      ((c, route, user) => observer.routed((c.env as HttpBindings).incoming, route ?? UNMATCHED_ROUTE, user)),
    clusterApi,
    terminal: () => undefined,
  });
  const fastPathRoute = upgradeRoute(RAW_PREFIX);
  if (metrics === undefined)
    return observe(accessLog && requestObserver({ metrics: undefined, accessLog, fastPathRoute }));
  const sizes = () => views.cacheSizes();
  const telemetry = registerProxyMetrics(metrics, () => sizes().map((s) => [s.context, s.watches] as const));
  registerCacheMetrics(metrics, {
    viewObjects: () => sizes().map((s) => [s.context, s.objects] as const),
    discoveryEntries: () => clusterApi.cached(),
  });
  const http = registerHttpMetrics(metrics);
  return {
    ...observe(requestObserver({ metrics: http, accessLog, fastPathRoute })),
    forward: { ...forward, telemetry },
    terminal: (sessions) => registerTerminalMetrics(metrics, sessions),
  };
}
