import type { Interner } from './intern';
import type {
  RawCondition,
  RawDaemonSet,
  RawDeployment,
  RawIngress,
  RawMeta,
  RawNode,
  RawObject,
  RawOwnerReference,
  RawPod,
  RawReplicated,
  RawService,
} from './k8s-types';
import { podProblem, podReady } from './pod-status';

/**
 * The few fields of each kind the views use, cut from the API objects as they arrive, so a cache of
 * 150,000 pods holds what the views need and nothing else. Strings and values that repeat across
 * objects are shared through an Interner.
 */

export type Labels = Readonly<Record<string, string>>;

export interface OwnerRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
}

/** An object a pod reads: a ConfigMap, Secret or PersistentVolumeClaim in its namespace. */
export interface ObjectRef {
  readonly kind: 'ConfigMap' | 'Secret' | 'PersistentVolumeClaim';
  readonly name: string;
}

export interface SlimObject {
  readonly uid: string;
  readonly name: string;
  /** '' for cluster-scoped objects. */
  readonly namespace: string;
}

export interface SlimNode extends SlimObject {
  readonly ready: boolean;
  /** Why the node is not ready ('' when it is). */
  readonly problem: string;
  /** When the Ready condition last changed (ms since epoch; 0 when unknown). */
  readonly since: number;
}

export interface SlimContainer {
  /** The runtime's container ID; '' until the container was created. */
  readonly id: string;
  readonly name: string;
  readonly image: string;
  readonly ready: boolean;
  readonly restartCount: number;
}

export interface SlimPod extends SlimObject {
  /** '' until the pod is scheduled. */
  readonly nodeName: string;
  readonly podIP: string;
  readonly labels: Labels;
  readonly owner: OwnerRef | undefined;
  readonly serviceAccount: string;
  readonly refs: readonly ObjectRef[];
  readonly containers: readonly SlimContainer[];
  /** Scheduled, Running and its Ready condition true. */
  readonly ready: boolean;
  /** A kubectl-like reason when the pod is a problem (not ready, crash-looping, failed); '' otherwise. */
  readonly problem: string;
  readonly since: number;
}

/** Deployments, ReplicaSets, DaemonSets, StatefulSets, Jobs and CronJobs. */
export interface SlimWorkload extends SlimObject {
  readonly owner: OwnerRef | undefined;
  /** Fully ready, by the rule of its kind (see the slim function); always false for Jobs and CronJobs. */
  readonly ready: boolean;
  /** Why it is a problem ('' when it is not); only Deployments short of replicas are. */
  readonly problem: string;
  readonly since: number;
}

export interface SlimService extends SlimObject {
  /** undefined for a service without a selector: its endpoints are managed by hand, it selects no pod. */
  readonly selector: Labels | undefined;
}

export interface IngressRoute {
  readonly service: string;
  readonly host: string;
  readonly path: string;
  /** The ingress's default backend rather than a rule. */
  readonly fallback: boolean;
}

export interface SlimIngress extends SlimObject {
  readonly routes: readonly IngressRoute[];
}

const NO_REFS: readonly ObjectRef[] = Object.freeze([]);
const NO_LABELS: Labels = Object.freeze({});

export function timeOf(iso: string | undefined): number {
  if (iso === undefined) return 0;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? 0 : ms;
}

export function condition(conditions: RawCondition[] | undefined, type: string): RawCondition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** Identity every kind shares. Objects without a uid (never from a real API server) are keyed by name. */
function base(meta: RawMeta | undefined, intern: Interner): SlimObject {
  const name = meta?.name ?? '';
  const namespace = intern.string(meta?.namespace ?? '');
  return { uid: meta?.uid ?? `${namespace}/${name}`, name, namespace };
}

/** The controlling owner (as kubectl and the garbage collector see it), else the first one. */
function ownerOf(refs: RawOwnerReference[] | undefined, intern: Interner): OwnerRef | undefined {
  const ref = refs?.find((r) => r.controller === true) ?? refs?.[0];
  if (ref?.uid === undefined) return undefined;
  const { uid } = ref;
  return intern.value(`owner\0${uid}`, () =>
    Object.freeze({
      apiVersion: intern.string(ref.apiVersion ?? ''),
      kind: intern.string(ref.kind ?? ''),
      name: intern.string(ref.name ?? ''),
      uid,
    }),
  );
}

