/**
 * `GET /api/v1/nodes/NAME/proxy/stats/summary`: the kubelet's stats summary through the API server's node proxy.
 * 404 for an unknown node, 503 when the node's kubelet is unreachable (NotReady), as kube-apiserver answers.
 */
import type { ServerResponse } from 'node:http';
import { StatusError } from '../../errors';
import { nodeStatsSummary } from '../runtime/node-stats';
import type { SimStore } from '../store/store';
import { methodNotAllowed, sendJson } from './io';

const SUMMARY_PATH = /^\/api\/v1\/nodes\/([^/]+)\/proxy\/stats\/summary\/?$/;

/** Answers `path` when it is a node's stats summary; false otherwise. */
export function serveNodeStats(path: string, method: string, store: SimStore, res: ServerResponse): boolean {
  const match = SUMMARY_PATH.exec(path);
  if (match === null) return false;
  if (method !== 'GET') throw methodNotAllowed();
  const name = decodeURIComponent(match[1]!);
  const node = store.get('nodes', undefined, name);
  if (node === undefined) throw new StatusError('NotFound', `nodes "${name}" not found`, { name, kind: 'nodes' });
  const summary = nodeStatsSummary(node, store.clock.now());
  if (summary === undefined)
    throw new StatusError(
      'ServiceUnavailable',
      `error trying to reach service: dial tcp: connect: no route to host (node ${JSON.stringify(name)} is not Ready)`,
    );
  sendJson(res, 200, summary);
  return true;
}
