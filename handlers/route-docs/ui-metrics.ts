import * as v from 'valibot';
import type { RouteDoc } from '../../lib/openapi/document';
import { DNS_SUBDOMAIN } from '../path-names';
import { SERIES, ok } from './common';

/** handlers/ui-metrics.ts: the web UI's metrics routes (mounted with a metrics source). */

const USAGE = v.object({ cpu: v.number(), memory: v.number() });
const BOUNDED = v.object({ allocatable: USAGE, capacity: USAGE, metrics: SERIES });
const PODS = v.object({ pods: v.array(v.looseObject({})) });
/** A workload's namespace is read as a subdomain there (handlers/ui-metrics.ts). */
const WORKLOAD_PARAMS = { ns: DNS_SUBDOMAIN };

export const UI_METRICS_DOCS: readonly RouteDoc[] = [
  {
    method: 'GET',
    route: '/api/clusters/:cluster/metrics',
    summary: 'The cluster’s series.',
    answers: [ok('Series.', BOUNDED)],
  },
  {
    method: 'GET',
    route: '/api/clusters/:cluster/nodes',
    summary: 'Node rows with live usage.',
    answers: [
      ok(
        'Nodes by name and the summary.',
        v.object({ nodes: v.record(v.string(), v.looseObject({})), summary: v.looseObject({}) }),
      ),
    ],
  },
  {
    method: 'GET',
    route: '/api/clusters/:cluster/nodes/:node/metrics',
    summary: 'A node’s series.',
    answers: [ok('Series.', BOUNDED)],
  },
  {
    method: 'GET',
    route: '/api/clusters/:cluster/nodes/:node/pods',
    summary: 'A node’s pods.',
    answers: [ok('Pod rows.', PODS)],
  },
  {
    method: 'GET',
    route: '/api/clusters/:cluster/namespaces/:ns/:resource/:name/metrics',
    summary: 'A workload’s series with its pods’ requests and limits.',
    params: WORKLOAD_PARAMS,
    answers: [ok('Series.', v.object({ requests: USAGE, limits: USAGE, metrics: SERIES }))],
  },
  {
    method: 'GET',
    route: '/api/clusters/:cluster/namespaces/:ns/:resource/:name/pods',
    summary: 'A workload’s pods.',
    params: WORKLOAD_PARAMS,
    answers: [ok('Pod rows.', PODS)],
  },
];
