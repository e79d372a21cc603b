/**
 * The connection a request reaches a cluster with, decided by who it acts as: the owner uses the context's own
 * credentials; a user (`--auth user`) their bearer token alone (ClusterConnection.asBearer), never the context's.
 */
import type { Principal } from '../auth/principal';
import type { ClusterConnection, ClusterRegistry } from './types';

export function connectionFor(connection: ClusterConnection, principal: Principal): ClusterConnection {
  return principal.kind === 'owner' ? connection : connection.asBearer(principal.bearerToken);
}

/** `registry.connection(context)` as `principal`; throws as the registry does (404 unknown, 503 failed to load). */
export function connectionAs(registry: ClusterRegistry, context: string, principal: Principal): ClusterConnection {
  return connectionFor(registry.connection(context), principal);
}
