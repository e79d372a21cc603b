import { Hono } from 'hono';
import type { ClusterRegistry } from '../lib/clusters/types';

/** `GET /api/clusters` and its alias `/api/contexts` (the name the original frontend calls). */
export function clustersRoutes(registry: ClusterRegistry): Hono {
  const app = new Hono();
  const list = () => {
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
  };
  app.get('/api/clusters', (c) => c.json(list()));
  app.get('/api/contexts', (c) => c.json(list()));
  app.patch('/api/v1/config', async (c) => {
    const change = await registry.reload();
    return c.json({ reloaded: true, changed: change.changed, contexts: registry.contexts().map((x) => x.name) });
  });
  return app;
}
