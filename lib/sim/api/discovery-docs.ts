/**
 * Discovery documents, legacy and aggregated, serialized once per set of served resources. The reference files
 * are served as they are (same fields, same key order); what they do not hold (non-stable versions filtered
 * out, metrics.k8s.io, the CRD groups) is derived from the aggregated model the way the API server derives
 * its legacy lists.
 */
import {
  CORE_GROUP,
  type GroupDiscovery,
  type ResourceDiscovery,
  type ResourceRegistry,
  type VersionDiscovery,
} from './resources';
import { crdStorageVersionHash } from '../crd/discovery';
import { coreV1, coreVersions, groupVersionLists } from '../discovery/index';

/** What kubectl 1.32 (client-go) asks for first, and the Content-Type that tells it the answer is aggregated. */
export const AGGREGATED_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

export function wantsAggregated(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  // The first acceptable media type wins; client-go lists v2 aggregated first, then plain JSON as fallback.
  for (const part of accept.split(',')) {
    const params = part.split(';').map((p) => p.trim());
    if (params[0] !== 'application/json' && params[0] !== '*/*') continue;
    const as = params.find((p) => p.startsWith('as='));
    if (as === undefined) return false;
    if (as === 'as=APIGroupDiscoveryList' && params.includes('g=apidiscovery.k8s.io') && params.includes('v=v2'))
      return true;
  }
  return false;
}

function sortedKeys<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) as T;
}

/** An APIResourceList entry (and its subresource entries) from an aggregated resource. */
function legacyEntries(
  group: string,
  version: string,
  r: ResourceDiscovery,
  storageVersionHash: string | undefined,
): object[] {
  const namespaced = r.scope === 'Namespaced';
  const main = sortedKeys({
    ...(r.categories ? { categories: r.categories } : {}),
    kind: r.responseKind.kind,
    name: r.resource,
    namespaced,
    ...(r.shortNames ? { shortNames: r.shortNames } : {}),
    singularName: r.singularResource,
    ...(storageVersionHash !== undefined ? { storageVersionHash } : {}),
    verbs: r.verbs,
  });
  const subs = (r.subresources ?? []).map((s) => {
    // A subresource answering in another group/version (autoscaling/v1 Scale) names both.
    const { group: g, version: v } = s.responseKind;
    const foreign = (g !== '' && g !== group) || (v !== '' && v !== version);
    return sortedKeys({
      ...(foreign ? { group: g, version: v } : {}),
      kind: s.responseKind.kind,
      name: `${r.resource}/${s.subresource}`,
      namespaced,
      singularName: '',
      verbs: s.verbs,
    });
  });
  return [main, ...subs];
}

interface LegacyList {
  resources: { name: string }[];
}

function resourceList(group: string, v: VersionDiscovery, registry: ResourceRegistry): object {
  const groupVersion = `${group}/${v.version}`;
  const reference = groupVersionLists[groupVersion] as (LegacyList & object) | undefined;
  if (reference !== undefined) {
    // The reference list, minus resources the aggregated snapshot does not serve at this version.
    const served = new Set(
      v.resources.flatMap((r) => [r.resource, ...(r.subresources ?? []).map((s) => `${r.resource}/${s.subresource}`)]),
    );
    return { ...reference, resources: reference.resources.filter((r) => served.has(r.name)) };
  }
  const hashOf = (r: ResourceDiscovery) => {
    const crd = registry.resolve(group, v.version, r.resource)?.crd;
    return crd === undefined ? undefined : crdStorageVersionHash(crd);
  };
  return {
    apiVersion: 'v1',
    groupVersion,
    kind: 'APIResourceList',
    resources: v.resources.flatMap((r) => legacyEntries(group, v.version, r, hashOf(r))),
  };
}

function groupEntry(g: GroupDiscovery): { name: string; preferredVersion: object; versions: object[] } {
  const name = g.metadata.name ?? '';
  const versions = g.versions.map((v) => ({ groupVersion: `${name}/${v.version}`, version: v.version }));
  return { name, preferredVersion: versions[0] ?? {}, versions };
}

export interface DiscoveryDocs {
  /** Exact path → JSON body for the legacy documents. */
  legacy: ReadonlyMap<string, string>;
  /** Exact path (`/api`, `/apis`) → aggregated JSON body. */
  aggregated: ReadonlyMap<string, string>;
}

/**
 * Builds every discovery body for what `registry` serves now; `serverAddress` is what `/api` reports clients
 * should use (host:port).
 */
export function buildDiscoveryDocs(serverAddress: string, registry: ResourceRegistry): DiscoveryDocs {
  const groups = registry.groups();
  const legacy = new Map<string, string>();
  const aggregated = new Map<string, string>();
  const json = (value: unknown) => JSON.stringify(value);

  const versions = coreVersions as { serverAddressByClientCIDRs: { clientCIDR: string; serverAddress: string }[] };
  legacy.set(
    '/api',
    json({
      ...versions,
      serverAddressByClientCIDRs: versions.serverAddressByClientCIDRs.map((a) => ({ ...a, serverAddress })),
    }),
  );
  legacy.set('/api/v1', json(coreV1));
  legacy.set('/apis', json({ apiVersion: 'v1', groups: groups.map(groupEntry), kind: 'APIGroupList' }));
  for (const g of groups) {
    const entry = groupEntry(g);
    legacy.set(`/apis/${entry.name}`, json({ apiVersion: 'v1', kind: 'APIGroup', ...entry }));
    for (const v of g.versions)
      legacy.set(`/apis/${entry.name}/${v.version}`, json(resourceList(entry.name, v, registry)));
  }

  const list = (items: readonly GroupDiscovery[]) =>
    json({ apiVersion: 'apidiscovery.k8s.io/v2', items, kind: 'APIGroupDiscoveryList', metadata: {} });
  aggregated.set('/api', list([CORE_GROUP]));
  aggregated.set('/apis', list(groups));
  return { legacy, aggregated };
}
