/**
 * What a request asks to do, derived from its method, path and query as kube-apiserver's RequestInfoFactory derives
 * it: the attributes RBAC decides on and a 403 names. Pure, so the rules tests need no server.
 */

export interface ResourceAttributes {
  kind: 'resource';
  verb: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  /** Empty when the request names none. */
  subresource: string;
  /** Empty for cluster-scoped requests and lists across all namespaces. */
  namespace: string;
  name: string;
}

export interface NonResourceAttributes {
  kind: 'nonResource';
  verb: string;
  path: string;
}

export type RequestAttributes = ResourceAttributes | NonResourceAttributes;

/** Verbs kube-apiserver reads from the path's first segment instead of the method (deprecated, still served). */
const SPECIAL_VERBS = new Set(['proxy', 'watch']);
/** Subresources of a namespace, which are not a resource inside it. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);
/** Upgrades kube-apiserver ≥ 1.31 checks as `create` (a websocket opens them with GET, SPDY with POST). */
const CREATE_ON_UPGRADE = new Set(['exec', 'attach', 'portforward']);

/** The verb of a request that names one object, from its method alone. */
export function methodVerb(method: string): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return 'get';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      return '';
  }
}

function isTrue(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  return v === 'true' || v === '1';
}

/** `metadata.name=<x>` in a field selector names the one object a list or watch is about. */
function nameFromFieldSelector(selector: string | null): string {
  if (selector === null) return '';
  for (const term of selector.split(',')) {
    const m = /^\s*metadata\.name\s*==?\s*([^\s,]+)\s*$/.exec(term);
    if (m !== null) return m[1] as string;
  }
  return '';
}

/**
 * The attributes of a request. `upgrade` marks a websocket/SPDY handshake, whose exec/attach/portforward is checked
 * as `create` whatever its method (`AuthorizePodWebsocketUpgradeCreatePermission`, on by default since 1.31).
 */
export function requestAttributes(
  method: string,
  path: string,
  query: URLSearchParams,
  upgrade = false,
): RequestAttributes {
  const nonResource: NonResourceAttributes = { kind: 'nonResource', verb: method.toLowerCase(), path };
  let parts = path.split('/').filter((s) => s !== '');
  if (parts.length < 3 || (parts[0] !== 'api' && parts[0] !== 'apis')) return nonResource;
  let apiGroup = '';
  if (parts[0] === 'apis') {
    if (parts.length < 4) return nonResource;
    apiGroup = parts[1] as string;
    parts = parts.slice(2);
  } else {
    parts = parts.slice(1);
  }
  const apiVersion = parts[0] as string;
  parts = parts.slice(1);
  let verb = methodVerb(method);
  let special = false;
  if (SPECIAL_VERBS.has(parts[0] as string)) {
    special = true;
    verb = parts[0] as string;
    parts = parts.slice(1);
  }
  let namespace = '';
  if (parts[0] === 'namespaces' && parts.length > 1) {
    namespace = parts[1] as string;
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2] as string)) parts = parts.slice(2);
  }
  const decoded = parts.map((p) => decodeURIComponent(p));
  const resource = decoded[0] ?? '';
  let name = decoded[1] ?? '';
  const subresource = decoded.length >= 3 && !(special && verb === 'proxy') ? (decoded[2] as string) : '';
  if (name === '' && verb === 'get') {
    verb = isTrue(query, 'watch') ? 'watch' : 'list';
    name = nameFromFieldSelector(query.get('fieldSelector'));
  }
  if (name === '' && verb === 'delete') verb = 'deletecollection';
  if (upgrade && resource === 'pods' && CREATE_ON_UPGRADE.has(subresource)) verb = 'create';
  return { kind: 'resource', verb, apiGroup, apiVersion, resource, subresource, namespace, name };
}
