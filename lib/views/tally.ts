import type { SlimNode, SlimObject, SlimPod, SlimWorkload } from './slim';

/**
 * The dashboard's numbers, kept current as objects change instead of recounted per request: each change
 * subtracts what the old version contributed and adds what the new one does. `version` moves only when
 * something the dashboard shows changed, so a rendered dashboard can be reused until then.
 */

export type CountedKind = 'daemonset' | 'deployment' | 'replicaset' | 'statefulset' | 'pod';

export interface ReadyCount {
  /** How many are fully ready. */
  ready: number;
  /** How many exist. */
  available: number;
}

export type ProblemKind = 'Pod' | 'Deployment' | 'Node';

export interface ProblemSource {
  readonly kind: ProblemKind;
  readonly item: SlimObject & { readonly problem: string; readonly since: number };
}

interface Health {
  readonly ready: boolean;
  readonly problem: string;
  readonly since: number;
}

export class DashboardTally {
  version = 0;
  readonly counts: Record<CountedKind, ReadyCount> = {
    daemonset: { ready: 0, available: 0 },
    deployment: { ready: 0, available: 0 },
    replicaset: { ready: 0, available: 0 },
    statefulset: { ready: 0, available: 0 },
    pod: { ready: 0, available: 0 },
  };
  readonly nodes = { ready: 0, total: 0 };
  namespaces = 0;
  /** Objects that are problems now, by uid. */
  readonly problems = new Map<string, ProblemSource>();

  private count<K extends 'available' | 'total'>(
    target: { ready: number } & Record<K, number>,
    total: K,
    before: Health | undefined,
    after: Health | undefined,
  ): void {
    const delta = (after === undefined ? 0 : 1) - (before === undefined ? 0 : 1);
    const readyDelta = (after?.ready ? 1 : 0) - (before?.ready ? 1 : 0);
    if (delta === 0 && readyDelta === 0) return;
    (target as Record<K, number>)[total] += delta;
    target.ready += readyDelta;
    this.version++;
  }

  private problem(
    kind: ProblemKind,
    before: (SlimObject & Health) | undefined,
    after: (SlimObject & Health) | undefined,
  ): void {
    const was = before !== undefined && before.problem !== '';
    const is = after !== undefined && after.problem !== '';
    if (!was && !is) return;
    if (was && is && before.problem === after.problem && before.since === after.since && before.uid === after.uid) {
      // Same problem; keep the newer object so name changes (none in practice) cannot go stale.
      this.problems.set(after.uid, { kind, item: after });
      return;
    }
    if (was) this.problems.delete(before.uid);
    if (is) this.problems.set(after.uid, { kind, item: after });
    this.version++;
  }

  workload(kind: Exclude<CountedKind, 'pod'>, before: SlimWorkload | undefined, after: SlimWorkload | undefined): void {
    this.count(this.counts[kind], 'available', before, after);
    if (kind === 'deployment') this.problem('Deployment', before, after);
  }

  pod(before: SlimPod | undefined, after: SlimPod | undefined): void {
    this.count(this.counts.pod, 'available', before, after);
    this.problem('Pod', before, after);
  }

  node(before: SlimNode | undefined, after: SlimNode | undefined): void {
    this.count(this.nodes, 'total', before, after);
    this.problem('Node', before, after);
  }

  namespace(before: SlimObject | undefined, after: SlimObject | undefined): void {
    const delta = (after === undefined ? 0 : 1) - (before === undefined ? 0 : 1);
    if (delta === 0) return;
    this.namespaces += delta;
    this.version++;
  }
}
