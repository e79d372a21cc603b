import { Hono } from 'hono';
import type { ClusterRegistry } from '../lib/clusters/types';

/** Liveness and readiness for process supervisors and Kubernetes probes; `/`, where the login URL lands. */
export function opsRoutes(registry: ClusterRegistry): Hono {
  const app = new Hono();
  app.get('/', (c) =>
    c.json({ name: 'kore-board', contexts: '/api/contexts', proxy: '/raw/clusters/{context}/{Kubernetes API path}' }),
  );
  app.get('/healthz', (c) => c.text('ok'));
  app.get('/readyz', (c) => {
    const contexts = registry.contexts();
    const usable = contexts.filter((x) => x.error === undefined).length;
    return c.text(`ok: ${usable}/${contexts.length} contexts loaded`);
  });
  return app;
}