function labelsOf(labels: Record<string, string> | undefined | null, intern: Interner): Labels {
  if (labels === undefined || labels === null) return NO_LABELS;
  const entries = Object.entries(labels);
  if (entries.length === 0) return NO_LABELS;
  return intern.value(`labels\0${JSON.stringify(labels)}`, () => {
    const shared: Record<string, string> = {};
    for (const [k, v] of entries) shared[intern.string(k)] = intern.string(String(v));
    return Object.freeze(shared);
  });
}

/** Identity of an object as the delete event carries it: enough to remove it from a store. */
export function identityOf(raw: unknown, intern: Interner): SlimObject {
  return base((raw as RawObject).metadata, intern);
}

export function slimNamespace(raw: unknown, intern: Interner): SlimObject {
  return identityOf(raw, intern);
}

export function slimNode(raw: unknown, intern: Interner): SlimNode {
  const node = raw as RawNode;
  const readyCondition = condition(node.status?.conditions, 'Ready');
  const ready = readyCondition?.status === 'True';
  const problem = ready
    ? ''
    : intern.string(readyCondition === undefined ? 'Unknown' : readyCondition.reason || 'NotReady');
  const { uid, name, namespace } = base(node.metadata, intern);
  return { uid, name, namespace, ready, problem, since: timeOf(readyCondition?.lastTransitionTime) };
}

function podRefs(pod: RawPod, intern: Interner): readonly ObjectRef[] {
  const found = new Set<string>();
  const add = (kind: ObjectRef['kind'], name: string | undefined) => {
    if (name !== undefined && name !== '') found.add(`${kind}\0${name}`);
  };
  for (const v of pod.spec?.volumes ?? []) {
    add('ConfigMap', v.configMap?.name);
    add('Secret', v.secret?.secretName);
    add('PersistentVolumeClaim', v.persistentVolumeClaim?.claimName);
    for (const source of v.projected?.sources ?? []) {
      add('ConfigMap', source.configMap?.name);
      add('Secret', source.secret?.name);
    }
  }
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const from of c.envFrom ?? []) {
      add('ConfigMap', from.configMapRef?.name);
      add('Secret', from.secretRef?.name);
    }
    for (const e of c.env ?? []) {
      add('ConfigMap', e.valueFrom?.configMapKeyRef?.name);
      add('Secret', e.valueFrom?.secretKeyRef?.name);
    }
  }
  for (const s of pod.spec?.imagePullSecrets ?? []) add('Secret', s.name);
  if (found.size === 0) return NO_REFS;
  const keys = [...found].sort();
  return intern.value(`refs\0${keys.join('\u0001')}`, () =>
    Object.freeze(
      keys.map((key) => {
        const [kind, name] = key.split('\0') as [ObjectRef['kind'], string];
        return Object.freeze({ kind, name: intern.string(name) });
      }),
    ),
  );
}

export function slimPod(raw: unknown, intern: Interner): SlimPod {
  const pod = raw as RawPod;
  const statuses = pod.status?.containerStatuses ?? [];
  const containers = (pod.spec?.containers ?? []).map((c): SlimContainer => {
    const status = statuses.find((s) => s.name === c.name);
    return {
      id: status?.containerID ?? '',
      name: intern.string(c.name ?? ''),
      image: intern.string(c.image ?? status?.image ?? ''),
      ready: status?.ready === true,
      restartCount: status?.restartCount ?? 0,
    };
  });
  const readyCondition = condition(pod.status?.conditions, 'Ready');
  const { uid, name, namespace } = base(pod.metadata, intern);
  // Spelled out rather than spread: all fields then live inside the object, which matters at 150,000 pods.
  return {
    uid,
    name,
    namespace,
    nodeName: intern.string(pod.spec?.nodeName ?? ''),
    podIP: pod.status?.podIP ?? '',
    labels: labelsOf(pod.metadata?.labels, intern),
    owner: ownerOf(pod.metadata?.ownerReferences, intern),
    serviceAccount: intern.string(pod.spec?.serviceAccountName ?? ''),
    refs: podRefs(pod, intern),
    containers,
    ready: podReady(pod),
    problem: intern.string(podProblem(pod)),
    since: timeOf(readyCondition?.lastTransitionTime ?? pod.metadata?.creationTimestamp),
  };
}

