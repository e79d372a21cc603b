import { Hono, type Context } from 'hono';
import { applyManifests, type ApplyMode } from '../lib/apply/apply';
import type { DiscoveryCache } from '../lib/kube/discovery-cache';
import type { KubeCall } from '../lib/kube/kube-call';
import { invalidValue, namespaceProblem } from '../lib/kube/names';
import * as v from 'valibot';
import type { ClusterRegistry } from '../lib/clusters/types';
import type { BodyDecoder } from '../lib/decode/decoder';
import { StatusError } from '../lib/errors';
import { connectionAs } from '../lib/clusters/principal-connection';
import { clusterApiAs } from '../lib/kube/principal-apis';
import { readStructuredBody } from './body';
import { principalOf } from './principal-of';
import { jsonListResponse } from './json-list';

export const APPLY_BODY_LIMIT = 10 * 1024 * 1024;
const CRD_WAIT_MS = 10_000;

export interface ApplyDeps {
  registry: ClusterRegistry;
  /** A JSON request function bound to a context, and that context's discovery cache. */
  clusterApi(context: string): { call: KubeCall; discovery: DiscoveryCache };
  decoder: BodyDecoder;
  /** `--max-body`. Default: APPLY_BODY_LIMIT. */
  maxBodyBytes?: number;
}

/** The query the apply routes take; /openapi.json documents it from these schemas. */
export const APPLY_QUERY = {
  mode: v.picklist(['server-side', 'client-side']),
  dryRun: v.literal('All'),
  force: v.picklist(['', 'false', 'true', '1']),
  fieldManager: v.string(),
  namespace: v.pipe(v.string(), v.description('For objects that name none; a DNS-1123 label, else 422.')),
};

function flag(value: string | undefined, name: string): boolean {
  if (value === undefined || v.is(APPLY_QUERY.force, value)) return value === 'true' || value === '1';
  throw new StatusError('BadRequest', `${name} must be true or false, got ${JSON.stringify(value)}`);
}

/**
 * Mounted at `/raw/clusters`, before the `/raw` proxy's catch-all: `POST /:cluster` creates, `PUT` creates or
 * replaces; `?mode=server-side` applies server-side. The body is one object, a List, or a YAML stream, applied in order.
 */
export function applyRoutes(deps: ApplyDeps): Hono {
  return applyAt(deps, '/:cluster', (c) => c.req.param('cluster') ?? '');
}

/**
 * Mounted at `/raw`: `POST`/`PUT /raw` apply to the current context, as the original backend's did (the Kore Board
 * UI's "create" page posts there), like kubectl with no `--context`.
 */
export function currentContextApplyRoutes(deps: ApplyDeps): Hono {
  return applyAt(deps, '/', () => {
    const current = deps.registry.currentContext();
    if (current === undefined) {
      throw new StatusError('NotFound', 'no current context is set: apply to /raw/clusters/<context> instead');
    }
    return current;
  });
}

function applyAt(deps: ApplyDeps, path: string, contextOf: (c: Context) => string): Hono {
  const app = new Hono();
  const handle = (method: 'POST' | 'PUT') =>
    app.on(method, path, async (c) => {
      const context = contextOf(c);
      const principal = principalOf(c);
      const connection = connectionAs(deps.registry, context, principal);
      const q = c.req.query();
      const modeParam = q.mode;
      if (modeParam !== undefined && !v.is(APPLY_QUERY.mode, modeParam)) {
        throw new StatusError(
          'BadRequest',
          `mode must be server-side or client-side, got ${JSON.stringify(modeParam)}`,
        );
      }
      if (q.dryRun !== undefined && !v.is(APPLY_QUERY.dryRun, q.dryRun))
        throw new StatusError('BadRequest', `dryRun must be All, got ${JSON.stringify(q.dryRun)}`);
      const namespace = q.namespace || undefined;
      const namespaceWrong = namespace === undefined ? undefined : namespaceProblem(namespace);
      if (namespaceWrong !== undefined) throw invalidValue('the request', 'namespace', namespace, namespaceWrong);
      const mode: ApplyMode = modeParam === 'server-side' ? 'server-side' : method === 'POST' ? 'create' : 'replace';
      const force = flag(q.force, 'force');

      const { bytes, format } = await readStructuredBody(c.req.raw, deps.maxBodyBytes ?? APPLY_BODY_LIMIT);
      const items = await deps.decoder.run('manifests', { body: bytes, format, allowGenerateName: mode === 'create' });
      const { call, discovery } = clusterApiAs(deps.clusterApi, deps.registry, context, principal);
      const result = await applyManifests(
        items,
        {
          mode,
          fieldManager: q.fieldManager || 'kore-board',
          force,
          dryRun: q.dryRun === 'All',
          namespace,
          contextNamespace: connection.context.namespace,
          crdWaitMs: CRD_WAIT_MS,
        },
        call,
        discovery,
      );
      return 'object' in result
        ? c.json(result.object as object, result.status as 200)
        : jsonListResponse(result.items, result.status);
    });
  handle('POST');
  handle('PUT');
  return app;
}
