/** Generated controllers whose status agrees with the pods generated for them. */
import type { KubeObject } from '../object-meta';
import type { OwnerReference } from './pods';

export interface PodCounts {
  /** Pods that are not terminal: what status.replicas counts. */
  active: number;
  ready: number;
}

interface Meta {
  name: string;
  namespace: string;
  uid: string;
  created: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  owner?: OwnerReference;
}

function metadata(meta: Meta): KubeObject['metadata'] {
  const out: KubeObject['metadata'] = {
    name: meta.name,
    namespace: meta.namespace,
    uid: meta.uid,
    generation: 1,
    creationTimestamp: meta.created,
  };
  if (meta.labels !== undefined) out.labels = meta.labels;
  if (meta.annotations !== undefined) out.annotations = meta.annotations;
  if (meta.owner !== undefined) out.ownerReferences = [meta.owner];
  return out;
}

function condition(type: string, status: boolean, at: string, reason: string, message: string) {
  return { type, status: status ? 'True' : 'False', lastUpdateTime: at, lastTransitionTime: at, reason, message };
}

/** The API omits zero counts (omitempty). */
function readyCounts(counts: PodCounts): { readyReplicas?: number; availableReplicas?: number } {
  return counts.ready > 0 ? { readyReplicas: counts.ready, availableReplicas: counts.ready } : {};
}

/** maxUnavailable of the default RollingUpdate strategy: 25%, rounded down. */
function maxUnavailable(replicas: number): number {
  return Math.floor(replicas * 0.25);
}

export function deploymentObject(
  meta: Meta,
  selector: Record<string, string>,
  template: object,
  replicas: number,
  counts: PodCounts,
  rsName: string,
  revision: number,
): KubeObject {
  const available = counts.ready >= replicas - maxUnavailable(replicas);
  const status = {
    observedGeneration: 1,
    replicas: counts.active,
    updatedReplicas: counts.active,
    ...readyCounts(counts),
    ...(counts.active > counts.ready ? { unavailableReplicas: counts.active - counts.ready } : {}),
    conditions: [
      available
        ? condition('Available', true, meta.created, 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
        : condition(
            'Available',
            false,
            meta.created,
            'MinimumReplicasUnavailable',
            'Deployment does not have minimum availability.',
          ),
      condition(
        'Progressing',
        true,
        meta.created,
        'NewReplicaSetAvailable',
        `ReplicaSet "${rsName}" has successfully progressed.`,
      ),
    ],
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata({ ...meta, annotations: { 'deployment.kubernetes.io/revision': String(revision) } }),
    spec: {
      replicas,
      selector: { matchLabels: selector },
      template,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status,
  };
}

export function replicaSetObject(
  meta: Meta,
  selector: Record<string, string>,
  template: object,
  replicas: number,
  counts: PodCounts,
  revision: number,
): KubeObject {
  const status = {
    replicas: counts.active,
    ...(counts.active > 0 ? { fullyLabeledReplicas: counts.active } : {}),
    ...readyCounts(counts),
    observedGeneration: 1,
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: metadata({
      ...meta,
      annotations: {
        'deployment.kubernetes.io/desired-replicas': String(replicas),
        'deployment.kubernetes.io/max-replicas': String(replicas + Math.ceil(replicas * 0.25)),
        'deployment.kubernetes.io/revision': String(revision),
      },
    }),
    spec: { replicas, selector: { matchLabels: selector }, template },
    status,
  };
}

export function daemonSetObject(
  meta: Meta,
  selector: Record<string, string>,
  template: object,
  scheduled: number,
  counts: PodCounts,
): KubeObject {
  const status: Record<string, unknown> = {
    currentNumberScheduled: scheduled,
    numberMisscheduled: 0,
    desiredNumberScheduled: scheduled,
    numberReady: counts.ready,
    observedGeneration: 1,
    updatedNumberScheduled: scheduled,
    numberAvailable: counts.ready,
  };
  if (scheduled > counts.ready) status.numberUnavailable = scheduled - counts.ready;
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: metadata({ ...meta, annotations: { 'deprecated.daemonset.template.generation': '1' } }),
    spec: {
      selector: { matchLabels: selector },
      template,
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      revisionHistoryLimit: 10,
    },
    status,
  };
}

export function statefulSetObject(
  meta: Meta,
  selector: Record<string, string>,
  template: object,
  serviceName: string,
  replicas: number,
  counts: PodCounts,
  revision: string,
  claimTemplates: object[],
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: metadata(meta),
    spec: {
      replicas,
      selector: { matchLabels: selector },
      template,
      serviceName,
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 10,
      volumeClaimTemplates: claimTemplates,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    },
    status: {
      observedGeneration: 1,
      replicas: counts.active,
      readyReplicas: counts.ready,
      currentReplicas: counts.active,
      updatedReplicas: counts.active,
      currentRevision: revision,
      updateRevision: revision,
      collisionCount: 0,
      availableReplicas: counts.ready,
    },
  };
}

export interface JobOutcome {
  succeeded: number;
  failed: number;
  startTime: string;
  completionTime?: string;
}

export function jobObject(meta: Meta, template: object, backoffLimit: number, outcome: JobOutcome): KubeObject {
  const done = outcome.completionTime !== undefined;
  const at = outcome.completionTime ?? outcome.startTime;
  const conditions = done
    ? [
        {
          type: 'SuccessCriteriaMet',
          status: 'True',
          lastProbeTime: at,
          lastTransitionTime: at,
          reason: 'CompletionsReached',
          message: 'Reached expected number of succeeded pods',
        },
        {
          type: 'Complete',
          status: 'True',
          lastProbeTime: at,
          lastTransitionTime: at,
          reason: 'CompletionsReached',
          message: 'Reached expected number of succeeded pods',
        },
      ]
    : [
        {
          type: 'FailureTarget',
          status: 'True',
          lastProbeTime: at,
          lastTransitionTime: at,
          reason: 'BackoffLimitExceeded',
          message: 'Job has reached the specified backoff limit',
        },
        {
          type: 'Failed',
          status: 'True',
          lastProbeTime: at,
          lastTransitionTime: at,
          reason: 'BackoffLimitExceeded',
          message: 'Job has reached the specified backoff limit',
        },
      ];
  const status: Record<string, unknown> = { conditions, startTime: outcome.startTime };
  if (done) status.completionTime = outcome.completionTime;
  if (outcome.succeeded > 0) status.succeeded = outcome.succeeded;
  if (outcome.failed > 0) status.failed = outcome.failed;
  status.terminating = 0;
  status.ready = 0;
  status.uncountedTerminatedPods = {};
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: metadata(meta),
    spec: {
      parallelism: 1,
      completions: 1,
      backoffLimit,
      completionMode: 'NonIndexed',
      suspend: false,
      podReplacementPolicy: 'TerminatingOrFailed',
      manualSelector: false,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': meta.uid } },
      template,
    },
    status,
  };
}

export function cronJobObject(
  meta: Meta,
  schedule: string,
  jobTemplate: object,
  lastScheduleTime: string,
  lastSuccessfulTime: string,
): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: metadata(meta),
    spec: {
      schedule,
      concurrencyPolicy: 'Forbid',
      suspend: false,
      jobTemplate,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
    },
    status: { lastScheduleTime, lastSuccessfulTime },
  };
}
