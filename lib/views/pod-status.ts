import type { RawContainerStatus, RawPod } from './k8s-types';

/**
 * Pod health as kubectl reports it. A pod is ready when it is scheduled, Running and its Ready condition
 * is true; otherwise it is a problem, named by the most telling reason (as in kubectl's STATUS column) —
 * except pods that finished successfully or are being deleted, which are not problems.
 */

export function podReady(pod: RawPod): boolean {
  const scheduled = (pod.spec?.nodeName ?? '') !== '';
  const readyCondition = pod.status?.conditions?.find((c) => c.type === 'Ready');
  return scheduled && pod.status?.phase === 'Running' && readyCondition?.status === 'True';
}

/** Reasons kubelet gives a container that keeps failing or cannot start; they outrank anything else. */
const WAITING_FAILURES = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'ErrImageNeverPull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

function initProblem(statuses: RawContainerStatus[]): string {
  for (const s of statuses) {
    const terminated = s.state?.terminated;
    if (terminated !== undefined && terminated.exitCode !== 0) return `Init:${terminated.reason || 'Error'}`;
    const waiting = s.state?.waiting?.reason;
    if (waiting !== undefined && waiting !== '' && waiting !== 'PodInitializing') return `Init:${waiting}`;
  }
  return '';
}

function containerProblem(statuses: RawContainerStatus[]): string {
  let found = '';
  for (const s of statuses) {
    const waiting = s.state?.waiting?.reason;
    if (waiting !== undefined && WAITING_FAILURES.has(waiting)) return waiting;
    const terminated = s.state?.terminated?.reason;
    found ||= waiting || terminated || '';
  }
  return found;
}

export function podProblem(pod: RawPod): string {
  const status = pod.status ?? {};
  if (pod.metadata?.deletionTimestamp !== undefined || status.phase === 'Succeeded') return '';
  if (status.phase === 'Failed') return status.reason || 'Failed';
  if (podReady(pod)) return '';
  const init = initProblem(status.initContainerStatuses ?? []);
  if (init !== '') return init;
  const container = containerProblem(status.containerStatuses ?? []);
  if (container !== '') return container;
  if ((pod.spec?.nodeName ?? '') === '') {
    const scheduled = status.conditions?.find((c) => c.type === 'PodScheduled');
    return scheduled?.status === 'False' && scheduled.reason ? scheduled.reason : 'Pending';
  }
  if (status.phase === 'Running') return 'NotReady';
  return status.phase || 'Unknown';
}
