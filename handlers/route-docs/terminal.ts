import * as v from 'valibot';
import type { RouteDoc } from '../../lib/openapi/document';
import { TERMTYPES } from '../terminal';
import { ok } from './common';

/** handlers/terminal.ts: a token for the terminal websocket (`/api/terminal/ws`, an upgrade outside this document). */

const TOKEN = ok('A single-use token.', v.object({ Success: v.boolean(), Token: v.string() }));
const PREFIX = '/api/terminal/clusters/:cluster';

export const TERMINAL_DOCS: readonly RouteDoc[] = [
  {
    method: 'GET',
    route: `${PREFIX}/termtype/:termtype`,
    summary: 'The kubectl shell of a context.',
    params: { termtype: TERMTYPES.cluster },
    answers: [TOKEN],
  },
  {
    method: 'GET',
    route: `${PREFIX}/namespaces/:ns/pods/:pod/termtype/:termtype`,
    summary: 'A shell in a pod’s default container.',
    params: { termtype: TERMTYPES.pod },
    answers: [TOKEN],
  },
  {
    method: 'GET',
    route: `${PREFIX}/namespaces/:ns/pods/:pod/containers/:container/termtype/:termtype`,
    summary: 'A shell in a container.',
    params: { termtype: TERMTYPES.container },
    answers: [TOKEN],
  },
];
