/**
 * The web UI's pod rows and a workload's resource bounds, pure: READY and STATUS as kubectl's `get pods` columns
 * print them, the pod's newest usage, and requests/limits summed over pods' containers (millicores, bytes).
 */
import { parseQuantity } from '../kube/quantity';
import type { RawContainerStatus, RawPod } from '../views/k8s-types';
import type { Usage } from './types';

type Bounds = { cpu?: string; memory?: string };

/** A pod with the containers' resources, which the views' types leave out. */
export type ResourcedPod = RawPod & {
  spec?: { containers?: { resources?: { requests?: Bounds; limits?: Bounds } }[] };
  status?: { containerStatuses?: (RawContainerStatus & { state?: { terminated?: { signal?: number } } })[] };
  metadata?: { deletionTimestamp?: string };
};

/** What a container state says, as kubectl ranks it: a waiting reason, a termination reason, or its exit. */
function stateReason(s: RawContainerStatus & { state?: { terminated?: { signal?: number } } }): string | undefined {
  const { waiting, terminated } = s.state ?? {};
  if (waiting?.reason) return waiting.reason;
  if (terminated === undefined) return undefined;
  if (terminated.reason) return terminated.reason;
  return terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
}

/** The init containers' part of STATUS (`Init:1/2`, `Init:CrashLoopBackOff`), or undefined once they all finished. */
function initStatus(pod: ResourcedPod): string | undefined {
  const statuses = pod.status?.initContainerStatuses ?? [];
  const total = pod.spec?.initContainers?.length ?? statuses.length;
  for (const [i, s] of statuses.entries()) {
    const terminated = s.state?.terminated;
    if (terminated !== undefined && terminated.exitCode === 0) continue;
    if (terminated !== undefined) return `Init:${stateReason(s) ?? 'Error'}`;
    const waiting = s.state?.waiting?.reason;
    if (waiting && waiting !== 'PodInitializing') return `Init:${waiting}`;
    return `Init:${i}/${total}`;
  }
  return undefined;
}

/** kubectl's STATUS column (printPod): the phase or reason, refined by init and container states. */
export function podStatusColumn(pod: ResourcedPod): string {
  const status = pod.status ?? {};
  let reason = status.reason || status.phase || 'Unknown';
  const init = initStatus(pod);
  if (init !== undefined) reason = init;
  else {
    let ready = 0;
    const statuses = status.containerStatuses ?? [];
    for (const s of [...statuses].reverse()) {
      const said = stateReason(s);
      if (said !== undefined) reason = said;
      else if (s.ready === true && s.state?.running !== undefined) ready++;
    }
    const readyCondition = status.conditions?.find((c) => c.type === 'Ready');
    if (reason === 'Running' && statuses.length > 0 && ready < statuses.length && readyCondition?.status !== 'True')
      reason = 'NotReady';
  }
  if (pod.metadata?.deletionTimestamp !== undefined) reason = status.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return reason;
}

/** kubectl's READY column: ready containers of all. */
export function podReadyColumn(pod: ResourcedPod): string {
  const statuses = pod.status?.containerStatuses ?? [];
  const ready = statuses.filter((s) => s.ready === true && s.state?.running !== undefined).length;
  return `${ready}/${pod.spec?.containers?.length ?? statuses.length}`;
}

/** A pod's row: its newest usage, or no cpu/memory when it has no point in the window (not running). */
export function podRow(pod: ResourcedPod, usage: Usage | undefined) {
  return {
    name: pod.metadata?.name ?? '',
    namespace: pod.metadata?.namespace ?? '',
    ready: podReadyColumn(pod),
    status: podStatusColumn(pod),
    metrics: usage === undefined ? {} : { cpu: usage.cpu, memory: usage.memory },
  };
}

function amount(value: string | undefined, scale: number): number {
  if (value === undefined) return 0;
  try {
    return Math.round(parseQuantity(value) * scale);
  } catch {
    return 0; // a malformed bound bounds nothing
  }
}

/** Requests and limits summed over the pods' containers; a container without one adds nothing. */
export function podBounds(pods: readonly ResourcedPod[]): { requests: Usage; limits: Usage } {
  const requests = { cpu: 0, memory: 0 };
  const limits = { cpu: 0, memory: 0 };
  for (const pod of pods) {
    for (const c of pod.spec?.containers ?? []) {
      requests.cpu += amount(c.resources?.requests?.cpu, 1000);
      requests.memory += amount(c.resources?.requests?.memory, 1);
      limits.cpu += amount(c.resources?.limits?.cpu, 1000);
      limits.memory += amount(c.resources?.limits?.memory, 1);
    }
  }
  return { requests, limits };
}

/**
 * Pods per node, in one pass over the list: a pod is counted on its node until it finished (as the scheduler counts
 * against allocatable pods).
 */
export function podsPerNode(pods: readonly RawPod[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const pod of pods) {
    const node = pod.spec?.nodeName;
    const phase = pod.status?.phase;
    if (node === undefined || phase === 'Succeeded' || phase === 'Failed') continue;
    counts.set(node, (counts.get(node) ?? 0) + 1);
  }
  return counts;
}
