/**
 * What a cluster serves, as discovery describes it: which resource holds a kind, whether it is namespaced,
 * and which version of each group the server prefers. Built from discovery documents; no I/O here.
 */
export interface ApiResource {
  group: string;
  version: string;
  /** `v1` for the core group, else `group/version`. */
  groupVersion: string;
  /** Plural resource name as it appears in URLs, e.g. `deployments`. */
  resource: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  /** True when `version` is the server's preferred version of `group`. */
  preferred: boolean;
}

/** apidiscovery.k8s.io/v2 APIGroupDiscoveryList, the shape `/api` and `/apis` answer with aggregated discovery. */
export interface AggregatedDiscovery {
  kind: 'APIGroupDiscoveryList';
  items: Array<{
    metadata: { name?: string };
    versions: Array<{
      version: string;
      resources?: Array<{
        resource: string;
        responseKind?: { kind?: string };
        scope: 'Namespaced' | 'Cluster';
        verbs?: string[];
      }>;
    }>;
  }>;
}

/** metav1.APIResourceList, one group/version of legacy discovery. Subresources are entries with a `/`. */
export interface APIResourceList {
  groupVersion: string;
  resources: Array<{ name: string; kind: string; namespaced: boolean; verbs?: string[] }>;
}

export interface ResourceIndex {
  /** The resource for an object's `apiVersion` and `kind`, if the server serves it. */
  forKind(apiVersion: string, kind: string): ApiResource | undefined;
  /** Every top-level resource of every served version. */
  all(): readonly ApiResource[];
}

function splitGroupVersion(groupVersion: string): { group: string; version: string } {
  const slash = groupVersion.indexOf('/');
  return slash === -1
    ? { group: '', version: groupVersion }
    : { group: groupVersion.slice(0, slash), version: groupVersion.slice(slash + 1) };
}

function joinGroupVersion(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

export function buildIndex(resources: ApiResource[]): ResourceIndex {
  const byKind = new Map<string, ApiResource>();
  for (const r of resources) {
    const key = `${r.groupVersion}\u0000${r.kind}`;
    // Several resources can share a kind (e.g. a resource and its subresource); the top-level one was kept.
    if (!byKind.has(key)) byKind.set(key, r);
  }
  return {
    forKind: (apiVersion, kind) => byKind.get(`${apiVersion}\u0000${kind}`),
    all: () => resources,
  };
}

/** From aggregated discovery documents (`/api` and `/apis`); versions are listed in preference order. */
export function indexFromAggregated(docs: AggregatedDiscovery[]): ResourceIndex {
  const out: ApiResource[] = [];
  for (const doc of docs) {
    for (const group of doc.items) {
      const groupName = group.metadata.name ?? '';
      group.versions.forEach((v, position) => {
        for (const r of v.resources ?? []) {
          out.push({
            group: groupName,
            version: v.version,
            groupVersion: joinGroupVersion(groupName, v.version),
            resource: r.resource,
            kind: r.responseKind?.kind ?? '',
            namespaced: r.scope === 'Namespaced',
            verbs: r.verbs ?? [],
            preferred: position === 0,
          });
        }
      });
    }
  }
  return buildIndex(out);
}

/**
 * From legacy discovery: each served group/version's APIResourceList, and the preferred version per group
 * (`/apis` APIGroupList `preferredVersion`; the core group's only version is `v1`).
 */
export function indexFromResourceLists(
  lists: APIResourceList[],
  preferredByGroup: ReadonlyMap<string, string>,
): ResourceIndex {
  const out: ApiResource[] = [];
  for (const list of lists) {
    const { group, version } = splitGroupVersion(list.groupVersion);
    const preferred = (preferredByGroup.get(group) ?? (group === '' ? 'v1' : undefined)) === version;
    for (const r of list.resources) {
      if (r.name.includes('/')) continue;
      out.push({
        group,
        version,
        groupVersion: list.groupVersion,
        resource: r.name,
        kind: r.kind,
        namespaced: r.namespaced,
        verbs: r.verbs ?? [],
        preferred,
      });
    }
  }
  return buildIndex(out);
}
