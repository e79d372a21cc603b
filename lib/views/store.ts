import { createAccessReviews, type AccessReviews } from '../auth/access-reviews';
import { requireAccess } from '../auth/access-gate';
import { OWNER, type Principal } from '../auth/principal';
import type { Clock } from '../clock';
import type { ClusterConnection, ClusterRegistry } from '../clusters/types';
import { StatusError, toStatusError } from '../errors';
import { kubeJson } from '../kube/request';
import { RESOURCES, resourcePath, type ResourceName } from '../kube/resource';
import type { Logger } from '../log';
import { ClusterCache, type Freshness, type KindTrouble } from './cluster-cache';
import { dashboard, DEFAULT_PROBLEM_LIMIT } from './dashboard';
import { readDirect } from './direct';
import { workloadGraph } from './hierarchy';
import { networkGraph } from './network';
import { podGraph, podReferences, type Reference, type ReferencedObject } from './pod-graph';
import type { ClusterState, ViewKind } from './state';
import { topology } from './topology';
import { hiddenWarnings, visibility, visibleState } from './visible';

/** A computed view, serialized, with what the caller should be told about missing or stale parts. */
export interface ViewResponse {
  json: string;
  warnings: string[];
  /** When the picture was last confirmed by the cluster (RFC 3339); undefined before any answer. */
  lastSyncTime: string | undefined;
  /** The cache's watch is broken: the view is the last known state, not following the cluster. */
  stale: boolean;
}

/**
 * The views of every context, served from per-context watch caches. `viewer` (default the owner): a user
 * (`--auth user`) is shown only the kinds and namespaces they may list (lib/views/visible.ts); a kind they may not
 * list anywhere in the view's scope leaves its part empty, with a warning saying so, never a 403. Only a pod's graph
 * is refused (403) when they may not get that pod.
 */
export interface ViewStore {
  topology(context: string, namespace?: string, viewer?: Principal): Promise<ViewResponse>;
  dashboard(context: string, viewer?: Principal): Promise<ViewResponse>;
  workloads(context: string, namespace?: string, viewer?: Principal): Promise<ViewResponse>;
  network(context: string, namespace?: string, viewer?: Principal): Promise<ViewResponse>;
  pod(context: string, namespace: string, name: string, viewer?: Principal): Promise<ViewResponse>;
  /** Drops the caches nobody asked about for the idle time. Runs by itself every minute too. */
  sweep(): void;
  /** Contexts with a cache, for tests and metrics. */
  cachedContexts(): string[];
  /** Per cached context: the objects held and the watches running (kore-board's own metrics). */
  cacheSizes(): Array<{ context: string; objects: number; watches: number }>;
  close(): void;
}

export interface ViewStoreOptions {
  registry: ClusterRegistry;
  clock: Clock;
  log: Logger;
  /** false: no cache, every request lists (the edge, where nothing outlives a request). Default true. */
  watch?: boolean;
  /** A context's cache is dropped after this long without a request. Default 10 min. */
  idleMs?: number;
  pageSize?: number;
  /** Watches end (and resume) after between this and twice this. Default 300 s. */
  watchSeconds?: number;
  /** How long a cluster may take to answer before it counts as unreachable (504). Default 9 s. */
  timeoutMs?: number;
  /** How long a kind's watch may be failing before views warn that it is stale. Default 5 s. */
  staleWarningMs?: number;
  /**
   * An open watch silent this long (no event, no bookmark: API servers send one a minute) is resumed on a new
   * one; a frozen cluster fails that within timeoutMs, and the views turn stale. Default 90 s.
   */
  watchSilenceMs?: number;
  /** Retry delays of a failing list or watch, doubling from first to max. Default 1 s to 30 s. */
  backoffMs?: { first: number; max: number };
  problemLimit?: number;
  /** What users may list, asked of the cluster with their token. Default: reviews kept 10 s by `clock`. */
  access?: AccessReviews;
}

