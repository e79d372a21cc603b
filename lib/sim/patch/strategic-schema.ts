/**
 * The patch strategies the API server reads from Go struct tags (`patchStrategy`, `patchMergeKey`), for the
 * built-in kinds the simulator serves. A list not described here is replaced whole, as Kubernetes does for
 * lists without a strategy (tolerations, args, command, ...); maps always merge.
 */

export interface FieldStrategy {
  /** Named struct describing the field's value, or each item of a list. */
  type?: StructName;
  /** A list of objects merged item by item on this key. */
  mergeKey?: string;
  /** A list of scalars merged as a set (`finalizers`, `podCIDRs`). */
  mergeSet?: true;
}

export type StructSchema = Readonly<Record<string, FieldStrategy>>;

export type StructName =
  | 'ObjectMeta'
  | 'Container'
  | 'PodSpec'
  | 'PodStatus'
  | 'PodTemplateSpec'
  | 'WorkloadSpec'
  | 'JobTemplateSpec'
  | 'CronJobSpec'
  | 'ServiceSpec'
  | 'NodeSpec'
  | 'NodeStatus'
  | 'ConditionsStatus'
  | 'ServiceAccountFields';

const conditions: FieldStrategy = { mergeKey: 'type' };
const byName = (type?: StructName): FieldStrategy =>
  type === undefined ? { mergeKey: 'name' } : { mergeKey: 'name', type };

const STRUCTS: Readonly<Record<StructName, StructSchema>> = {
  ObjectMeta: { ownerReferences: { mergeKey: 'uid' }, finalizers: { mergeSet: true } },
  Container: {
    ports: { mergeKey: 'containerPort' },
    env: byName(),
    volumeMounts: { mergeKey: 'mountPath' },
    volumeDevices: { mergeKey: 'devicePath' },
  },
  PodSpec: {
    volumes: byName(),
    initContainers: byName('Container'),
    containers: byName('Container'),
    ephemeralContainers: byName('Container'),
    imagePullSecrets: byName(),
    hostAliases: { mergeKey: 'ip' },
    topologySpreadConstraints: { mergeKey: 'topologyKey' },
    resourceClaims: byName(),
    schedulingGates: byName(),
  },
  PodStatus: { conditions, podIPs: { mergeKey: 'ip' }, hostIPs: { mergeKey: 'ip' } },
  PodTemplateSpec: { metadata: { type: 'ObjectMeta' }, spec: { type: 'PodSpec' } },
  WorkloadSpec: { template: { type: 'PodTemplateSpec' } },
  JobTemplateSpec: { metadata: { type: 'ObjectMeta' }, spec: { type: 'WorkloadSpec' } },
  CronJobSpec: { jobTemplate: { type: 'JobTemplateSpec' } },
  ServiceSpec: { ports: { mergeKey: 'port' } },
  NodeSpec: { podCIDRs: { mergeSet: true } },
  NodeStatus: { conditions, addresses: { mergeKey: 'type' } },
  ConditionsStatus: { conditions },
  ServiceAccountFields: { secrets: byName() },
};

function topLevel(spec?: StructName, status?: StructName): StructSchema {
  const schema: Record<string, FieldStrategy> = { metadata: { type: 'ObjectMeta' } };
  if (spec !== undefined) schema.spec = { type: spec };
  if (status !== undefined) schema.status = { type: status };
  return schema;
}

const KINDS: Readonly<Record<string, StructSchema>> = {
  Pod: topLevel('PodSpec', 'PodStatus'),
  PodTemplate: { metadata: { type: 'ObjectMeta' }, template: { type: 'PodTemplateSpec' } },
  Deployment: topLevel('WorkloadSpec', 'ConditionsStatus'),
  ReplicaSet: topLevel('WorkloadSpec', 'ConditionsStatus'),
  ReplicationController: topLevel('WorkloadSpec', 'ConditionsStatus'),
  StatefulSet: topLevel('WorkloadSpec', 'ConditionsStatus'),
  DaemonSet: topLevel('WorkloadSpec', 'ConditionsStatus'),
  Job: topLevel('WorkloadSpec', 'ConditionsStatus'),
  CronJob: topLevel('CronJobSpec'),
  Service: topLevel('ServiceSpec', 'ConditionsStatus'),
  Node: topLevel('NodeSpec', 'NodeStatus'),
  Namespace: topLevel(undefined, 'ConditionsStatus'),
  PersistentVolumeClaim: topLevel(undefined, 'ConditionsStatus'),
  ServiceAccount: { ...topLevel(), ...STRUCTS.ServiceAccountFields },
};

const METADATA_ONLY = topLevel();

/** Top-level schema of a kind; kinds without list strategies still get `metadata` (owner references, finalizers). */
export function kindSchema(kind: string): StructSchema {
  return KINDS[kind] ?? METADATA_ONLY;
}

export function structSchema(name: StructName | undefined): StructSchema | undefined {
  return name === undefined ? undefined : STRUCTS[name];
}
