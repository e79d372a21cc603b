import type { ClusterRegistry } from '../clusters/types';
import { kubeCallFor } from './connection-call';
import { DiscoveryCache } from './discovery-cache';
import type { KubeCall } from './kube-call';

export interface ClusterApi {
  call: KubeCall;
  discovery: DiscoveryCache;
}

/**
 * One JSON client and discovery cache per context, kept while the context's kubeconfig is unchanged:
 * a reload that changes a context drops its entry, so the next request sees the new server and credentials.
 */
/** A context's client and discovery; `cached()` counts the contexts whose discovery is held (for the metrics). */
export type ClusterApis = ((context: string) => ClusterApi) & { cached(): number };

export function clusterApis(registry: ClusterRegistry): ClusterApis {
  const byContext = new Map<string, ClusterApi>();
  registry.onChange(({ changed }) => {
    for (const name of changed) byContext.delete(name);
  });
  const apiOf = (context: string): ClusterApi => {
    const existing = byContext.get(context);
    if (existing !== undefined) return existing;
    const call = kubeCallFor(registry.connection(context));
    const api = { call, discovery: new DiscoveryCache(call) };
    byContext.set(context, api);
    return api;
  };
  const cached = () => [...byContext.values()].filter((api) => api.discovery.cached).length;
  return Object.assign(apiOf, { cached });
}
