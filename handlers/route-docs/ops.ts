import * as v from 'valibot';
import type { RouteDoc } from '../../lib/openapi/document';
import { ok, text } from './common';

/** handlers/ops.ts, handlers/telemetry.ts, handlers/openapi.ts and handlers/config.ts. */
export const OPS_DOCS: readonly RouteDoc[] = [
  {
    method: 'GET',
    route: '/',
    summary: 'Where the API starts (served when no web UI is).',
    answers: [ok('The index.', v.object({ name: v.string(), contexts: v.string(), proxy: v.string() }))],
  },
  { method: 'GET', route: '/healthz', summary: 'Liveness.', answers: [text('ok')] },
  { method: 'GET', route: '/healthy', summary: 'Liveness (the original backend’s name).', answers: [text('ok')] },
  {
    method: 'GET',
    route: '/readyz',
    summary: 'How many contexts loaded.',
    answers: [text('ok: <usable>/<all> contexts loaded')],
  },
  {
    method: 'GET',
    route: '/metrics',
    summary: 'kore-board’s own metrics.',
    answers: [text('The Prometheus text exposition format.', 'text/plain; version=0.0.4')],
  },
  {
    method: 'GET',
    route: '/openapi.json',
    summary: 'This document.',
    answers: [
      ok('OpenAPI 3.1.', v.looseObject({ openapi: v.string(), info: v.looseObject({}), paths: v.looseObject({}) })),
    ],
  },
  {
    method: 'PATCH',
    route: '/api/v1/config',
    summary: 'Read the kubeconfig files again.',
    answers: [
      ok(
        'Which contexts changed.',
        v.object({ reloaded: v.boolean(), changed: v.array(v.string()), contexts: v.array(v.string()) }),
      ),
    ],
  },
];
