/**
 * Request paths as the API server reads them: `/api/v1/...` and `/apis/<group>/<version>/...`, then
 * `[namespaces/<ns>/]<resource>[/<name>[/<subresource>]]`. `/api/v1/namespaces/<ns>/status` is the namespace's
 * status subresource, `/api/v1/namespaces/<ns>/pods` a namespaced collection; the resource list decides.
 */
import type { ApiResource, ResourceRegistry } from '../api/resources';

export interface ResourceRoute {
  res: ApiResource;
  /** Undefined for cluster-scoped resources and cross-namespace lists. */
  namespace?: string;
  name?: string;
  subresource?: string;
}

export type Route = { kind: 'resource'; route: ResourceRoute } | { kind: 'unknown' };

export function parseResourcePath(path: string, registry: ResourceRegistry): Route {
  const segments = path
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 3) {
    group = '';
    version = segments[1] as string;
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 4) {
    group = segments[1] as string;
    version = segments[2] as string;
    rest = segments.slice(3);
  } else {
    return { kind: 'unknown' };
  }

  const resolve = (resource: string) => registry.resolve(group, version, resource);
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const namespaced = resolve(rest[2] as string);
    if (namespaced !== undefined && namespaced.namespaced && rest.length <= 5) {
      const route: ResourceRoute = { res: namespaced, namespace: rest[1] };
      if (rest[3] !== undefined) route.name = rest[3];
      if (rest[4] !== undefined) route.subresource = rest[4];
      return { kind: 'resource', route };
    }
  }
  const res = resolve(rest[0] as string);
  if (res === undefined || rest.length > 3) return { kind: 'unknown' };
  const route: ResourceRoute = { res };
  if (rest[1] !== undefined) route.name = rest[1];
  if (rest[2] !== undefined) route.subresource = rest[2];
  // A namespaced resource addressed without a namespace only lists (or watches) across all of them.
  if (res.namespaced && route.name !== undefined) return { kind: 'unknown' };
  return { kind: 'resource', route };
}
