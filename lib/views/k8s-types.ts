/**
 * The parts of Kubernetes API objects the views read, as they arrive in JSON. Every field is optional:
 * the API server omits empty ones, and a view must not fail on an object it does not fully understand.
 */

export interface RawOwnerReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean;
}

export interface RawMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  ownerReferences?: RawOwnerReference[];
}

export interface RawCondition {
  type?: string;
  status?: string;
  reason?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
}

export interface RawObject {
  metadata?: RawMeta;
}

export interface RawNode extends RawObject {
  status?: { conditions?: RawCondition[] };
}

interface RawKeyRef {
  name?: string;
}

export interface RawContainer {
  name?: string;
  image?: string;
  env?: { valueFrom?: { configMapKeyRef?: RawKeyRef; secretKeyRef?: RawKeyRef } }[];
  envFrom?: { configMapRef?: RawKeyRef; secretRef?: RawKeyRef }[];
}

export interface RawContainerState {
  waiting?: { reason?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; exitCode?: number };
}

export interface RawContainerStatus {
  name?: string;
  image?: string;
  containerID?: string;
  ready?: boolean;
  restartCount?: number;
  state?: RawContainerState;
}

export interface RawVolume {
  configMap?: { name?: string };
  secret?: { secretName?: string };
  persistentVolumeClaim?: { claimName?: string };
  projected?: { sources?: { configMap?: RawKeyRef; secret?: RawKeyRef }[] };
}

export interface RawPod extends RawObject {
  spec?: {
    nodeName?: string;
    serviceAccountName?: string;
    containers?: RawContainer[];
    initContainers?: RawContainer[];
    volumes?: RawVolume[];
    imagePullSecrets?: RawKeyRef[];
  };
  status?: {
    phase?: string;
    reason?: string;
    podIP?: string;
    conditions?: RawCondition[];
    containerStatuses?: RawContainerStatus[];
    initContainerStatuses?: RawContainerStatus[];
  };
}

export interface RawDeployment extends RawObject {
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    conditions?: RawCondition[];
  };
}

export interface RawReplicated extends RawObject {
  spec?: { replicas?: number };
  status?: { readyReplicas?: number };
}

export interface RawDaemonSet extends RawObject {
  status?: { desiredNumberScheduled?: number; numberReady?: number };
}

export interface RawService extends RawObject {
  spec?: { selector?: Record<string, string> | null };
}

export interface RawIngressBackend {
  service?: { name?: string };
}

export interface RawIngress extends RawObject {
  spec?: {
    defaultBackend?: RawIngressBackend;
    rules?: { host?: string; http?: { paths?: { path?: string; backend?: RawIngressBackend }[] } }[];
  };
}
