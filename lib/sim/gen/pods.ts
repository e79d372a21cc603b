/**
 * Generated Pods and their statuses. A pod is made from a template shared by its siblings (never mutated,
 * so sharing it is safe and keeps 150,000 pods cheap) plus the few per-pod facts: name, node, IP, state.
 */
import type { KubeObject } from '../object-meta';
import { type Ids, MINUTE, timestamp } from './ids';
import type { NodePlan } from './nodes';

/**
 * running: Ready. notReady: readiness probe failing. crashLoop: CrashLoopBackOff. pending: unschedulable.
 * nodeLost: on a NotReady node, marked not ready by the node controller. evicted/failed/succeeded: terminal.
 */
export type PodState =
  'running' | 'notReady' | 'crashLoop' | 'pending' | 'nodeLost' | 'evicted' | 'failed' | 'succeeded';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: true;
  blockOwnerDeletion: true;
}

export function ownerRef(apiVersion: string, kind: string, name: string, uid: string): OwnerReference {
  return { apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: true };
}

export interface ContainerImage {
  name: string;
  image: string;
  imageID: string;
}

export interface PodTemplate {
  labels: Readonly<Record<string, string>>;
  annotations?: Readonly<Record<string, string>>;
  /** Everything in spec except nodeName. */
  spec: Readonly<Record<string, unknown>>;
  images: readonly ContainerImage[];
  qosClass: 'Guaranteed' | 'Burstable' | 'BestEffort';
}

export interface PodPlan {
  name: string;
  namespace: string;
  template: PodTemplate;
  owner?: OwnerReference;
  state: PodState;
  node?: NodePlan;
  /** Index of the pod on its node, for its IP. */
  slot?: number;
  /** How long ago the pod was created. */
  ageMs: number;
  /** For pending pods: what the scheduler said. */
  unschedulableMessage?: string;
}

/** Counted in a controller's status.replicas (terminal pods are not). */
export function isActive(state: PodState): boolean {
  return state !== 'evicted' && state !== 'failed' && state !== 'succeeded';
}

export function isReady(state: PodState): boolean {
  return state === 'running';
}

export function podObject(plan: PodPlan, ids: Ids): KubeObject {
  const uid = ids.uid();
  const metadata: Record<string, unknown> = {
    name: plan.name,
    namespace: plan.namespace,
    uid,
    creationTimestamp: ids.ago(plan.ageMs),
    labels: plan.template.labels,
  };
  if (plan.owner !== undefined) {
    metadata.generateName = plan.name.slice(0, plan.name.lastIndexOf('-') + 1);
    metadata.ownerReferences = [plan.owner];
  }
  if (plan.template.annotations !== undefined) metadata.annotations = plan.template.annotations;
  const spec =
    plan.node !== undefined && plan.state !== 'pending'
      ? { ...plan.template.spec, nodeName: plan.node.name }
      : plan.template.spec;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: metadata,
    spec,
    status: podStatus(plan, uid, ids),
  };
}

