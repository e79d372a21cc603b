import { withTimeout } from '../async-bounds';
import type { ClusterConnection } from '../clusters/types';
import { errorMessage, StatusError } from '../errors';
import type { ResourceIndex } from '../kube/resource-index';
import type { DiscoveryCache } from '../kube/discovery-cache';
import type { KubeCall } from '../kube/kube-call';
import { kubeJson } from '../kube/request';

export interface ResourceSummary {
  name: string;
  groupVersion: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

/** One context as the Kore Board web UI reads it, in `currentContext` of `GET /api/contexts/:cluster`. */
export interface ContextDetails {
  name: string;
  namespaces: string[];
  kubernetesVersion: string;
  platform: string;
  /** group ("" for core) → resource name → summary, preferred versions only. */
  resources: Record<string, Record<string, ResourceSummary>>;
}

/** What could be read of a context, and `error` saying what could not (a partial answer). */
export interface DescribedContext {
  currentContext: ContextDetails;
  error?: string;
}

/** Managed offerings announce themselves in the server's version string or its address. */
export function detectPlatform(gitVersion: string, server: string): string {
  const signs: Array<[RegExp, string]> = [
    [/-eks-|\.eks\.amazonaws\.com/, 'eks'],
    [/-gke\.|container\.googleapis\.com|gke\./, 'gke'],
    [/azmk8s\.io/, 'aks'],
    [/\+k3s/, 'k3s'],
    [/\+rke2/, 'rke2'],
    [/-aliyun|aliyuncs\.com/, 'ack'],
    [/openshift|\+ocp/i, 'openshift'],
  ];
  const text = `${gitVersion} ${server}`;
  return signs.find(([re]) => re.test(text))?.[1] ?? 'kubernetes';
}

export function groupPreferredResources(index: ResourceIndex): ContextDetails['resources'] {
  const out: ContextDetails['resources'] = {};
  for (const r of index.all()) {
    if (!r.preferred) continue;
    (out[r.group] ??= {})[r.resource] = {
      name: r.resource,
      groupVersion: r.groupVersion,
      kind: r.kind,
      namespaced: r.namespaced,
      verbs: r.verbs,
    };
  }
  return out;
}

type NamespaceList = { items?: Array<{ metadata: { name: string } }> | null } | undefined;
const namesOf = (list: NamespaceList) => (list?.items ?? []).map((n) => n.metadata.name);

function bounded<T>(work: Promise<T>, ms: number, late: (message: string) => Error = (m) => new Error(m)): Promise<T> {
  return withTimeout(work, ms, () => late(`no answer within ${ms / 1000} s`));
}

/**
 * Version, namespaces and preferred resources of one context. Each part is fetched independently and
 * within `timeoutMs`, so an unreachable cluster yields a partial answer with `error`, not a hang.
 */
export async function describeContext(
  name: string,
  server: string,
  call: KubeCall,
  discovery: DiscoveryCache,
  timeoutMs: number,
): Promise<DescribedContext> {
  const [version, namespaces, index] = await Promise.allSettled([
    bounded(call({ method: 'GET', path: '/version' }), timeoutMs),
    bounded(call({ method: 'GET', path: '/api/v1/namespaces' }), timeoutMs),
    bounded(discovery.current(), timeoutMs),
  ]);
  const errors: string[] = [];
  const answered = <T extends { status: number; body: unknown }>(r: PromiseSettledResult<T>, what: string): unknown => {
    if (r.status === 'rejected') return void errors.push(`${what}: ${errorMessage(r.reason)}`);
    if (r.value.status !== 200)
      return void errors.push(
        `${what}: HTTP ${r.value.status} ${(r.value.body as { message?: string } | undefined)?.message ?? ''}`.trim(),
      );
    return r.value.body;
  };
  const gitVersion = (answered(version, 'version') as { gitVersion?: string } | undefined)?.gitVersion ?? '';
  const nsList = answered(namespaces, 'namespaces') as NamespaceList;
  if (index.status === 'rejected') errors.push(`discovery: ${errorMessage(index.reason)}`);
  const details: DescribedContext = {
    currentContext: {
      name,
      namespaces: namesOf(nsList),
      kubernetesVersion: gitVersion,
      platform: detectPlatform(gitVersion, server),
      resources: index.status === 'fulfilled' ? groupPreferredResources(index.value) : {},
    },
  };
  if (errors.length > 0) details.error = errors.join('; ');
  return details;
}

/**
 * The names of a context's namespaces, within `timeoutMs`. Throws a StatusError: the cluster's own when it
 * answered (403 when the user may not list them), 502/504 when it could not be reached or did not answer.
 */
export async function namespaceNames(connection: ClusterConnection, timeoutMs: number): Promise<string[]> {
  const where = `context ${JSON.stringify(connection.context.name)}: ${connection.server.origin}`;
  const list = await bounded(
    kubeJson<NamespaceList>(connection, { path: '/api/v1/namespaces', headersTimeoutMs: timeoutMs }),
    timeoutMs,
    (message) => new StatusError('Timeout', `${where}: ${message}`),
  );
  return namesOf(list);
}
