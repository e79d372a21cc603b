/**
 * How established CRDs appear in discovery, as the apiextensions discovery controller publishes them: one
 * group per `spec.group` (several CRDs may share it), versions in kube-aware order (the first is preferred),
 * resources by plural, named with the CRD's accepted names, status and scale subresources as declared.
 */
import { createHash } from 'node:crypto';
import type { GroupDiscovery, ResourceDiscovery, SubresourceDiscovery } from '../api/resources';
import { isEstablished, type CrdVersion, type CustomResourceDefinition } from './definition';

/** The verbs the apiextensions server lists for every custom resource, in its order. */
const CR_VERBS = ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'];
const SUBRESOURCE_VERBS = ['get', 'patch', 'update'];

interface KubeVersion {
  major: number;
  /** 0 alpha, 1 beta, 2 GA: GA sorts first. */
  stability: number;
  minor: number;
}

function parseKubeVersion(version: string): KubeVersion | undefined {
  const m = /^v([1-9][0-9]*)(?:(alpha|beta)([1-9][0-9]*))?$/.exec(version);
  if (m === null) return undefined;
  const stability = m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0;
  return { major: Number(m[1]), stability, minor: m[3] === undefined ? 0 : Number(m[3]) };
}

/**
 * apimachinery's CompareKubeAwareVersionStrings turned into a sort comparator: v2 > v1 > v1beta2 > v1beta1 >
 * v1alpha1, then versions that are not Kubernetes-like, alphabetically.
 */
export function compareKubeAwareVersions(a: string, b: string): number {
  if (a === b) return 0;
  const va = parseKubeVersion(a);
  const vb = parseKubeVersion(b);
  if (va === undefined && vb === undefined) return a < b ? -1 : 1;
  if (va === undefined) return 1;
  if (vb === undefined) return -1;
  if (va.stability !== vb.stability) return vb.stability - va.stability;
  if (va.major !== vb.major) return vb.major - va.major;
  return vb.minor - va.minor;
}

/** discovery.StorageVersionHash: the first 8 bytes of sha256("group/version/kind"), base64. */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256').update(`${group}/${version}/${kind}`).digest().subarray(0, 8).toString('base64');
}

/** The hash legacy discovery lists for a CRD's resource (of its storage version, whatever version is read). */
export function crdStorageVersionHash(crd: CustomResourceDefinition): string | undefined {
  const storage = crd.spec.versions.find((v) => v.storage);
  return storage === undefined
    ? undefined
    : storageVersionHash(crd.spec.group, storage.name, crd.status?.acceptedNames.kind ?? crd.spec.names.kind);
}

function resourceDiscovery(crd: CustomResourceDefinition, version: CrdVersion): ResourceDiscovery {
  const names = crd.status?.acceptedNames ?? crd.spec.names;
  const { group } = crd.spec;
  const self = { group, kind: names.kind, version: version.name };
  const subresources: SubresourceDiscovery[] = [];
  if (version.subresources?.status)
    subresources.push({ responseKind: self, subresource: 'status', verbs: SUBRESOURCE_VERBS });
  if (version.subresources?.scale)
    subresources.push({
      responseKind: { group: 'autoscaling', kind: 'Scale', version: 'v1' },
      subresource: 'scale',
      verbs: SUBRESOURCE_VERBS,
    });
  // Keys in alphabetical order, optional ones only when present, like the reference documents.
  return {
    ...(names.categories?.length ? { categories: names.categories } : {}),
    resource: names.plural,
    responseKind: self,
    scope: crd.spec.scope,
    ...(names.shortNames?.length ? { shortNames: names.shortNames } : {}),
    singularResource: names.singular ?? names.kind.toLowerCase(),
    ...(subresources.length > 0 ? { subresources } : {}),
    verbs: CR_VERBS,
  };
}

/** The API groups the established CRDs serve, by group name (they share one discovery priority). */
export function crdGroups(crds: Iterable<CustomResourceDefinition>): GroupDiscovery[] {
  const byGroup = new Map<string, Map<string, ResourceDiscovery[]>>();
  for (const crd of crds) {
    if (!isEstablished(crd)) continue;
    for (const version of crd.spec.versions) {
      if (!version.served) continue;
      const versions = byGroup.get(crd.spec.group) ?? new Map<string, ResourceDiscovery[]>();
      byGroup.set(crd.spec.group, versions);
      versions.set(version.name, [...(versions.get(version.name) ?? []), resourceDiscovery(crd, version)]);
    }
  }
  return [...byGroup.keys()].sort().map((name) => {
    const versions = byGroup.get(name) ?? new Map<string, ResourceDiscovery[]>();
    return {
      metadata: { creationTimestamp: null, name },
      versions: [...versions.keys()].sort(compareKubeAwareVersions).map((version) => ({
        freshness: 'Current',
        resources: (versions.get(version) ?? []).sort((a, b) =>
          a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0,
        ),
        version,
      })),
    };
  });
}
