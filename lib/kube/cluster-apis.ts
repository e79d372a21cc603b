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
export function clusterApis(registry: ClusterRegistry): (context: string) => ClusterApi {
  const byContext = new Map<string, ClusterApi>();
  registry.onChange(({ changed }) => {
    for (const name of changed) byContext.delete(name);
  });
  return (context) => {
    const existing = byContext.get(context);
    if (existing !== undefined) return existing;
    const call = kubeCallFor(registry.connection(context));
    const api = { call, discovery: new DiscoveryCache(call) };
    byContext.set(context, api);
    return api;
  };
}
