/**
 * What a user (`--auth user`) is shown of a cluster's cached picture: only the kinds and namespaces they may list,
 * as their SelfSubjectAccessReviews say. The watch cache is shared and filled with the context's credentials; a
 * user's view is a copy of the part they may see, never more.
 */
import { mapLimited } from '../async-bounds';
import type { AccessReviews } from '../auth/access-reviews';
import type { ClusterConnection } from '../clusters/types';
import type { KindStore } from './kind-store';
import type { SlimObject } from './slim';
import { ClusterState, resourceOf, type ViewKind } from './state';

/** Per kind: every object (`all`), or those of these namespaces (none at all when empty). */
export type Visibility = Map<ViewKind, 'all' | ReadonlySet<string>>;

/** Access reviews asked at once for one view, so a cluster of many namespaces is not asked all in one burst. */
const REVIEW_CONCURRENCY = 8;

/**
 * A kind's store, typed by what all of them share. Sound as used here: objects are only ever put into the same kind's
 * store of another ClusterState (TypeScript cannot see the kinds line up across the union).
 */
function storeOf(state: ClusterState, kind: ViewKind): KindStore<SlimObject> {
  return state[kind] as unknown as KindStore<SlimObject>;
}

/**
 * Which of `kinds` the user behind `conn` may list: cluster-wide first; when not, each namespace the cache holds
 * objects of the kind in (only `namespace` when the view is scoped to one).
 */
export async function visibility(
  access: AccessReviews,
  conn: ClusterConnection,
  state: ClusterState,
  kinds: readonly ViewKind[],
  namespace: string | undefined,
): Promise<Visibility> {
  const may = (kind: ViewKind, ns: string | undefined) => {
    const { group, plural, namespaced } = resourceOf(kind);
    return access.allowed(conn, {
      verb: 'list',
      group,
      resource: plural,
      ...(namespaced && ns !== undefined ? { namespace: ns } : {}),
    });
  };
  const entries = await Promise.all(
    kinds.map(async (kind): Promise<[ViewKind, 'all' | ReadonlySet<string>]> => {
      if (await may(kind, undefined)) return [kind, 'all'];
      if (!resourceOf(kind).namespaced) return [kind, new Set()];
      const candidates = namespace === undefined ? [...storeOf(state, kind).namespaces()] : [namespace];
      const allowed = await mapLimited(candidates, REVIEW_CONCURRENCY, (ns) => may(kind, ns));
      return [kind, new Set(candidates.filter((_, i) => allowed[i]))];
    }),
  );
  return new Map(entries);
}

/** A copy of `state` holding only what `visible` lets through (its dashboard counters follow from the copy). */
export function visibleState(state: ClusterState, visible: Visibility): ClusterState {
  const copy = new ClusterState();
  for (const [kind, scope] of visible) {
    const from = storeOf(state, kind);
    const to = storeOf(copy, kind);
    if (scope === 'all') for (const item of from.all()) to.put(item);
    else for (const ns of scope) for (const item of from.inNamespace(ns)) to.put(item);
  }
  return copy;
}

/** What the user is not shown, said once per kind, so an empty part of a view is not mistaken for an empty cluster. */
export function hiddenWarnings(username: string, visible: Visibility, namespace: string | undefined): string[] {
  const where = namespace === undefined ? '' : ` in the namespace ${JSON.stringify(namespace)}`;
  const warnings: string[] = [];
  for (const [kind, scope] of visible) {
    if (scope === 'all') continue;
    if (scope.size === 0)
      warnings.push(`${kind}: not shown: User ${JSON.stringify(username)} may not list them${where}`);
    else
      warnings.push(
        `${kind}: shown only in the namespaces User ${JSON.stringify(username)} may list: ${[...scope].sort().join(', ')}`,
      );
  }
  return warnings;
}
