/**
 * What the API server's node proxy (`/api/v1/nodes/NAME/proxy/...`) does before a kubelet answers: only GET here, 404
 * for an unknown node, 503 when the node's kubelet cannot be reached (it is not Ready).
 */
import { StatusError } from '../../errors';
import type { KubeObject } from '../object-meta';
import type { SimStore } from '../store/store';
import { methodNotAllowed } from './io';

/** The node `path` names when it matches `pattern` (the node's name its first group); undefined when it does not. */
export function proxiedNode(
  pattern: RegExp,
  path: string,
  method: string,
  store: SimStore,
): { name: string; node: KubeObject } | undefined {
  const match = pattern.exec(path);
  if (match === null) return undefined;
  if (method !== 'GET') throw methodNotAllowed();
  const name = decodeURIComponent(match[1]!);
  const node = store.get('nodes', undefined, name);
  if (node === undefined) throw new StatusError('NotFound', `nodes "${name}" not found`, { name, kind: 'nodes' });
  return { name, node };
}

/** The API server's answer when it cannot dial a node's kubelet. */
export function kubeletUnreachable(name: string): StatusError {
  return new StatusError(
    'ServiceUnavailable',
    `error trying to reach service: dial tcp: connect: no route to host (node ${JSON.stringify(name)} is not Ready)`,
  );
}
