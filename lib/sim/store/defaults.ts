/**
 * What the cluster's defaulting and controllers would have done by the time a client looks again, done at
 * write time: namespaces are Active, a new pod is scheduled and Running (or Pending when no node is Ready),
 * a Service gets a cluster IP, and workload status follows spec.replicas (so `kubectl scale` shows at once).
 * A new namespace gets its `default` ServiceAccount and `kube-root-ca.crt` ConfigMap, as the controllers add.
 */
import { isObject, type KubeObject } from '../object-meta';

export interface DefaultsContext {
  now(): string;
  /** A Ready, schedulable node, if any. */
  pickNode(): string | undefined;
  allocateServiceIp(): string;
}

type Json = Record<string, unknown>;

function section(obj: KubeObject, key: 'spec' | 'status'): Json {
  const value = obj[key];
  if (isObject(value)) return value;
  const fresh: Json = {};
  obj[key] = fresh;
  return fresh;
}

function podIp(): string {
  return `10.244.${Math.floor(Math.random() * 250)}.${2 + Math.floor(Math.random() * 250)}`;
}

function defaultPod(pod: KubeObject, ctx: DefaultsContext): void {
  const spec = section(pod, 'spec');
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.serviceAccountName ??= 'default';
  if (isObject(pod.status) && typeof pod.status.phase === 'string') return;
  const containers = (Array.isArray(spec.containers) ? spec.containers : []).filter(isObject);
  const now = ctx.now();
  const node = typeof spec.nodeName === 'string' ? spec.nodeName : ctx.pickNode();
  if (node === undefined) {
    pod.status = {
      phase: 'Pending',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          lastProbeTime: null,
          lastTransitionTime: now,
          reason: 'Unschedulable',
          message: '0/0 nodes are available: no nodes available to schedule pods.',
        },
      ],
      qosClass: 'BestEffort',
    };
    return;
  }
  spec.nodeName = node;
  const ip = podIp();
  const condition = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now });
  pod.status = {
    phase: 'Running',
    conditions: [
      condition('PodReadyToStartContainers'),
      condition('Initialized'),
      condition('Ready'),
      condition('ContainersReady'),
      condition('PodScheduled'),
    ],
    hostIP: '10.0.0.10',
    hostIPs: [{ ip: '10.0.0.10' }],
    podIP: ip,
    podIPs: [{ ip }],
    startTime: now,
    containerStatuses: containers.map((c) => ({
      name: c.name,
      state: { running: { startedAt: now } },
      lastState: {},
      ready: true,
      restartCount: 0,
      image: c.image,
      imageID: `${String(c.image)}@sha256:${'0'.repeat(64)}`,
      containerID: `containerd://${Math.random().toString(16).slice(2).padEnd(64, '0')}`,
      started: true,
    })),
    qosClass: 'BestEffort',
  };
}

function defaultService(svc: KubeObject, ctx: DefaultsContext): void {
  const spec = section(svc, 'spec');
  spec.type ??= 'ClusterIP';
  if (spec.clusterIP === undefined && spec.type !== 'ExternalName') {
    spec.clusterIP = ctx.allocateServiceIp();
    spec.clusterIPs = [spec.clusterIP];
  }
  spec.sessionAffinity ??= 'None';
  if (Array.isArray(spec.ports)) {
    spec.ports = spec.ports
      .filter(isObject)
      .map((p) => ({ protocol: 'TCP', ...p, targetPort: p.targetPort ?? p.port }));
  }
  svc.status ??= { loadBalancer: {} };
}

/** Deployments, ReplicaSets and StatefulSets report every desired replica ready, as after a rollout. */
function followReplicas(obj: KubeObject): void {
  const spec = section(obj, 'spec');
  const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
  spec.replicas = replicas;
  const status = section(obj, 'status');
  status.observedGeneration = obj.metadata.generation ?? 1;
  status.replicas = replicas;
  status.readyReplicas = replicas;
  status.availableReplicas = replicas;
  if (obj.kind === 'ReplicaSet') status.fullyLabeledReplicas = replicas;
  else status.updatedReplicas = replicas;
  if (obj.kind === 'StatefulSet') status.currentReplicas = replicas;
}

const WORKLOADS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet']);

export function applyCreateDefaults(obj: KubeObject, ctx: DefaultsContext): void {
  switch (obj.kind) {
    case 'Namespace': {
      obj.metadata.labels = { 'kubernetes.io/metadata.name': obj.metadata.name ?? '', ...obj.metadata.labels };
      const spec = section(obj, 'spec');
      spec.finalizers ??= ['kubernetes'];
      obj.status = { phase: 'Active' };
      break;
    }
    case 'Pod':
      defaultPod(obj, ctx);
      break;
    case 'Service':
      defaultService(obj, ctx);
      break;
    case 'Secret':
      obj.type ??= 'Opaque';
      break;
    case 'Deployment': {
      const spec = section(obj, 'spec');
      spec.strategy =
        isObject(spec.strategy) && spec.strategy.type !== undefined
          ? spec.strategy
          : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } };
      spec.revisionHistoryLimit ??= 10;
      spec.progressDeadlineSeconds ??= 600;
      followReplicas(obj);
      break;
    }
    default:
      if (WORKLOADS.has(obj.kind)) followReplicas(obj);
  }
}

/** The objects the controllers create alongside a new one (a namespace's service account and CA bundle). */
export function companionsOf(obj: KubeObject, caPem: string): KubeObject[] {
  if (obj.kind !== 'Namespace') return [];
  const namespace = obj.metadata.name ?? '';
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kube-root-ca.crt', namespace },
      data: { 'ca.crt': caPem },
    },
  ];
}

export function applyUpdateDefaults(obj: KubeObject, previous: KubeObject, ctx: DefaultsContext): void {
  // A spec change (new generation) is rolled out at once: status observes it and every replica is updated.
  if (WORKLOADS.has(obj.kind) && obj.metadata.generation !== previous.metadata.generation) followReplicas(obj);
  if (obj.kind === 'Service') defaultService(obj, ctx);
}
