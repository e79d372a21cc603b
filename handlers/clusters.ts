import { Hono } from 'hono';
import type { ClusterRegistry } from '../lib/clusters/types';

/** Every context the registry knows, with what could not be loaded; `GET /api/clusters` and `GET /api/contexts`. */
export function contextList(registry: ClusterRegistry) {
  const clusters = registry.contexts();
  return {
    contexts: clusters.map((c) => c.name),
    currentContext: registry.currentContext() ?? null,
    clusters: clusters.map(({ name, cluster, server, user, namespace, inCluster, error }) =>
      error === undefined
        ? { name, cluster, server, user, namespace, inCluster }
        : { name, cluster, server, user, namespace, inCluster, error },
    ),
  };
}

/** Mounted at `/api/clusters`: `GET /` lists the contexts (the per-cluster views are handlers/views.ts). */
export function clustersRoutes(registry: ClusterRegistry): Hono {
  const app = new Hono();
  app.get('/', (c) => c.json(contextList(registry)));
  return app;
}