function workload(raw: RawObject, intern: Interner, ready: boolean, problem = '', since?: number): SlimWorkload {
  const { uid, name, namespace } = base(raw.metadata, intern);
  return {
    uid,
    name,
    namespace,
    owner: ownerOf(raw.metadata?.ownerReferences, intern),
    ready,
    problem,
    since: since ?? timeOf(raw.metadata?.creationTimestamp),
  };
}

/**
 * Ready when the rollout is complete (kubectl rollout status): the controller saw the latest spec, every
 * replica runs the current template, no old one is left, and at least the desired number are ready.
 */
export function slimDeployment(raw: unknown, intern: Interner): SlimWorkload {
  const d = raw as RawDeployment;
  const desired = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  const readyReplicas = s.readyReplicas ?? 0;
  const updated = s.updatedReplicas ?? 0;
  const observed = s.observedGeneration === undefined || s.observedGeneration >= (d.metadata?.generation ?? 0);
  const ready = observed && readyReplicas >= desired && updated >= desired && (s.replicas ?? 0) <= updated;
  const problem = readyReplicas < desired ? `${readyReplicas}/${desired} replicas ready` : '';
  // The latest condition change dates the problem better than the creation time.
  const changes = (s.conditions ?? []).map((c) => Math.max(timeOf(c.lastUpdateTime), timeOf(c.lastTransitionTime)));
  const since = changes.length > 0 ? Math.max(...changes) : undefined;
  return workload(d, intern, ready, problem, since);
}

/** ReplicaSets and StatefulSets: ready when exactly the desired number of replicas are ready. */
export function slimReplicated(raw: unknown, intern: Interner): SlimWorkload {
  const r = raw as RawReplicated;
  return workload(r, intern, (r.status?.readyReplicas ?? 0) === (r.spec?.replicas ?? 1));
}

/** Ready when a ready pod runs on every node that should run one. */
export function slimDaemonSet(raw: unknown, intern: Interner): SlimWorkload {
  const d = raw as RawDaemonSet;
  return workload(d, intern, (d.status?.numberReady ?? 0) === (d.status?.desiredNumberScheduled ?? 0));
}

/** Jobs and CronJobs: only their place in the ownership tree matters to the views. */
export function slimOwned(raw: unknown, intern: Interner): SlimWorkload {
  return workload(raw as RawObject, intern, false);
}

export function slimService(raw: unknown, intern: Interner): SlimService {
  const s = raw as RawService;
  const selector = s.spec?.selector;
  const { uid, name, namespace } = base(s.metadata, intern);
  return {
    uid,
    name,
    namespace,
    selector:
      selector === undefined || selector === null || Object.keys(selector).length === 0
        ? undefined
        : labelsOf(selector, intern),
  };
}

export function slimIngress(raw: unknown, intern: Interner): SlimIngress {
  const ing = raw as RawIngress;
  const routes: IngressRoute[] = [];
  const fallback = ing.spec?.defaultBackend?.service?.name;
  if (fallback !== undefined) routes.push({ service: intern.string(fallback), host: '', path: '', fallback: true });
  for (const rule of ing.spec?.rules ?? []) {
    for (const p of rule.http?.paths ?? []) {
      const service = p.backend?.service?.name;
      if (service !== undefined)
        routes.push({
          service: intern.string(service),
          host: intern.string(rule.host ?? ''),
          path: p.path ?? '',
          fallback: false,
        });
    }
  }
  const { uid, name, namespace } = base(ing.metadata, intern);
  return { uid, name, namespace, routes };
}
