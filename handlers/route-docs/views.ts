import * as v from 'valibot';
import type { RouteDoc } from '../../lib/openapi/document';
import { DNS_LABEL } from '../path-names';
import { ok } from './common';

/** handlers/views.ts: computed views of a cluster. Every answer carries X-Kore-Last-Sync-Time and X-Kore-Stale. */

const NAMESPACE_QUERY = { namespace: v.pipe(DNS_LABEL, v.description('Only this namespace (as the path’s :ns).')) };
/** The age an object-shaped view carries in its body too (README: the views' lastSyncTime and stale). */
const AGE = {
  lastSyncTime: v.optional(v.pipe(v.string(), v.description('When the cache last heard from the cluster (RFC 3339).'))),
  stale: v.pipe(v.boolean(), v.description('A watch the view depends on is broken: the last known state.')),
};
const TOPOLOGY = v.looseObject({ nodes: v.array(v.looseObject({})), links: v.array(v.looseObject({})), ...AGE });
const BY_NAMESPACE = v.pipe(v.record(v.string(), v.unknown()), v.description('A graph per namespace.'));

/** A view with and without `/namespaces/:ns`, the namespace also as `?namespace=`. */
const scoped = (route: string, summary: string, schema: v.GenericSchema): RouteDoc[] => [
  { method: 'GET', route, summary, query: NAMESPACE_QUERY, answers: [ok('The view.', schema)] },
  {
    method: 'GET',
    route: `${route}/namespaces/:ns`,
    summary: `${summary} One namespace.`,
    answers: [ok('The view.', schema)],
  },
];

export const VIEWS_DOCS: readonly RouteDoc[] = [
  ...scoped('/api/clusters/:cluster/topology', 'Nodes, pods and containers as a graph.', TOPOLOGY),
  ...scoped('/api/clusters/:cluster/graph/topology', 'The topology (the original backend’s second path).', TOPOLOGY),
  {
    method: 'GET',
    route: '/api/clusters/:cluster/dashboard',
    summary: 'Counts and the newest problems.',
    answers: [
      ok(
        'The dashboard.',
        v.looseObject({
          nodes: v.object({ ready: v.number(), total: v.number() }),
          namespaces: v.number(),
          problems: v.array(v.looseObject({})),
          problemsTotal: v.number(),
          ...AGE,
        }),
      ),
    ],
  },
  ...scoped('/api/clusters/:cluster/graph/workloads', 'Workloads and their pods.', BY_NAMESPACE),
  ...scoped('/api/clusters/:cluster/graph/network', 'Services, ingresses and their pods.', BY_NAMESPACE),
  {
    method: 'GET',
    route: '/api/clusters/:cluster/graph/pod/namespaces/:ns/pods/:pod',
    summary: 'One pod and what it uses.',
    answers: [ok('The pod’s graph.')],
  },
];
