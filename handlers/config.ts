import { Hono } from 'hono';
import type { ClusterRegistry } from '../lib/clusters/types';

/** Mounted at `/api/v1`. `PATCH /config` reads the kubeconfig files again and says which contexts changed. */
export function configRoutes(registry: ClusterRegistry): Hono {
  const app = new Hono();
  app.patch('/config', async (c) => {
    const change = await registry.reload();
    return c.json({ reloaded: true, changed: change.changed, contexts: registry.contexts().map((x) => x.name) });
  });
  return app;
}
