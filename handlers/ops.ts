import { Hono } from 'hono';
import type { ClusterRegistry } from '../lib/clusters/types';

/**
 * Liveness and readiness for process supervisors and Kubernetes probes (`/healthy` is the original Kore Board's
 * name for liveness); `/`, where the login URL lands, says where things are — unless a web UI is served (`--ui-dir`),
 * whose index.html is `/` then (`index: false`).
 */
export function opsRoutes(registry: ClusterRegistry, { index = true } = {}): Hono {
  const app = new Hono();
  if (index)
    app.get('/', (c) =>
      c.json({ name: 'kore-board', contexts: '/api/contexts', proxy: '/raw/clusters/{context}/{Kubernetes API path}' }),
    );
  app.get('/healthz', (c) => c.text('ok'));
  app.get('/healthy', (c) => c.text('ok'));
  app.get('/readyz', (c) => {
    const contexts = registry.contexts();
    const usable = contexts.filter((x) => x.error === undefined).length;
    return c.text(`ok: ${usable}/${contexts.length} contexts loaded`);
  });
  return app;
}
