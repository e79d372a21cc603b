/**
 * The resources the simulated API server serves, in the aggregated-discovery shape (apidiscovery.k8s.io/v2),
 * derived from the reference documents: the stable versions of `aggregated_v2.json`, the core group converted
 * from `api__v1.json`, plus metrics.k8s.io — and the groups of the established CRDs, which come and go as
 * CRDs are created, changed and deleted. Routing and discovery both read this.
 */
import { aggregatedV2, coreV1 } from '../discovery/index';
import type { CustomResourceDefinition } from '../crd/definition';
import { crdGroups } from '../crd/discovery';

export interface ResponseKind {
  group: string;
  kind: string;
  version: string;
}

export interface SubresourceDiscovery {
  responseKind: ResponseKind;
  subresource: string;
  verbs: string[];
}

export interface ResourceDiscovery {
  categories?: string[];
  resource: string;
  responseKind: ResponseKind;
  scope: 'Namespaced' | 'Cluster';
  shortNames?: string[];
  singularResource: string;
  subresources?: SubresourceDiscovery[];
  verbs: string[];
}

export interface VersionDiscovery {
  freshness: string;
  resources: ResourceDiscovery[];
  version: string;
}

export interface GroupDiscovery {
  metadata: { creationTimestamp: null; name?: string };
  versions: VersionDiscovery[];
}

/** One servable resource at one group/version; objects are shared across versions through `storageKey`. */
export interface ApiResource {
  group: string;
  version: string;
  /** `v1` or `apps/v1`. */
  apiVersion: string;
  resource: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  verbs: ReadonlySet<string>;
  shortNames: readonly string[];
  categories: readonly string[];
  subresources: ReadonlyMap<string, { kind: string; group: string; version: string; verbs: ReadonlySet<string> }>;
  /** `group/resource`: the same objects whatever version they are read at. */
  storageKey: string;
  /** The definition of a custom resource (undefined for built-in ones). */
  crd?: CustomResourceDefinition;
}

const isStableVersion = (version: string): boolean => /^v\d+$/.test(version);

interface LegacyResource {
  name: string;
  kind: string;
  namespaced: boolean;
  singularName: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  group?: string;
  version?: string;
}

/** The core group in aggregated form, converted from the legacy `/api/v1` list (the aggregated file omits core). */
function coreGroupDiscovery(): GroupDiscovery {
  const list = (coreV1 as { resources: LegacyResource[] }).resources;
  const subresourcesOf = new Map<string, SubresourceDiscovery[]>();
  for (const entry of list) {
    const [parent, sub] = entry.name.split('/');
    if (parent === undefined || sub === undefined) continue;
    const responseKind = { group: entry.group ?? '', kind: entry.kind, version: entry.version ?? '' };
    subresourcesOf.set(parent, [
      ...(subresourcesOf.get(parent) ?? []),
      { responseKind, subresource: sub, verbs: entry.verbs },
    ]);
  }
  // Keys in the order the aggregated document uses (alphabetical), optional ones only when present.
  const resources = list
    .filter((entry) => !entry.name.includes('/'))
    .map((entry): ResourceDiscovery => {
      const subresources = subresourcesOf.get(entry.name);
      return {
        ...(entry.categories ? { categories: entry.categories } : {}),
        resource: entry.name,
        responseKind: { group: '', kind: entry.kind, version: '' },
        scope: entry.namespaced ? 'Namespaced' : 'Cluster',
        ...(entry.shortNames ? { shortNames: entry.shortNames } : {}),
        singularResource: entry.singularName,
        ...(subresources ? { subresources } : {}),
        verbs: entry.verbs,
      };
    });
  return { metadata: { creationTimestamp: null }, versions: [{ freshness: 'Current', resources, version: 'v1' }] };
}

const nodeMetricsKind = (kind: string): ResponseKind => ({ group: '', kind, version: '' });

/** metrics.k8s.io as metrics-server registers it (an aggregated APIService: get and list only). */
const METRICS_GROUP: GroupDiscovery = {
  metadata: { creationTimestamp: null, name: 'metrics.k8s.io' },
  versions: [
    {
      freshness: 'Current',
      resources: [
        {
          resource: 'nodes',
          responseKind: nodeMetricsKind('NodeMetrics'),
          scope: 'Cluster',
          singularResource: '',
          verbs: ['get', 'list'],
        },
        {
          resource: 'pods',
          responseKind: nodeMetricsKind('PodMetrics'),
          scope: 'Namespaced',
          singularResource: '',
          verbs: ['get', 'list'],
        },
      ],
      version: 'v1beta1',
    },
  ],
};

function stableOnly(group: GroupDiscovery): GroupDiscovery | undefined {
  const versions = group.versions.filter((v) => isStableVersion(v.version));
  return versions.length === 0 ? undefined : { ...group, versions };
}

/** Built-in non-core groups, preferred version first in each, in the order the real server lists them. */
const BUILT_IN_GROUPS: readonly GroupDiscovery[] = (
  aggregatedV2 as unknown as { items: GroupDiscovery[] }
).items.flatMap((g) => stableOnly(g) ?? []);

export const CORE_GROUP: GroupDiscovery = coreGroupDiscovery();

