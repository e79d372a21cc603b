import { Hono } from 'hono';
import * as v from 'valibot';
import type { ClusterApi } from '../lib/kube/cluster-apis';
import type { ClusterRegistry } from '../lib/clusters/types';
import { kubeconfigForContext } from '../lib/contexts/added-context';
import { describeContext, namespaceNames } from '../lib/contexts/context-details';
import type { ContextStore } from '../lib/contexts/context-store';
import { StatusError } from '../lib/errors';
import { connectionAs } from '../lib/clusters/principal-connection';
import { clusterApiAs } from '../lib/kube/principal-apis';
import { readStructuredBody } from './body';
import { principalOf } from './principal-of';
import { contextList } from './clusters';

const DESCRIBE_TIMEOUT_MS = 8_000;
const KUBECONFIG_BODY_LIMIT = 1024 * 1024;
/**
 * One cluster and one user: certificates and keys fit many times over. Small enough to decode on the request's
 * own thread (within KUBECONFIG_BUDGET) before the store decodes the kubeconfig made of it in its worker.
 */
const CONTEXT_BODY_LIMIT = 256 * 1024;

export interface ContextsDeps {
  registry: ClusterRegistry;
  clusterApi(context: string): ClusterApi;
  /** Where added contexts are kept; absent where there is no disk (the edge). */
  contextStore: ContextStore | undefined;
}

/** `?redacted=` once lower-cased: Go's strconv.ParseBool's words (the original backend's flag); empty is true. */
export const REDACTED_FLAG = v.picklist(['', '1', 't', 'true', '0', 'f', 'false']);

/** `?redacted=`, absent is true. */
function redactedFlag(value: string | undefined): boolean {
  const word = value?.toLowerCase() ?? '';
  if (v.is(REDACTED_FLAG, word)) return !['0', 'f', 'false'].includes(word);
  throw new StatusError('BadRequest', `redacted must be true or false, not ${JSON.stringify(value)}`);
}

/**
 * Mounted at `/api/contexts`, in the shapes the Kore Board web UI reads. `GET /` lists the contexts (as
 * `GET /api/clusters` does); `POST /` adds the contexts of a kubeconfig, `POST /:cluster` one context from the
 * "Add a cluster" form. `GET /:cluster`: version, platform, namespaces and resources of one context;
 * `GET /:cluster/namespaces` its namespaces; `GET /:cluster/config` its kubeconfig entries, redacted;
 * `DELETE /:cluster` removes an added one. A context name may hold `/` (as %2F), `@` and `:`.
 */
export function contextsRoutes(deps: ContextsDeps): Hono {
  const app = new Hono();
  const names = () => deps.registry.contexts().map((x) => x.name);
  app.get('/', (c) => c.json(contextList(deps.registry)));
  app.get('/:cluster', async (c) => {
    const name = c.req.param('cluster');
    const principal = principalOf(c);
    const connection = connectionAs(deps.registry, name, principal);
    const { call, discovery } = clusterApiAs(deps.clusterApi, deps.registry, name, principal);
    const { currentContext, error } = await describeContext(
      name,
      connection.server.href,
      call,
      discovery,
      DESCRIBE_TIMEOUT_MS,
    );
    // As the original backend did: what could be read, with `error` saying what could not.
    if (error === undefined) return c.json({ contexts: names(), currentContext });
    return c.json({ contexts: names(), currentContext, error }, 206);
  });
  app.get('/:cluster/namespaces', async (c) => {
    const name = c.req.param('cluster');
    const namespaces = await namespaceNames(connectionAs(deps.registry, name, principalOf(c)), DESCRIBE_TIMEOUT_MS);
    return c.json({ currentContext: name, namespaces });
  });
  app.get('/:cluster/config', (c) => {
    const name = c.req.param('cluster');
    if (!redactedFlag(c.req.query('redacted'))) {
      // The original printed the secrets with redacted=false; whoever reaches kore-board must not get them.
      throw new StatusError(
        'Forbidden',
        'kore-board never returns credentials: a context configuration is shown only redacted',
        { kind: 'Context', name },
      );
    }
    return c.json(deps.registry.kubeconfigEntries(name));
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
    return c.json({ added, contexts: names() }, 201);
  });
  app.post('/:cluster', async (c) => {
    const name = c.req.param('cluster');
    const { bytes } = await readStructuredBody(c.req.raw, CONTEXT_BODY_LIMIT);
    const kubeconfig = kubeconfigForContext(name, new TextDecoder().decode(bytes));
    // A name already served, from any source, is a 409 from the store (the original silently renamed the new
    // context instead, so the UI's name named something else).
    await store().add(kubeconfig);
    return c.json({ contexts: names(), currentContext: deps.registry.currentContext() ?? null }, 201);
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
