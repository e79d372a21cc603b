import { errorMessage } from '../errors';
import type { ResourceIndex } from '../kube/resource-index';
import type { DiscoveryCache } from '../kube/discovery-cache';
import type { KubeCall } from '../kube/kube-call';

export interface ResourceSummary {
  name: string;
  groupVersion: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

/** `GET /api/contexts/:cluster`, the shape the original frontend reads; `error` marks a partial answer. */
export interface ContextDetails {
  name: string;
  kubernetesVersion: string;
  platform: string;
  namespaces: string[];
  /** group ("" for core) → resource name → summary, preferred versions only. */
  resources: Record<string, Record<string, ResourceSummary>>;
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

function bounded<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
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
): Promise<ContextDetails> {
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
  const nsList = answered(namespaces, 'namespaces') as { items?: Array<{ metadata: { name: string } }> } | undefined;
  if (index.status === 'rejected') errors.push(`discovery: ${errorMessage(index.reason)}`);
  const details: ContextDetails = {
    name,
    kubernetesVersion: gitVersion,
    platform: detectPlatform(gitVersion, server),
    namespaces: (nsList?.items ?? []).map((n) => n.metadata.name),
    resources: index.status === 'fulfilled' ? groupPreferredResources(index.value) : {},
  };
  if (errors.length > 0) details.error = errors.join('; ');
  return details;
}