function toApiResource(group: string, version: string, r: ResourceDiscovery): ApiResource {
  const subresources = new Map<string, { kind: string; group: string; version: string; verbs: ReadonlySet<string> }>();
  for (const s of r.subresources ?? []) {
    subresources.set(s.subresource, {
      kind: s.responseKind.kind,
      group: s.responseKind.group || group,
      version: s.responseKind.version || version,
      verbs: new Set(s.verbs),
    });
  }
  return {
    group,
    version,
    apiVersion: group === '' ? version : `${group}/${version}`,
    resource: r.resource,
    singular: r.singularResource || r.responseKind.kind.toLowerCase(),
    kind: r.responseKind.kind,
    listKind: `${r.responseKind.kind}List`,
    namespaced: r.scope === 'Namespaced',
    verbs: new Set(r.verbs),
    shortNames: r.shortNames ?? [],
    categories: r.categories ?? [],
    subresources,
    storageKey: `${group}/${r.resource}`,
  };
}

/** Servable resources of some groups by URL coordinates, by kind, and by storage key (preferred version). */
class ResourceIndex {
  readonly byPath = new Map<string, ApiResource>();
  readonly byKindKey = new Map<string, ApiResource>();
  readonly byStorage = new Map<string, ApiResource>();

  constructor(groups: readonly GroupDiscovery[], complete: (res: ApiResource) => ApiResource = (res) => res) {
    for (const g of groups) {
      const groupName = g.metadata.name ?? '';
      g.versions.forEach((v, index) => {
        for (const r of v.resources) {
          const res = complete(toApiResource(groupName, v.version, r));
          this.byPath.set(`${groupName}/${v.version}/${r.resource}`, res);
          this.byKindKey.set(`${res.apiVersion}/${res.kind}`, res);
          // The preferred (first-listed) version answers for the stored objects.
          if (index === 0 || !this.byStorage.has(res.storageKey)) this.byStorage.set(res.storageKey, res);
        }
      });
    }
  }
}

/**
 * Lookup of servable resources by URL coordinates, by kind, and by the names kubectl accepts: the built-in
 * ones, then those of the established CRDs (a built-in resource wins any clash, as the real handler chain
 * tries the built-in handlers first).
 */
export class ResourceRegistry {
  private readonly metricsGroups: readonly GroupDiscovery[];
  private readonly builtIn: ResourceIndex;
  private readonly builtInGroupNames = new Set(BUILT_IN_GROUPS.map((g) => g.metadata.name));
  private custom = new ResourceIndex([]);
  private customGroups: GroupDiscovery[] = [];
  private readonly crds = new Map<string, CustomResourceDefinition>();
  private changes = 0;

  /** `metricsServer: false` is a cluster without metrics-server: no metrics.k8s.io in discovery, its paths 404. */
  constructor({ metricsServer = true }: { metricsServer?: boolean } = {}) {
    this.metricsGroups = metricsServer ? [METRICS_GROUP] : [];
    this.builtIn = new ResourceIndex([CORE_GROUP, ...BUILT_IN_GROUPS, ...this.metricsGroups]);
  }

  /** Changes whenever the served resources do; discovery and OpenAPI documents are rebuilt when it moves. */
  get revision(): number {
    return this.changes;
  }

  /** Serves what a CRD defines once it is established; `undefined` (the CRD was deleted) stops serving it. */
  putCrd(name: string, crd: CustomResourceDefinition | undefined): void {
    if (crd === undefined) this.crds.delete(name);
    else this.crds.set(name, crd);
    this.customGroups = crdGroups(this.crds.values()).filter((g) => !this.builtInGroupNames.has(g.metadata.name));
    const byStorageKey = new Map<string, CustomResourceDefinition>();
    for (const def of this.crds.values())
      byStorageKey.set(`${def.spec.group}/${def.status?.acceptedNames.plural ?? def.spec.names.plural}`, def);
    this.custom = new ResourceIndex(this.customGroups, (res) => {
      const def = byStorageKey.get(res.storageKey);
      const listKind = def?.status?.acceptedNames.listKind ?? def?.spec.names.listKind;
      return { ...res, ...(listKind ? { listKind } : {}), crd: def };
    });
    this.changes++;
  }

  /** The non-core groups in the order /apis lists them: built-in, CRD groups (priority 1000), metrics.k8s.io (100). */
  groups(): readonly GroupDiscovery[] {
    return [...BUILT_IN_GROUPS, ...this.customGroups, ...this.metricsGroups];
  }

  resolve(group: string, version: string, resource: string): ApiResource | undefined {
    const key = `${group}/${version}/${resource}`;
    return this.builtIn.byPath.get(key) ?? this.custom.byPath.get(key);
  }

  forKind(apiVersion: string, kind: string): ApiResource | undefined {
    const key = `${apiVersion}/${kind}`;
    return this.builtIn.byKindKey.get(key) ?? this.custom.byKindKey.get(key);
  }

  /** The preferred-version resource for a storage key, or a kubectl-style name: `pods`, `po`, `deployments.apps`. */
  find(name: string): ApiResource | undefined {
    const direct = this.builtIn.byStorage.get(name) ?? this.custom.byStorage.get(name);
    if (direct) return direct;
    const dot = name.indexOf('.');
    const short = dot === -1 ? name : name.slice(0, dot);
    const group = dot === -1 ? undefined : name.slice(dot + 1);
    for (const res of this.all()) {
      if (group !== undefined && res.group !== group) continue;
      if (group === undefined && res.group !== '' && this.builtIn.byStorage.has(`/${short}`)) continue;
      if (res.resource === short || res.singular === short || res.shortNames.includes(short) || res.kind === name)
        return res;
    }
    return undefined;
  }

  /** Every resource at its preferred version. */
  *all(): IterableIterator<ApiResource> {
    yield* this.builtIn.byStorage.values();
    yield* this.custom.byStorage.values();
  }

  /** Every resource at every version served. */
  *allVersions(): IterableIterator<ApiResource> {
    yield* this.builtIn.byPath.values();
    yield* this.custom.byPath.values();
  }
}
