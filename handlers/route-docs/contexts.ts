import * as v from 'valibot';
import { AddContextBody } from '../../lib/contexts/added-context';
import type { RouteDoc } from '../../lib/openapi/document';
import { REDACTED_FLAG } from '../contexts';
import { STATUS, STRUCTURED_TYPES, ok } from './common';

/** handlers/contexts.ts and handlers/clusters.ts: the contexts, as the web UI reads them. */

const NAMES = v.array(v.string());
const LIST = v.object({
  contexts: NAMES,
  currentContext: v.nullable(v.string()),
  clusters: v.array(v.looseObject({})),
});
const KUBECONFIG = v.pipe(v.string(), v.description('A kubeconfig, YAML or JSON, with inline credentials only.'));

export const CONTEXTS_DOCS: readonly RouteDoc[] = [
  { method: 'GET', route: '/api/clusters', summary: 'The contexts.', answers: [ok('The list.', LIST)] },
  { method: 'GET', route: '/api/contexts', summary: 'The contexts.', answers: [ok('The list.', LIST)] },
  {
    method: 'POST',
    route: '/api/contexts',
    summary: 'Add the contexts of a kubeconfig.',
    body: { schema: KUBECONFIG, mediaTypes: STRUCTURED_TYPES, required: true },
    answers: [{ status: 201, description: 'Added.', schema: v.object({ added: NAMES, contexts: NAMES }) }],
  },
  {
    method: 'GET',
    route: '/api/contexts/:cluster',
    summary: 'Version, platform, namespaces and resources of a context.',
    answers: [
      ok('The context.', v.looseObject({ contexts: NAMES, currentContext: v.looseObject({}) })),
      { status: 206, description: 'What could be read, and the error.', schema: v.looseObject({ error: v.string() }) },
    ],
  },
  {
    method: 'GET',
    route: '/api/contexts/:cluster/namespaces',
    summary: 'A context’s namespaces.',
    answers: [ok('Namespaces.', v.object({ currentContext: v.string(), namespaces: NAMES }))],
  },
  {
    method: 'GET',
    route: '/api/contexts/:cluster/config',
    summary: 'A context’s kubeconfig entries, redacted.',
    query: { redacted: v.pipe(REDACTED_FLAG, v.description('Case-insensitive; false is refused (403).')) },
    answers: [ok('The entries.')],
  },
  {
    method: 'POST',
    route: '/api/contexts/:cluster',
    summary: 'Add one context (the web UI’s “Add a cluster” form).',
    body: { schema: AddContextBody, mediaTypes: STRUCTURED_TYPES, required: true },
    answers: [
      {
        status: 201,
        description: 'Added.',
        schema: v.object({ contexts: NAMES, currentContext: v.nullable(v.string()) }),
      },
    ],
  },
  {
    method: 'DELETE',
    route: '/api/contexts/:cluster',
    summary: 'Remove an added context.',
    answers: [ok('A Success Status.', STATUS)],
  },
];
