/**
 * The web UI's node figures, pure: what a Node object says (role, address, version, status, allocatable and
 * capacity), live usage (from the metrics store), the pods on it and its root filesystem (the kubelet's stats
 * summary), and percentages of allocatable. Units: cpu in millicores, memory and storage in bytes, all integers;
 * percentages 0–100 with two decimals. A figure that could not be measured is left out, never given as zero.
 */
import { parseQuantity } from '../kube/quantity';
import type { RawCondition } from '../views/k8s-types';
import type { Usage } from './types';

export interface KubeNode {
  metadata?: { name?: string; creationTimestamp?: string; labels?: Record<string, string> };
  status?: {
    allocatable?: Record<string, string>;
    capacity?: Record<string, string>;
    conditions?: RawCondition[];
    addresses?: { type?: string; address?: string }[];
    nodeInfo?: { kubeletVersion?: string };
  };
}

/** A node's (or the cluster's) figures; a field is absent when it was not measured. */
export interface NodeFigures {
  cpu?: number;
  memory?: number;
  storage?: number;
  pods?: number;
}

export interface NodeMetricsView {
  allocatable: NodeFigures;
  usage: NodeFigures;
  percent: NodeFigures;
}

/** The kubelet's root filesystem, from `/stats/summary`'s `node.fs`. */
export interface FsUsage {
  capacityBytes: number;
  usedBytes: number;
}

const FIELDS = ['cpu', 'memory', 'storage', 'pods'] as const;

/** A quantity in base units, or undefined when absent or malformed (it then bounds nothing). */
function quantity(list: Record<string, string> | undefined, name: string): number | undefined {
  const value = list?.[name];
  if (value === undefined) return undefined;
  try {
    return parseQuantity(value);
  } catch {
    return undefined;
  }
}

/** `{cpu, memory}` of a resource list (status.allocatable, status.capacity) in millicores and bytes; 0 when absent. */
export function cpuMemory(list: Record<string, string> | undefined): Usage {
  return {
    cpu: Math.round((quantity(list, 'cpu') ?? 0) * 1000),
    memory: Math.round(quantity(list, 'memory') ?? 0),
  };
}

export function addUsage(a: Usage, b: Usage): Usage {
  return { cpu: a.cpu + b.cpu, memory: a.memory + b.memory };
}

/** As kubectl's ROLES column: `node-role.kubernetes.io/<role>` keys and `kubernetes.io/role`, sorted; `<none>`. */
export function nodeRoles(labels: Record<string, string> | undefined): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(labels ?? {})) {
    if (key.startsWith('node-role.kubernetes.io/')) {
      const role = key.slice('node-role.kubernetes.io/'.length);
      if (role !== '') roles.add(role);
    } else if (key === 'kubernetes.io/role' && value !== '') roles.add(value);
  }
  return roles.size === 0 ? '<none>' : [...roles].sort().join(',');
}

/** As kubectl's STATUS column without the scheduling part: Ready, NotReady (False or Unknown), or Unknown. */
export function nodeStatus(node: KubeNode): 'Ready' | 'NotReady' | 'Unknown' {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready === undefined) return 'Unknown';
  return ready.status === 'True' ? 'Ready' : 'NotReady';
}

/** The InternalIP, as kubectl's INTERNAL-IP column (`<none>` when the node reports none). */
export function nodeAddress(node: KubeNode): string {
  return node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '<none>';
}

function percentOf(used: number | undefined, of: number | undefined): number | undefined {
  if (used === undefined || of === undefined || of <= 0) return undefined;
  return Math.round((used / of) * 10_000) / 100;
}

function defined(figures: NodeFigures): NodeFigures {
  const out: NodeFigures = {};
  for (const f of FIELDS) if (figures[f] !== undefined) out[f] = figures[f];
  return out;
}

function percents(allocatable: NodeFigures, usage: NodeFigures): NodeFigures {
  const out: NodeFigures = {};
  for (const f of FIELDS) out[f] = percentOf(usage[f], allocatable[f]);
  return defined(out);
}

/**
 * One node's figures. `usage`: its newest point in the metrics store (absent: not measured in the window, as for a
 * NotReady node); `pods`: pods bound to it and not finished; `fs`: its stats summary's root filesystem (absent: the
 * kubelet did not answer), whose capacity stands as allocatable storage.
 */
export function nodeFigures(node: KubeNode, usage: Usage | undefined, pods: number, fs: FsUsage | undefined) {
  const { cpu, memory } = cpuMemory(node.status?.allocatable);
  const allocatable = defined({
    cpu,
    memory,
    storage: fs?.capacityBytes,
    pods: quantity(node.status?.allocatable, 'pods'),
  });
  const used = defined({ cpu: usage?.cpu, memory: usage?.memory, storage: fs?.usedBytes, pods });
  return { allocatable, usage: used, percent: percents(allocatable, used) } satisfies NodeMetricsView;
}

/**
 * The cluster's figures: each field summed over the nodes that measured it, and its percent of those nodes'
 * allocatable (a NotReady node's capacity does not dilute the others' use).
 */
export function clusterFigures(nodes: readonly NodeMetricsView[]): NodeMetricsView {
  const allocatable: NodeFigures = {};
  const usage: NodeFigures = {};
  const measuredOf: NodeFigures = {};
  for (const n of nodes) {
    for (const f of FIELDS) {
      const a = n.allocatable[f];
      const u = n.usage[f];
      if (a !== undefined) allocatable[f] = (allocatable[f] ?? 0) + a;
      if (u !== undefined) usage[f] = (usage[f] ?? 0) + u;
      if (u !== undefined && a !== undefined) measuredOf[f] = (measuredOf[f] ?? 0) + a;
    }
  }
  return { allocatable, usage, percent: percents(measuredOf, usage) };
}

/** The node's row of `GET /api/clusters/:c/nodes`. */
export function nodeRow(node: KubeNode, metrics: NodeMetricsView) {
  return {
    role: nodeRoles(node.metadata?.labels),
    address: nodeAddress(node),
    version: node.status?.nodeInfo?.kubeletVersion ?? '',
    status: nodeStatus(node),
    creationTimestamp: node.metadata?.creationTimestamp ?? '',
    metrics,
  };
}
