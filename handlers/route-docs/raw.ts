import * as v from 'valibot';
import type { RouteDoc } from '../../lib/openapi/document';
import { APPLY_QUERY } from '../apply';
import { STRUCTURED_TYPES, ok } from './common';

/** handlers/apply.ts and handlers/raw.ts: applying manifests, and the cluster's own API through /raw. */

const MANIFESTS = v.pipe(
  v.unknown(),
  v.description('One object, a List, or a YAML stream of objects, applied in order.'),
);
const applied = (method: 'POST' | 'PUT', route: string, where: string): RouteDoc => ({
  method,
  route,
  summary: `${method === 'POST' ? 'Create' : 'Create or replace'} the objects in ${where} (?mode=server-side: apply).`,
  query: APPLY_QUERY,
  body: { schema: MANIFESTS, mediaTypes: STRUCTURED_TYPES, required: true },
  answers: [
    ok('The object (one was sent) or a List of them.'),
    { status: 201, description: 'Created: the object or a List.', schema: v.looseObject({}) },
  ],
});

export const RAW_DOCS: readonly RouteDoc[] = [
  applied('POST', '/raw/clusters/:cluster', 'a context'),
  applied('PUT', '/raw/clusters/:cluster', 'a context'),
  applied('POST', '/raw', 'the current context'),
  applied('PUT', '/raw', 'the current context'),
  {
    method: 'ALL',
    route: '/raw/clusters/*',
    template: '/raw/clusters/{cluster}/{path}',
    summary: 'The context’s Kubernetes API, with the context’s credentials (watches and upgrades included).',
    params: { path: v.pipe(v.string(), v.description('The API path, slashes included: api/v1/pods.')) },
    answers: [{ status: 200, description: 'What the API server answers.' }],
  },
];
