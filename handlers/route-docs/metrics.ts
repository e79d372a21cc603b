import * as v from 'valibot';
import type { RouteDoc } from '../../lib/openapi/document';
import { SERIES, ok } from './common';

/** handlers/metrics.ts: the spec's Metrics-Scraper routes (mounted with a metrics source). */

const NAMES = v.pipe(v.string(), v.description('A name, or a comma list of names.'));
const SERIES_ANSWER = ok('The series, oldest first.', SERIES);
const PODS = '/api/v1/clusters/:cluster/namespaces/:ns/pods/:pod';
/** The namespace is not checked here: a series of a name no pod has is a 404. */
const POD_PARAMS = { ns: v.string(), pod: NAMES };

export const METRICS_DOCS: readonly RouteDoc[] = [
  { method: 'GET', route: '/api/v1/clusters/:cluster', summary: 'The cluster’s series.', answers: [SERIES_ANSWER] },
  {
    method: 'GET',
    route: '/api/v1/clusters/:cluster/status',
    summary: 'Which source answers and how collecting goes.',
    answers: [
      ok('The status.', v.looseObject({ context: v.string(), source: v.string(), available: v.optional(v.boolean()) })),
    ],
  },
  {
    method: 'GET',
    route: '/api/v1/clusters/:cluster/nodes/:node',
    summary: 'A node’s series (a comma list: summed).',
    params: { node: NAMES },
    answers: [SERIES_ANSWER],
  },
  {
    method: 'GET',
    route: PODS,
    summary: 'A pod’s series (a comma list: summed).',
    params: POD_PARAMS,
    answers: [SERIES_ANSWER],
  },
  {
    method: 'GET',
    route: `${PODS}/:op`,
    summary: 'Pods’ series combined by op.',
    params: POD_PARAMS,
    answers: [SERIES_ANSWER],
  },
];
