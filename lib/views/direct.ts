import type { ClusterConnection } from '../clusters/types';
import { toStatusError, type StatusError } from '../errors';
import { listPages } from '../kube/list';
import { resourcePath } from '../kube/resource';
import { isGone } from '../kube/watch';
import { isAbsentKind } from './cluster-cache';
import { ClusterState, resourceOf, type ViewKind } from './state';

/** A one-off picture of some kinds, read with paginated lists; kinds that could not be listed are named. */
export interface DirectRead {
  state: ClusterState;
  absent: Map<ViewKind, StatusError>;
}

const MAX_LIST_RESTARTS = 3;

export interface DirectOptions {
  pageSize: number;
  headersTimeoutMs: number | undefined;
}

async function listKind(
  conn: ClusterConnection,
  state: ClusterState,
  kind: ViewKind,
  namespace: string | undefined,
  options: DirectOptions,
  signal: AbortSignal,
): Promise<void> {
  const resource = resourceOf(kind);
  const path = resourcePath(resource, resource.namespaced ? namespace : undefined);
  const sink = state.sink(kind);
  for (let attempt = 0; ; attempt++) {
    sink.beginSync();
    try {
      for await (const page of listPages(conn, path, { ...options, signal }))
        for (const item of page.items) sink.upsert(item);
      sink.endSync();
      return;
    } catch (err) {
      // The continue token expired under a very long list: start again from a fresh snapshot.
      if (!isGone(err) || attempt >= MAX_LIST_RESTARTS) throw err;
    }
  }
}

/**
 * Lists `kinds` (namespaced ones in `namespace` only, when given) into a fresh ClusterState: how views are
 * answered before the watch cache is warm, where the cache cannot run, and for a user who may list a
 * namespace but not the whole cluster.
 */
export async function readDirect(
  conn: ClusterConnection,
  kinds: readonly ViewKind[],
  namespace: string | undefined,
  options: DirectOptions,
): Promise<DirectRead> {
  const state = new ClusterState();
  const absent = new Map<ViewKind, StatusError>();
  // One failure fails the read: the other lists stop rather than run on for nobody.
  const abort = new AbortController();
  await Promise.all(
    kinds.map((kind) =>
      listKind(conn, state, kind, namespace, options, abort.signal).catch((err: unknown) => {
        const failure = toStatusError(err);
        if (!isAbsentKind(failure)) {
          abort.abort();
          throw failure;
        }
        absent.set(kind, failure);
      }),
    ),
  );
  return { state, absent };
}
