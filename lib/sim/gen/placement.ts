/** Where generated pods go (Ready nodes round-robin, an IP slot per pod), ClusterIPs, and pod streams. */
import type { KubeObject } from '../object-meta';
import { type Ids, MINUTE } from './ids';
import type { NodePlan } from './nodes';
import { isActive, isReady, type OwnerReference, podObject, type PodState, type PodTemplate } from './pods';
import type { PodCounts } from './workloads';

/**
 * Hands out Ready nodes round-robin. NotReady nodes keep only their DaemonSet pods: the rest were evicted
 * and replaced elsewhere once the node had been unreachable for five minutes.
 */
export class Placer {
  private cursor = 0;
  private readonly slots: Uint16Array;
  private readonly ready: readonly NodePlan[];

  constructor(readonly nodes: readonly NodePlan[]) {
    this.slots = new Uint16Array(nodes.length);
    this.ready = nodes.filter((n) => n.ready);
  }

  next(): NodePlan | undefined {
    return this.ready[this.cursor++ % Math.max(1, this.ready.length)];
  }

  /** The next pod IP slot on a node. */
  slot(node: NodePlan): number {
    const slot = this.slots[node.index] ?? 0;
    this.slots[node.index] = slot + 1;
    return slot;
  }

  get unschedulableMessage(): string {
    const total = this.nodes.length;
    const lost = this.nodes.filter((n) => !n.ready).length;
    const ready = total - lost;
    const reasons = [
      ready > 0 ? `${ready} Insufficient cpu` : '',
      lost > 0 ? `${lost} node(s) had untolerated taint {node.kubernetes.io/unreachable: }` : '',
    ].filter(Boolean);
    if (total === 0) return '0/0 nodes are available: no nodes available to schedule pods.';
    return `0/${total} nodes are available: ${reasons.join(', ')}. preemption: 0/${total} nodes are available: ${total} No preemption victims found for incoming pod.`;
  }
}

/** ClusterIPs from 10.96.0.0/12, after the kubernetes (.1) and kube-dns (.10) addresses. */
export class ServiceIPs {
  private next = 16;
  take(): string {
    const n = this.next++;
    return `10.${96 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
  }
}

export interface PodGroup {
  namespace: string;
  owner: OwnerReference;
  template: PodTemplate;
  ageMs: number;
}

/** Pods of one controller in the given states, placed on nodes; counts what its status must say. */
export function* pods(
  group: PodGroup,
  names: Iterable<string>,
  states: Iterable<PodState>,
  ids: Ids,
  placer: Placer,
  fixedNode?: NodePlan,
): Generator<KubeObject, PodCounts> {
  const counts: PodCounts = { active: 0, ready: 0 };
  const nameList = names[Symbol.iterator]();
  for (let state of states) {
    const name = nameList.next().value as string;
    const node = state === 'pending' ? undefined : (fixedNode ?? placer.next());
    if (node === undefined && state !== 'pending') state = 'pending';
    if (node !== undefined && !node.ready && (state === 'running' || state === 'notReady' || state === 'crashLoop'))
      state = 'nodeLost';
    if (isActive(state)) counts.active++;
    if (isReady(state)) counts.ready++;
    yield podObject(
      {
        name,
        namespace: group.namespace,
        template: group.template,
        owner: group.owner,
        state,
        ...(node === undefined ? {} : { node, slot: placer.slot(node) }),
        ageMs: Math.max(5 * MINUTE, Math.floor(group.ageMs * (0.2 + (0.8 * ids.int(0, 1000)) / 1000))),
        ...(state === 'pending' ? { unschedulableMessage: placer.unschedulableMessage } : {}),
      },
      ids,
    );
  }
  return counts;
}

export function* generatedNames(prefix: string, ids: Ids): Generator<string> {
  for (;;) yield `${prefix}-${ids.suffix(5)}`;
}

/** Drains a pod stream into `into` and returns its counts (for owners that must come before their pods). */
export function* collect(stream: Generator<KubeObject, PodCounts>, into: KubeObject[]): Generator<never, PodCounts> {
  let step = stream.next();
  while (step.done !== true) {
    into.push(step.value);
    step = stream.next();
  }
  return step.value;
}
