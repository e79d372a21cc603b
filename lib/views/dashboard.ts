import type { Freshness } from './cluster-cache';
import type { CountedKind, DashboardTally, ProblemKind, ProblemSource, ReadyCount } from './tally';

/** The dashboard: workload readiness, nodes, namespaces, and the newest problems. */

export interface Problem {
  /** `Cluster`: the cluster itself is unreachable and every figure here is its last known state. */
  kind: ProblemKind | 'Cluster';
  /** '' for nodes and the cluster. */
  namespace: string;
  name: string;
  reason: string;
  /** When the problem started, as far as the object tells (RFC 3339); '' when unknown. */
  since: string;
}

export type Dashboard = Record<CountedKind, ReadyCount> & {
  nodes: { ready: number; total: number };
  namespaces: number;
  /** The newest problems first, at most `problemLimit` of them. */
  problems: Problem[];
  /** How many problems there are in all. */
  problemsTotal: number;
};

export const DEFAULT_PROBLEM_LIMIT = 50;

/** Newest first; ties in a stable order so the list does not shuffle between requests. */
function newerFirst(a: ProblemSource, b: ProblemSource): number {
  const d = b.item.since - a.item.since;
  if (d !== 0) return d;
  const ka = `${a.kind}/${a.item.namespace}/${a.item.name}`;
  const kb = `${b.kind}/${b.item.namespace}/${b.item.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** The `limit` first of `sources` in newerFirst order, without sorting them all. */
function newest(sources: Iterable<ProblemSource>, limit: number): ProblemSource[] {
  const top: ProblemSource[] = [];
  for (const source of sources) {
    const last = top[top.length - 1];
    if (top.length >= limit && (last === undefined || newerFirst(source, last) >= 0)) continue;
    let lo = 0;
    let hi = top.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (newerFirst(top[mid] as ProblemSource, source) <= 0) lo = mid + 1;
      else hi = mid;
    }
    top.splice(lo, 0, source);
    if (top.length > limit) top.pop();
  }
  return top;
}

const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/** The cluster itself, first among the problems while its watch is broken: the figures below it are old. */
function unreachable(context: string, broken: NonNullable<Freshness['broken']>): Problem {
  return {
    kind: 'Cluster',
    namespace: '',
    name: context,
    reason: `unreachable, showing the last known state: ${broken.error.message}`,
    since: broken.since === undefined ? '' : rfc3339(broken.since),
  };
}

export function dashboard(
  tally: DashboardTally,
  problemLimit = DEFAULT_PROBLEM_LIMIT,
  cluster?: { context: string; broken: Freshness['broken'] },
): Dashboard {
  const copy = (c: ReadyCount): ReadyCount => ({ ready: c.ready, available: c.available });
  const head = cluster?.broken === undefined ? [] : [unreachable(cluster.context, cluster.broken)];
  return {
    daemonset: copy(tally.counts.daemonset),
    deployment: copy(tally.counts.deployment),
    replicaset: copy(tally.counts.replicaset),
    statefulset: copy(tally.counts.statefulset),
    pod: copy(tally.counts.pod),
    nodes: { ready: tally.nodes.ready, total: tally.nodes.total },
    namespaces: tally.namespaces,
    problems: [
      ...head,
      ...newest(tally.problems.values(), problemLimit - head.length).map(({ kind, item }) => ({
        kind,
        namespace: item.namespace,
        name: item.name,
        reason: item.problem,
        since: item.since === 0 ? '' : rfc3339(item.since),
      })),
    ],
    problemsTotal: tally.problems.size + head.length,
  };
}
