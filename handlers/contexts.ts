import { Hono } from 'hono';
import type { ClusterApi } from '../lib/kube/cluster-apis';
import type { ClusterRegistry } from '../lib/clusters/types';
import { describeContext } from '../lib/contexts/context-details';
import type { ContextStore } from '../lib/contexts/context-store';
import { StatusError } from '../lib/errors';
import { readStructuredBody } from './body';
import { contextList } from './clusters';

const DESCRIBE_TIMEOUT_MS = 8_000;
const KUBECONFIG_BODY_LIMIT = 1024 * 1024;

export interface ContextsDeps {
  registry: ClusterRegistry;
  clusterApi(context: string): ClusterApi;
  /** Where added contexts are kept; absent where there is no disk (the edge). */
  contextStore: ContextStore | undefined;
}

/**
 * Mounted at `/api/contexts`. `GET /` lists the contexts (as `GET /api/clusters` does: the name the original
 * frontend calls); `POST /` adds the contexts of a kubeconfig. `GET /:cluster`: version, platform, namespaces
 * and resources of one context; `DELETE /:cluster` removes an added one.
 */
export function contextsRoutes(deps: ContextsDeps): Hono {
  const app = new Hono();
  app.get('/', (c) => c.json(contextList(deps.registry)));
  app.get('/:cluster', async (c) => {
    const name = c.req.param('cluster');
    const connection = deps.registry.connection(name);
    const { call, discovery } = deps.clusterApi(name);
    const details = await describeContext(name, connection.server.href, call, discovery, DESCRIBE_TIMEOUT_MS);
    // As the original backend did: what could be read, with `error` saying what could not.
    return c.json(details, details.error === undefined ? 200 : 206);
  });
  const store = () => {
    if (deps.contextStore === undefined)
      throw new StatusError('MethodNotAllowed', 'this deployment has no place to keep added contexts');
    return deps.contextStore;
  };
  app.post('/', async (c) => {
    // Either media type is read as YAML 1.1, JSON included, as client-go reads a kubeconfig.
    const { bytes } = await readStructuredBody(c.req.raw, KUBECONFIG_BODY_LIMIT);
    const added = await store().add(new TextDecoder().decode(bytes));
    return c.json({ added, contexts: deps.registry.contexts().map((x) => x.name) }, 201);
  });
  app.delete('/:cluster', async (c) => {
    const name = c.req.param('cluster');
    await store().remove(name);
    return c.json({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name, kind: 'Context' },
      code: 200,
    });
  });
  return app;
}