function podStatus(plan: PodPlan, uid: string, ids: Ids): Record<string, unknown> {
  const created = ids.now - plan.ageMs;
  const scheduled = timestamp(created + 1000);
  const started = timestamp(created + ids.int(2, 20) * 1000);
  const condition = (type: string, status = 'True', at = started, reason?: string, message?: string) => {
    const c: Record<string, unknown> = { type, status, lastProbeTime: null, lastTransitionTime: at };
    if (reason !== undefined) c.reason = reason;
    if (message !== undefined) c.message = message;
    return c;
  };
  const { template, state, node } = plan;

  if (state === 'pending' || node === undefined) {
    return {
      phase: 'Pending',
      conditions: [
        condition(
          'PodScheduled',
          'False',
          scheduled,
          'Unschedulable',
          plan.unschedulableMessage ?? '0/0 nodes are available: no nodes available to schedule pods.',
        ),
      ],
      qosClass: template.qosClass,
    };
  }

  const podIP = template.spec.hostNetwork === true ? node.internalIP : `${node.podNet}.${2 + ((plan.slot ?? 0) % 250)}`;
  const placed = {
    hostIP: node.internalIP,
    hostIPs: [{ ip: node.internalIP }],
    podIP,
    podIPs: [{ ip: podIP }],
    startTime: started,
  };
  const names = template.images.map((c) => c.name);
  const since = ids.ago(ids.int(1, Math.max(1, Math.floor(plan.ageMs / MINUTE))) * MINUTE);
  const containerStatus = (
    image: ContainerImage,
    ready: boolean,
    state: Record<string, unknown>,
    restartCount = 0,
    lastState: object = {},
  ) => ({
    containerID: `containerd://${ids.hex(64)}`,
    image: image.image,
    imageID: image.imageID,
    lastState,
    name: image.name,
    ready,
    restartCount,
    started: 'running' in state,
    state,
  });
  const running = { running: { startedAt: started } };
  // Scheduled and started, but a container is not ready: the kubelet's conditions for it.
  const containersNotReady = (message: string) => [
    condition('PodReadyToStartContainers'),
    condition('Initialized', 'True', scheduled),
    condition('Ready', 'False', since, 'ContainersNotReady', message),
    condition('ContainersReady', 'False', since, 'ContainersNotReady', message),
    condition('PodScheduled', 'True', scheduled),
  ];

  switch (state) {
    case 'running':
    case 'nodeLost':
      return {
        phase: 'Running',
        conditions: [
          condition('PodReadyToStartContainers'),
          condition('Initialized', 'True', scheduled),
          state === 'running' ? condition('Ready') : condition('Ready', 'False', since),
          condition('ContainersReady'),
          condition('PodScheduled', 'True', scheduled),
        ],
        ...placed,
        containerStatuses: template.images.map((image) => containerStatus(image, true, running)),
        qosClass: template.qosClass,
      };
    case 'notReady': {
      const message = `containers with unready status: [${names[0] ?? ''}]`;
      return {
        phase: 'Running',
        conditions: containersNotReady(message),
        ...placed,
        containerStatuses: template.images.map((image, i) => containerStatus(image, i !== 0, running)),
        qosClass: template.qosClass,
      };
    }
    case 'crashLoop': {
      const first = names[0] ?? '';
      const message = `containers with unready status: [${first}]`;
      const restarts = ids.int(3, 180);
      const finished = ids.ago(ids.int(10, 290) * 1000);
      return {
        phase: 'Running',
        conditions: containersNotReady(message),
        ...placed,
        containerStatuses: template.images.map((image, i) =>
          i === 0
            ? containerStatus(
                image,
                false,
                {
                  waiting: {
                    reason: 'CrashLoopBackOff',
                    message: `back-off 5m0s restarting failed container=${first} pod=${plan.name}_${plan.namespace}(${uid})`,
                  },
                },
                restarts,
                {
                  terminated: {
                    exitCode: 1,
                    reason: 'Error',
                    startedAt: ids.ago(320_000),
                    finishedAt: finished,
                    containerID: `containerd://${ids.hex(64)}`,
                  },
                },
              )
            : containerStatus(image, true, running),
        ),
        qosClass: template.qosClass,
      };
    }
    case 'evicted':
      return {
        phase: 'Failed',
        conditions: [
          condition(
            'DisruptionTarget',
            'True',
            since,
            'TerminationByKubelet',
            'The node was low on resource: memory. ',
          ),
          condition('PodReadyToStartContainers', 'False', since),
          condition('Initialized', 'True', scheduled),
          condition('Ready', 'False', since, 'PodFailed'),
          condition('ContainersReady', 'False', since, 'PodFailed'),
          condition('PodScheduled', 'True', scheduled),
        ],
        message: `The node was low on resource: memory. Threshold quantity: 100Mi, available: 87204Ki. Container ${names[0] ?? ''} was using 1843212Ki, request is 128Mi, has larger consumption of memory. `,
        reason: 'Evicted',
        ...placed,
        containerStatuses: template.images.map((image) =>
          containerStatus(image, false, {
            terminated: {
              exitCode: 137,
              reason: 'ContainerStatusUnknown',
              message: 'The container could not be located when the pod was terminated',
              startedAt: null,
              finishedAt: null,
            },
          }),
        ),
        qosClass: template.qosClass,
      };
    case 'failed':
    case 'succeeded': {
      const ok = state === 'succeeded';
      const finishedAt = timestamp(created + ids.int(30, 600) * 1000);
      return {
        phase: ok ? 'Succeeded' : 'Failed',
        conditions: [
          condition('PodReadyToStartContainers', 'False', finishedAt),
          condition('Initialized', 'True', scheduled, ok ? 'PodCompleted' : undefined),
          condition('Ready', 'False', finishedAt, ok ? 'PodCompleted' : 'PodFailed'),
          condition('ContainersReady', 'False', finishedAt, ok ? 'PodCompleted' : 'PodFailed'),
          condition('PodScheduled', 'True', scheduled),
        ],
        ...placed,
        containerStatuses: template.images.map((image) =>
          containerStatus(image, false, {
            terminated: {
              exitCode: ok ? 0 : 1,
              reason: ok ? 'Completed' : 'Error',
              startedAt: started,
              finishedAt,
              containerID: `containerd://${ids.hex(64)}`,
            },
          }),
        ),
        qosClass: template.qosClass,
      };
    }
  }
}
