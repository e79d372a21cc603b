import type { ReflectorSink } from '../kube/reflector';
import { RESOURCES, type ResourceType } from '../kube/resource';
import { Interner } from './intern';
import { KindStore } from './kind-store';
import {
  identityOf,
  slimDaemonSet,
  slimDeployment,
  slimIngress,
  slimNamespace,
  slimNode,
  slimOwned,
  slimPod,
  slimReplicated,
  slimService,
  type SlimIngress,
  type SlimNode,
  type SlimObject,
  type SlimPod,
  type SlimService,
  type SlimWorkload,
} from './slim';
import { DashboardTally } from './tally';

/** The kinds the views are computed from. */
export const VIEW_KINDS = [
  'nodes',
  'namespaces',
  'pods',
  'services',
  'ingresses',
  'deployments',
  'replicasets',
  'daemonsets',
  'statefulsets',
  'jobs',
  'cronjobs',
] as const;
export type ViewKind = (typeof VIEW_KINDS)[number];

/** The workload kinds of the ownership tree, by their `kind`. */
export const WORKLOAD_KINDS = {
  Deployment: 'deployments',
  DaemonSet: 'daemonsets',
  StatefulSet: 'statefulsets',
  CronJob: 'cronjobs',
  ReplicaSet: 'replicasets',
  Job: 'jobs',
} as const satisfies Record<string, ViewKind>;
export type WorkloadKind = keyof typeof WORKLOAD_KINDS;

interface KindSink extends ReflectorSink {
  clear(): void;
  readonly size: number;
}

/** Slims on arrival and drops the raw object. */
function kindSink<T extends SlimObject>(
  store: KindStore<T>,
  slim: (raw: unknown, intern: Interner) => T,
  intern: Interner,
): KindSink {
  return {
    beginSync: () => store.beginSync(),
    upsert: (raw) => store.put(slim(raw, intern)),
    remove: (raw) => {
      const { namespace, uid } = identityOf(raw, intern);
      store.delete(namespace, uid);
    },
    endSync: () => store.endSync(),
    clear: () => store.clear(),
    get size() {
      return store.size;
    },
  };
}

/**
 * Everything the views know about one cluster: a store of slim objects per kind and the dashboard's
 * running counters. Filled by reflectors (the watch cache) or by one-off lists (before the cache is warm);
 * the views read it the same way in both cases.
 */
export class ClusterState {
  readonly intern = new Interner();
  readonly tally = new DashboardTally();
  readonly nodes = new KindStore<SlimNode>((a, b) => this.tally.node(a, b));
  readonly namespaces = new KindStore<SlimObject>((a, b) => this.tally.namespace(a, b));
  readonly pods = new KindStore<SlimPod>((a, b) => this.tally.pod(a, b));
  readonly services = new KindStore<SlimService>();
  readonly ingresses = new KindStore<SlimIngress>();
  readonly deployments = new KindStore<SlimWorkload>((a, b) => this.tally.workload('deployment', a, b));
  readonly replicasets = new KindStore<SlimWorkload>((a, b) => this.tally.workload('replicaset', a, b));
  readonly daemonsets = new KindStore<SlimWorkload>((a, b) => this.tally.workload('daemonset', a, b));
  readonly statefulsets = new KindStore<SlimWorkload>((a, b) => this.tally.workload('statefulset', a, b));
  readonly jobs = new KindStore<SlimWorkload>();
  readonly cronjobs = new KindStore<SlimWorkload>();

  private readonly sinks: { [K in ViewKind]: KindSink } = {
    nodes: kindSink(this.nodes, slimNode, this.intern),
    namespaces: kindSink(this.namespaces, slimNamespace, this.intern),
    pods: kindSink(this.pods, slimPod, this.intern),
    services: kindSink(this.services, slimService, this.intern),
    ingresses: kindSink(this.ingresses, slimIngress, this.intern),
    deployments: kindSink(this.deployments, slimDeployment, this.intern),
    replicasets: kindSink(this.replicasets, slimReplicated, this.intern),
    daemonsets: kindSink(this.daemonsets, slimDaemonSet, this.intern),
    statefulsets: kindSink(this.statefulsets, slimReplicated, this.intern),
    jobs: kindSink(this.jobs, slimOwned, this.intern),
    cronjobs: kindSink(this.cronjobs, slimOwned, this.intern),
  };

  /** Objects held, every kind together. */
  get size(): number {
    let total = 0;
    for (const sink of Object.values(this.sinks)) total += sink.size;
    return total;
  }

  /** Where list pages and watch events of one kind go. */
  sink(kind: ViewKind): ReflectorSink {
    return this.sinks[kind];
  }

  /** Forgets one kind entirely (its access was revoked). */
  clear(kind: ViewKind): void {
    this.sinks[kind].clear();
  }

  workload(kind: WorkloadKind): KindStore<SlimWorkload> {
    return this[WORKLOAD_KINDS[kind]];
  }
}

export function resourceOf(kind: ViewKind): ResourceType {
  return RESOURCES[kind];
}