const DASHBOARD_KINDS: readonly ViewKind[] = [
  'nodes',
  'namespaces',
  'pods',
  'deployments',
  'replicasets',
  'daemonsets',
  'statefulsets',
];
const OWNER_KINDS: readonly ViewKind[] = [
  'deployments',
  'daemonsets',
  'statefulsets',
  'cronjobs',
  'replicasets',
  'jobs',
];
const REFERENCE_RESOURCES: Record<Reference['kind'], ResourceName> = {
  ServiceAccount: 'serviceaccounts',
  ConfigMap: 'configmaps',
  Secret: 'secrets',
  PersistentVolumeClaim: 'persistentvolumeclaims',
};
/** Asks for metadata only (a Secret's data has no business crossing the wire); plain JSON from older servers. */
const METADATA_ONLY = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';

/** Rendered views kept per context for reuse, and the largest kept: a whole cluster's topology is not. */
const MAX_RENDERED = 8;
const MAX_RENDERED_LENGTH = 8 << 20;

/** Namespaces are listed only to name them all: a namespace-scoped view does not need them. */
const scoped = (kinds: readonly ViewKind[], namespace: string | undefined): ViewKind[] =>
  namespace === undefined ? [...kinds] : kinds.filter((k) => k !== 'namespaces');

interface Snapshot {
  state: ClusterState;
  troubles: KindTrouble[];
  connection: ClusterConnection;
  cache: ClusterCache | undefined;
  freshness: Freshness;
}

/**
 * What to tell the caller: a forbidden kind in the cluster's own words; kinds that fail alike, once, with
 * the oldest failure time. A watch that broke a moment ago and is being resumed is not worth a warning.
 */
function warningsOf(troubles: readonly KindTrouble[], staleAfterMs: number, now: number): string[] {
  const warnings: string[] = [];
  const alike = new Map<string, { kinds: string[]; since: number | undefined }>();
  for (const t of troubles) {
    if (t.error.code === 403) {
      warnings.push(t.error.message);
      continue;
    }
    if (!t.absent && t.since !== undefined && now - t.since < staleAfterMs) continue;
    const key = `${t.absent ? 'absent' : 'stale'}\0${t.error.message}`;
    const group = alike.get(key) ?? { kinds: [], since: t.since };
    group.kinds.push(t.kind);
    if (t.since !== undefined && (group.since === undefined || t.since < group.since)) group.since = t.since;
    alike.set(key, group);
  }
  for (const [key, { kinds, since }] of alike) {
    const [state, message] = key.split('\0') as [string, string];
    const when = since === undefined ? '' : ` since ${new Date(since).toISOString()}`;
    warnings.push(
      state === 'absent'
        ? `${kinds.join(', ')}: not available: ${message}`
        : `${kinds.join(', ')}: showing the last known state, not updated${when}: ${message}`,
    );
  }
  return warnings;
}

/** Kinds the user may not list leave their part empty; when that is every part, the view itself is forbidden. */
function checkAccess(kinds: readonly ViewKind[], troubles: readonly KindTrouble[]): void {
  const forbidden = troubles.filter((t) => t.error.code === 403);
  const first = forbidden[0];
  if (first !== undefined && forbidden.length === kinds.length) throw first.error;
}

function withWarnings(view: object, warnings: string[]): string {
  return JSON.stringify(warnings.length === 0 ? view : { ...view, warnings });
}

/**
 * The age fields appended to an object view's JSON after memoization, so a reused render still tells the
 * current age without a re-render at every bookmark.
 */
export function withFreshness(json: string, lastSyncTime: string | undefined, stale: boolean): string {
  const fields = `${lastSyncTime === undefined ? '' : `"lastSyncTime":${JSON.stringify(lastSyncTime)},`}"stale":${stale}`;
  return json === '{}' ? `{${fields}}` : `${json.slice(0, -1)},${fields}}`;
}

