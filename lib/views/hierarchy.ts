import { apiVersionOf, RESOURCES } from '../kube/resource';
import type { ClusterState, WorkloadKind } from './state';
import type { SlimObject, SlimWorkload } from './slim';

/**
 * Hierarchy graphs, as the original kore-board served them: per namespace, a flat list of nodes that name
 * their parent by uid in `owner` ('' for a root), with an optional label for the edge in `line`.
 */

export interface HierarchyNode {
  uid: string;
  name: string;
  apiVersion: string;
  kind: string;
  namespace: string;
  line: string;
  owner: string;
}

export type Hierarchy = Record<string, HierarchyNode[]>;

export const API_VERSIONS: Record<string, string> = {
  Pod: apiVersionOf(RESOURCES.pods),
  Service: apiVersionOf(RESOURCES.services),
  ServiceAccount: apiVersionOf(RESOURCES.serviceaccounts),
  ConfigMap: apiVersionOf(RESOURCES.configmaps),
  Secret: apiVersionOf(RESOURCES.secrets),
  PersistentVolumeClaim: apiVersionOf(RESOURCES.persistentvolumeclaims),
  Ingress: apiVersionOf(RESOURCES.ingresses),
  Deployment: apiVersionOf(RESOURCES.deployments),
  DaemonSet: apiVersionOf(RESOURCES.daemonsets),
  StatefulSet: apiVersionOf(RESOURCES.statefulsets),
  ReplicaSet: apiVersionOf(RESOURCES.replicasets),
  Job: apiVersionOf(RESOURCES.jobs),
  CronJob: apiVersionOf(RESOURCES.cronjobs),
};

export function hierarchyNode(kind: string, item: SlimObject, owner = '', line = ''): HierarchyNode {
  return {
    uid: item.uid,
    name: item.name,
    apiVersion: API_VERSIONS[kind] ?? '',
    kind,
    namespace: item.namespace,
    line,
    owner,
  };
}

export const byName = <T extends { name: string }>(items: Iterable<T>): T[] =>
  [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

/** Namespaces a graph covers: the one asked for, or every namespace the cluster listed or an object is in. */
export function graphNamespaces(
  state: ClusterState,
  namespace: string | undefined,
  stores: Iterable<{ namespaces(): Iterable<string> }>,
): string[] {
  if (namespace !== undefined) return [namespace];
  const names = new Set<string>();
  for (const ns of state.namespaces.all()) names.add(ns.name);
  for (const store of stores) for (const ns of store.namespaces()) names.add(ns);
  return [...names].sort();
}

/** Top-down: owners before what they own. */
const TREE_ORDER: readonly WorkloadKind[] = ['Deployment', 'DaemonSet', 'StatefulSet', 'CronJob', 'ReplicaSet', 'Job'];

/**
 * The workload graph: per namespace, Deployments, DaemonSets, StatefulSets, CronJobs, ReplicaSets, Jobs
 * and Pods, each linked to its controlling owner by uid. An owner that is not in the graph (a custom
 * controller, a Node for static pods) is left out of `owner`, so every link lands on a node.
 */
export function workloadGraph(state: ClusterState, namespace?: string): Hierarchy {
  const stores = [...TREE_ORDER.map((k) => state.workload(k)), state.pods];
  const graph: Hierarchy = {};
  for (const ns of graphNamespaces(state, namespace, stores)) {
    const items: { kind: string; item: SlimWorkload | (SlimObject & { owner: SlimWorkload['owner'] }) }[] = [];
    for (const kind of TREE_ORDER)
      for (const item of byName(state.workload(kind).inNamespace(ns))) items.push({ kind, item });
    for (const pod of byName(state.pods.inNamespace(ns))) items.push({ kind: 'Pod', item: pod });
    const present = new Set(items.map(({ item }) => item.uid));
    graph[ns] = items.map(({ kind, item }) =>
      hierarchyNode(kind, item, item.owner !== undefined && present.has(item.owner.uid) ? item.owner.uid : ''),
    );
  }
  return graph;
}
