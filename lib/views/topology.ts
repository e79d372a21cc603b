import type { KindStore } from './kind-store';
import type { SlimNode, SlimPod } from './slim';

/**
 * The topology graph: the cluster, its nodes, the pods placed on them and each pod's containers, with
 * links container → pod → node → cluster. Field names and kinds are the original kore-board's.
 */

export type TopologyKind = 'Cluster' | 'Node' | 'Pod' | 'Container';

export interface TopologyNode {
  id: string;
  name: string;
  kind: TopologyKind;
  namespace?: string;
  /** The node a pod or container runs on (a node's own name for nodes); '' for the cluster and unscheduled pods. */
  group: string;
  image?: string;
  ready?: boolean;
  restartCount?: number;
}

export interface TopologyLink {
  source: string;
  target: string;
  kind: TopologyKind;
  hidden: boolean;
}

export interface Topology {
  nodes: TopologyNode[];
  links: TopologyLink[];
}

export interface TopologyInput {
  nodes: KindStore<SlimNode>;
  pods: KindStore<SlimPod>;
}

export const clusterNodeId = (context: string): string => `cluster-${context}`;

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const sorted = (values: Iterable<string>): string[] => [...values].sort();

/**
 * Cluster-wide, every node is shown. For one namespace, only the nodes its pods run on: a namespace's
 * picture with thousands of unrelated nodes in it would hide the pods. A pod on a node the cluster did not
 * list (deleted, or nodes not readable) still gets that node, so no link points nowhere.
 */
export function topology(context: string, input: TopologyInput, namespace?: string): Topology {
  const clusterId = clusterNodeId(context);
  const nodes: TopologyNode[] = [{ id: clusterId, name: context, kind: 'Cluster', group: '' }];
  const links: TopologyLink[] = [];

  const namespaces = namespace === undefined ? sorted(input.pods.namespaces()) : [namespace];
  const pods: SlimPod[] = [];
  for (const ns of namespaces) pods.push(...[...input.pods.inNamespace(ns)].sort(byName));

  const hosts = new Set<string>();
  if (namespace === undefined) for (const node of input.nodes.all()) hosts.add(node.name);
  for (const pod of pods) if (pod.nodeName !== '') hosts.add(pod.nodeName);
  for (const name of sorted(hosts)) {
    nodes.push({ id: name, name, kind: 'Node', group: name });
    links.push({ source: name, target: clusterId, kind: 'Node', hidden: false });
  }

  for (const pod of pods) {
    const group = pod.nodeName;
    nodes.push({ id: pod.uid, name: pod.name, kind: 'Pod', namespace: pod.namespace, group });
    if (group !== '') links.push({ source: pod.uid, target: group, kind: 'Pod', hidden: false });
    for (const c of pod.containers) {
      // A container not created yet has no runtime ID; it is still shown, under a name unique to its pod.
      const id = c.id === '' ? `${pod.uid}/${c.name}` : c.id;
      nodes.push({
        id,
        name: c.name,
        kind: 'Container',
        namespace: pod.namespace,
        group,
        image: c.image,
        ready: c.ready,
        restartCount: c.restartCount,
      });
      links.push({ source: id, target: pod.uid, kind: 'Container', hidden: false });
    }
  }
  return { nodes, links };
}