export function createViewStore(options: ViewStoreOptions): ViewStore {
  const { registry, clock, log } = options;
  const watch = options.watch ?? true;
  const idleMs = options.idleMs ?? 10 * 60_000;
  const pageSize = options.pageSize ?? 500;
  const headersTimeoutMs = options.timeoutMs;
  const staleWarningMs = options.staleWarningMs ?? 5_000;
  const problemLimit = options.problemLimit ?? DEFAULT_PROBLEM_LIMIT;
  const access = options.access ?? createAccessReviews({ clock, headersTimeoutMs: options.timeoutMs });
  /** Per context: its cache, when it was last asked for, and rendered views reusable until their state moves. */
  const caches = new Map<
    string,
    {
      cache: ClusterCache;
      lastUsed: number;
      rendered: Map<string, { version: number; warnings: string; json: string }>;
    }
  >();

  const drop = (context: string) => {
    const entry = caches.get(context);
    if (entry === undefined) return;
    entry.cache.close();
    caches.delete(context);
    log.debug('view cache dropped', { context });
  };
  const unsubscribe = registry.onChange((change) => change.changed.forEach(drop));
  const sweep = () => {
    const now = clock.now();
    for (const [context, entry] of caches) if (now - entry.lastUsed >= idleMs) drop(context);
  };
  // Ticks only while some cache exists, so an app that never serves a view keeps no timer.
  let sweeper: ReturnType<typeof setInterval> | undefined;
  const tick = () => {
    sweep();
    if (caches.size === 0) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  };

  const entryFor = (context: string, connection: ClusterConnection) => {
    let entry = caches.get(context);
    if (entry !== undefined && entry.cache.connection !== connection) {
      drop(context);
      entry = undefined;
    }
    if (entry === undefined) {
      entry = {
        cache: new ClusterCache(connection, {
          pageSize,
          watchSeconds: options.watchSeconds ?? 300,
          headersTimeoutMs,
          silenceMs: options.watchSilenceMs ?? 90_000,
          backoffMs: options.backoffMs,
          clock,
          log,
        }),
        lastUsed: clock.now(),
        rendered: new Map(),
      };
      caches.set(context, entry);
      if (sweeper === undefined) {
        sweeper = setInterval(tick, 60_000);
        sweeper.unref?.();
      }
    }
    entry.lastUsed = clock.now();
    return entry;
  };

  /**
   * The freshest picture that can be had quickly: the cache when it holds the kinds. Cold, a cluster-wide
   * view waits for the cache's first (paginated) list, which is the same list a direct read would make;
   * a namespace-scoped one reads its namespace directly, which is much less than the whole cluster.
   */
  async function read(context: string, kinds: readonly ViewKind[], namespace: string | undefined): Promise<Snapshot> {
    sweep();
    const connection = registry.connection(context);
    const direct = async (cache: ClusterCache | undefined): Promise<Snapshot> => {
      const { state, absent } = await readDirect(connection, kinds, namespace, { pageSize, headersTimeoutMs });
      const troubles = [...absent].map(([kind, error]): KindTrouble => ({
        kind,
        error,
        absent: true,
        since: undefined,
      }));
      return { state, troubles, connection, cache, freshness: { lastSync: clock.now(), broken: undefined } };
    };
    if (!watch) return direct(undefined);
    const { cache } = entryFor(context, connection);
    if (namespace === undefined) await cache.ready(kinds);
    else if (!cache.synced(kinds)) {
      cache.watch(kinds);
      return direct(cache);
    }
    return {
      state: cache.state,
      troubles: cache.troubles(kinds),
      connection,
      cache,
      freshness: cache.freshness(kinds),
    };
  }

  interface Render {
    kinds: readonly ViewKind[];
    namespace: string | undefined;
    render: (s: Snapshot) => object;
    /** Object-shaped views carry their warnings in the body too; hierarchy maps (namespace → nodes) cannot. */
    bodyWarnings: boolean;
    /** For a view that can say when it changes: its name and the number that moves when it does. */
    memo?: { key: string; version: (state: ClusterState) => number };
  }

  const ageOf = ({ lastSync, broken }: Freshness) => ({
    lastSyncTime: lastSync === undefined ? undefined : new Date(lastSync).toISOString(),
    stale: broken !== undefined,
  });

  /** Object-shaped views carry their age in the body too; the answer's headers carry it for every view. */
  const answer = (r: Render, json: string, warnings: string[], freshness: Freshness): ViewResponse => {
    const { lastSyncTime, stale } = ageOf(freshness);
    return { json: r.bodyWarnings ? withFreshness(json, lastSyncTime, stale) : json, warnings, lastSyncTime, stale };
  };

  /** A user's view: the part of the snapshot they may list, rendered for them alone (never memoized). */
  async function userView(
    r: Render,
    snapshot: Snapshot,
    user: Extract<Principal, { kind: 'user' }>,
  ): Promise<ViewResponse> {
    const conn = snapshot.connection.asBearer(user.bearerToken);
    const visible = await visibility(access, conn, snapshot.state, r.kinds, r.namespace);
    const warnings = [
      ...warningsOf(snapshot.troubles, staleWarningMs, clock.now()),
      ...hiddenWarnings(user.username, visible, r.namespace),
    ];
    const rendered = r.render({ ...snapshot, state: visibleState(snapshot.state, visible) });
    const json = r.bodyWarnings ? withWarnings(rendered, warnings) : JSON.stringify(rendered);
    return answer(r, json, warnings, snapshot.freshness);
  }

  async function view(context: string, r: Render, viewer: Principal = OWNER): Promise<ViewResponse> {
    const snapshot = await read(context, r.kinds, r.namespace);
    checkAccess(r.kinds, snapshot.troubles);
    if (viewer.kind === 'user') return userView(r, snapshot, viewer);
    const warnings = warningsOf(snapshot.troubles, staleWarningMs, clock.now());
    const entry = snapshot.cache === undefined || r.memo === undefined ? undefined : caches.get(context);
    const version = r.memo?.version(snapshot.state) ?? 0;
    // A render that names the broken watch (the dashboard's problems) is reused only while it is the same one.
    const key = `${warnings.join('\n')}\0${snapshot.freshness.broken?.error.message ?? ''}`;
    const memo = r.memo === undefined ? undefined : entry?.rendered.get(r.memo.key);
    if (memo !== undefined && memo.version === version && memo.warnings === key)
      return answer(r, memo.json, warnings, snapshot.freshness);
    const rendered = r.render(snapshot);
    const json = r.bodyWarnings ? withWarnings(rendered, warnings) : JSON.stringify(rendered);
    if (entry !== undefined && r.memo !== undefined && json.length <= MAX_RENDERED_LENGTH) {
      // Most recently rendered last; the oldest goes first when there are too many.
      entry.rendered.delete(r.memo.key);
      entry.rendered.set(r.memo.key, { version, warnings: key, json });
      for (const old of entry.rendered.keys()) {
        if (entry.rendered.size <= MAX_RENDERED) break;
        entry.rendered.delete(old);
      }
    }
    return answer(r, json, warnings, snapshot.freshness);
  }

  async function resolve(
    connection: ClusterConnection,
    namespace: string,
    refs: Reference[],
    warnings: string[],
  ): Promise<ReferencedObject[]> {
    return Promise.all(
      refs.map(async (ref): Promise<ReferencedObject> => {
        try {
          const path = resourcePath(RESOURCES[REFERENCE_RESOURCES[ref.kind]], namespace, ref.name);
          const obj = await kubeJson<{ metadata?: { uid?: string } }>(connection, {
            path,
            headers: { accept: METADATA_ONLY },
            headersTimeoutMs,
          });
          const uid = obj.metadata?.uid;
          return { ...ref, found: uid === undefined ? 'unknown' : { uid } };
        } catch (err) {
          const failure = toStatusError(err);
          if (failure.code === 404) return { ...ref, found: 'missing' };
          if (failure.code >= 500) throw failure;
          warnings.push(failure.message);
          return { ...ref, found: 'unknown' };
        }
      }),
    );
  }

  return {
    topology: (context, namespace, viewer) =>
      view(
        context,
        {
          kinds: namespace === undefined ? ['nodes', 'pods'] : ['pods'],
          namespace,
          render: ({ state }) => topology(context, state, namespace),
          bodyWarnings: true,
          // One namespace's picture moves only with its pods (the nodes it shows are where they run).
          memo: {
            key: `topology/${namespace ?? ''}`,
            version: (state) =>
              namespace === undefined ? state.pods.changes() + state.nodes.changes() : state.pods.changes(namespace),
          },
        },
        viewer,
      ),

    // Reused until a change the dashboard shows: a warm request costs a lookup, not a recount.
    dashboard: (context, viewer) =>
      view(
        context,
        {
          kinds: DASHBOARD_KINDS,
          namespace: undefined,
          render: ({ state, freshness }) => dashboard(state.tally, problemLimit, { context, broken: freshness.broken }),
          bodyWarnings: true,
          memo: { key: 'dashboard', version: (state) => state.tally.version },
        },
        viewer,
      ),

    workloads: (context, namespace, viewer) =>
      view(
        context,
        {
          kinds: scoped(['namespaces', ...OWNER_KINDS, 'pods'], namespace),
          namespace,
          render: ({ state }) => workloadGraph(state, namespace),
          bodyWarnings: false,
        },
        viewer,
      ),

    network: (context, namespace, viewer) =>
      view(
        context,
        {
          kinds: scoped(['namespaces', 'services', 'ingresses', 'pods'], namespace),
          namespace,
          render: ({ state }) => networkGraph(state, namespace),
          bodyWarnings: false,
        },
        viewer,
      ),

    async pod(context, namespace, name, viewer = OWNER) {
      const kinds: ViewKind[] = ['pods', ...OWNER_KINDS, 'services'];
      const snapshot = await read(context, kinds, namespace);
      const podsForbidden = snapshot.troubles.find((t) => t.kind === 'pods' && t.error.code === 403);
      if (podsForbidden !== undefined) throw podsForbidden.error;
      // A user sees the pod only if they may get it, its owners and services only where they may list them, and
      // its references are looked up with their token.
      let { state, connection } = snapshot;
      const warnings = warningsOf(snapshot.troubles, staleWarningMs, clock.now());
      if (viewer.kind === 'user') {
        connection = connection.asBearer(viewer.bearerToken);
        await requireAccess(access, connection, viewer, { verb: 'get', group: '', resource: 'pods', namespace, name });
        const visible = await visibility(access, connection, state, kinds, namespace);
        warnings.push(...hiddenWarnings(viewer.username, visible, namespace));
        state = visibleState(state, visible);
      }
      const pod = [...snapshot.state.pods.inNamespace(namespace)].find((p) => p.name === name);
      if (pod === undefined) throw new StatusError('NotFound', `pods "${name}" not found`, { name, kind: 'pods' });
      // The one pod they may get is shown even where they may not list its namespace's pods.
      if (state.pods.get(namespace, pod.uid) === undefined) state.pods.put(pod);
      const referenced = await resolve(connection, namespace, podReferences(pod), warnings);
      return {
        json: JSON.stringify(podGraph(state, pod, referenced)),
        warnings,
        ...ageOf(snapshot.freshness),
      };
    },

    sweep,
    cachedContexts: () => [...caches.keys()],
    cacheSizes: () =>
      [...caches].map(([context, { cache }]) => ({ context, objects: cache.state.size, watches: cache.watches })),
    close() {
      clearInterval(sweeper);
      sweeper = undefined;
      unsubscribe();
      for (const context of [...caches.keys()]) drop(context);
    },
  };
}
