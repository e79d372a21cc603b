import { Hono } from 'hono';
import type { ClusterApi } from '../lib/apply/cluster-apis';
import type { ClusterRegistry } from '../lib/clusters/types';
import { describeContext } from '../lib/contexts/context-details';

const DESCRIBE_TIMEOUT_MS = 8_000;

export interface ContextsDeps {
  registry: ClusterRegistry;
  clusterApi(context: string): ClusterApi;
}

/** `GET /api/contexts/:cluster`: version, platform, namespaces and resources of one context. */
export function contextsRoutes(deps: ContextsDeps): Hono {
  const app = new Hono();
  app.get('/api/contexts/:cluster', async (c) => {
    const name = c.req.param('cluster');
    const connection = deps.registry.connection(name);
    const { call, discovery } = deps.clusterApi(name);
    const details = await describeContext(name, connection.server.href, call, discovery, DESCRIBE_TIMEOUT_MS);
    // As the original backend did: what could be read, with `error` saying what could not.
    return c.json(details, details.error === undefined ? 200 : 206);
  });
  return app;
}
