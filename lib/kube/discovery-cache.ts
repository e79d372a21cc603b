import { StatusError } from '../errors';
import {
  indexFromAggregated,
  indexFromResourceLists,
  type AggregatedDiscovery,
  type ApiResource,
  type APIResourceList,
  type ResourceIndex,
} from './resource-index';
import type { KubeCall } from './kube-call';

const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';

function discoveryFailed(path: string, status: number, body: unknown): StatusError {
  const message =
    typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string'
      ? (body as { message: string }).message
      : `HTTP ${status}`;
  return new StatusError(
    status === 403 ? 'Forbidden' : status === 401 ? 'Unauthorized' : 'ServiceUnavailable',
    `discovery ${path} failed: ${message}`,
  );
}

/** Reads discovery: aggregated (one request per root) when the server offers it, else walks every group/version. */
export async function loadResourceIndex(call: KubeCall): Promise<ResourceIndex> {
  const roots = await Promise.all(
    ['/api', '/apis'].map(async (path) => ({ path, res: await call({ method: 'GET', path, accept: AGGREGATED }) })),
  );
  for (const { path, res } of roots) if (res.status !== 200) throw discoveryFailed(path, res.status, res.body);
  const bodies = roots.map((r) => r.res.body as { kind?: string });
  if (bodies.every((b) => b.kind === 'APIGroupDiscoveryList'))
    return indexFromAggregated(bodies as AggregatedDiscovery[]);

  // Legacy discovery: /api lists core versions, /apis the groups with their preferred version.
  const core = bodies[0] as { versions?: string[] };
  const groups =
    (
      bodies[1] as {
        groups?: Array<{
          name: string;
          versions: Array<{ groupVersion: string }>;
          preferredVersion?: { version: string };
        }>;
      }
    ).groups ?? [];
  const paths = [
    ...(core.versions ?? ['v1']).map((v) => `/api/${v}`),
    ...groups.flatMap((g) => g.versions.map((v) => `/apis/${v.groupVersion}`)),
  ];
  const lists = await Promise.all(
    paths.map(async (path) => {
      const res = await call({ method: 'GET', path });
      // One broken aggregated API (a metrics-server that is down) must not hide every other group.
      return res.status === 200 ? (res.body as APIResourceList) : undefined;
    }),
  );
  const preferred = new Map(
    groups.flatMap((g) => (g.preferredVersion === undefined ? [] : [[g.name, g.preferredVersion.version] as const])),
  );
  return indexFromResourceLists(
    lists.filter((l): l is APIResourceList => l !== undefined),
    preferred,
  );
}

/** A context's discovery, loaded once and refreshed at most once per miss (a CRD created a moment ago). */
export class DiscoveryCache {
  private index: Promise<ResourceIndex> | undefined;

  constructor(private readonly call: KubeCall) {}

  current(): Promise<ResourceIndex> {
    this.index ??= loadResourceIndex(this.call).catch((err: unknown) => {
      this.index = undefined;
      throw err;
    });
    return this.index;
  }

  invalidate(): void {
    this.index = undefined;
  }

  /** Whether an index is held (loaded, or loading). */
  get cached(): boolean {
    return this.index !== undefined;
  }

  async resolve(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
    const found = (await this.current()).forKind(apiVersion, kind);
    if (found !== undefined) return found;
    this.invalidate();
    return (await this.current()).forKind(apiVersion, kind);
  }
}
