/**
 * `GET /api/v1/nodes/NAME/proxy/stats/summary`: the kubelet's stats summary through the API server's node proxy.
 * 404 for an unknown node, 503 when the node's kubelet is unreachable (NotReady), as kube-apiserver answers.
 */
import type { ServerResponse } from 'node:http';
import { nodeStatsSummary } from '../runtime/node-stats';
import type { SimStore } from '../store/store';
import { sendJson } from './io';
import { kubeletUnreachable, proxiedNode } from './kubelet-proxy';

const SUMMARY_PATH = /^\/api\/v1\/nodes\/([^/]+)\/proxy\/stats\/summary\/?$/;

/** Answers `path` when it is a node's stats summary; false otherwise. */
export function serveNodeStats(path: string, method: string, store: SimStore, res: ServerResponse): boolean {
  const proxied = proxiedNode(SUMMARY_PATH, path, method, store);
  if (proxied === undefined) return false;
  const summary = nodeStatsSummary(proxied.node, store.clock.now());
  if (summary === undefined) throw kubeletUnreachable(proxied.name);
  sendJson(res, 200, summary);
  return true;
}
