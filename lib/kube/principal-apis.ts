import type { Principal } from '../auth/principal';
import { connectionAs } from '../clusters/principal-connection';
import type { ClusterRegistry } from '../clusters/types';
import type { ClusterApi } from './cluster-apis';
import { kubeCallFor } from './connection-call';
import { DiscoveryCache } from './discovery-cache';

/**
 * A context's JSON client and discovery as `principal`: the owner's are the shared, cached ones; a user gets a
 * client with their own token and a discovery of their own for this request, so not even discovery is read with
 * the context's credentials on their behalf.
 */
export function clusterApiAs(
  apis: (context: string) => ClusterApi,
  registry: ClusterRegistry,
  context: string,
  principal: Principal,
): ClusterApi {
  if (principal.kind === 'owner') return apis(context);
  const call = kubeCallFor(connectionAs(registry, context, principal));
  return { call, discovery: new DiscoveryCache(call) };
}
