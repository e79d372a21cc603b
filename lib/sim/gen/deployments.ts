/** Application Deployments: how many, how big, which have troubled pods, and their object chains. */
import type { KubeObject } from '../object-meta';
import { APPS, appTemplates } from './apps';
import { configMapObject, serviceObject } from './core';
import { DAY, HOUR, type Ids } from './ids';
import { collect, generatedNames, type Placer, pods, type ServiceIPs } from './placement';
import { ownerRef, type PodState, type PodTemplate } from './pods';
import { deploymentObject, replicaSetObject } from './workloads';

/**
 * Average replicas per Deployment: 50 in big clusters (150,000 pods make 3,000 Deployments), down to 3
 * in small ones, which run many small Deployments rather than a few huge ones.
 */
export function podsPerDeployment(pods: number): number {
  return Math.min(50, Math.max(3, Math.round(pods / 60)));
}

/** One Deployment in twenty each has a crash-looping pod, an unschedulable one, a not-ready one, evicted pods. */
const PROFILES = ['healthy', 'crashLoop', 'pending', 'notReady', 'evicted'] as const;

type Profile = (typeof PROFILES)[number];

export interface DeploymentPlan {
  namespace: string;
  name: string;
  replicas: number;
  evicted: number;
  profile: Profile;
  ageMs: number;
  /** How many ReplicaSets the rollout history holds (the newest owns the pods). */
  revisions: number;
  hash: string;
  appIndex: number;
}

/** Spreads the pod budget over Deployments with uneven sizes, one at least per app namespace. */
export function* planDeployments(
  budget: number,
  namespaces: readonly string[],
  wanted: number,
  ids: Ids,
): Generator<DeploymentPlan> {
  const count = Math.min(budget, Math.max(namespaces.length, wanted));
  const profiles: Profile[] = Array.from({ length: count }, (_, i) => PROFILES[i % 20] ?? 'healthy');
  const evicted = profiles.map((p, i) => (p === 'evicted' ? 1 + (i % 2) : 0));
  let extra = evicted.reduce((a, b) => a + b, 0);
  if (budget - extra < count) {
    evicted.fill(0);
    extra = 0;
  }
  const replicas = spread(budget - extra, count, ids);
  const perNamespace = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const namespace = namespaces[i % namespaces.length] ?? 'default';
    const j = perNamespace.get(namespace) ?? 0;
    perNamespace.set(namespace, j + 1);
    const app = APPS[j % APPS.length] ?? APPS[0];
    if (app === undefined) return;
    const name = j < APPS.length ? app.name : `${app.name}-${Math.floor(j / APPS.length) + 1}`;
    yield {
      namespace,
      name,
      replicas: replicas[i] ?? 1,
      evicted: evicted[i] ?? 0,
      profile: profiles[i] ?? 'healthy',
      ageMs: ids.int(1, 60) * DAY + ids.int(0, 23) * HOUR,
      revisions: ids.chance(0.3) ? 2 : 1,
      hash: ids.suffix(10),
      appIndex: j % APPS.length,
    };
  }
}

/** `total` split into `parts` positive integers of uneven size that add up exactly. */
function spread(total: number, parts: number, ids: Ids): number[] {
  const weights = Array.from({ length: parts }, () => 0.4 + ids.int(0, 1200) / 1000);
  const sum = weights.reduce((a, b) => a + b, 0);
  const out = weights.map((w) => Math.max(1, Math.floor((total * w) / sum)));
  let diff = total - out.reduce((a, b) => a + b, 0);
  for (let i = 0; diff !== 0 && parts > 0; i = (i + 1) % parts) {
    const current = out[i] ?? 1;
    if (diff > 0) {
      out[i] = current + 1;
      diff--;
    } else if (current > 1) {
      out[i] = current - 1;
      diff++;
    }
  }
  return out;
}

function statesFor(plan: DeploymentPlan): PodState[] {
  const states: PodState[] = Array.from({ length: plan.replicas }, () => 'running');
  if (plan.profile === 'crashLoop') states[0] = 'crashLoop';
  if (plan.profile === 'notReady') states[0] = 'notReady';
  if (plan.profile === 'pending') states[states.length - 1] = 'pending';
  for (let i = 0; i < plan.evicted; i++) states.push('evicted');
  return states;
}

/** Deployment, its old ReplicaSet if any, the current ReplicaSet and its pods. */
export function* controllerChain(
  plan: DeploymentPlan,
  selector: Record<string, string>,
  labels: Record<string, string>,
  template: object,
  podTemplate: PodTemplate,
  ids: Ids,
  placer: Placer,
): Generator<KubeObject> {
  const deploymentUid = ids.uid();
  const created = ids.ago(plan.ageMs);
  const rsName = `${plan.name}-${plan.hash}`;
  const rsUid = ids.uid();
  const rsAge = plan.revisions > 1 ? Math.floor(plan.ageMs / 3) : plan.ageMs;
  const deploymentRef = ownerRef('apps/v1', 'Deployment', plan.name, deploymentUid);
  const rsRef = ownerRef('apps/v1', 'ReplicaSet', rsName, rsUid);
  const rsSelector = { ...selector, 'pod-template-hash': plan.hash };
  const rsTemplate = {
    ...(template as { metadata: Record<string, unknown> }),
    metadata: {
      ...(template as { metadata: Record<string, unknown> }).metadata,
      labels: { ...labels, 'pod-template-hash': plan.hash },
    },
  };

  // The pods are made first because the controllers' statuses count them, but they come out last.
  const podObjects: KubeObject[] = [];
  const counts = yield* collect(
    pods(
      { namespace: plan.namespace, owner: rsRef, template: podTemplate, ageMs: rsAge },
      generatedNames(rsName, ids),
      statesFor(plan),
      ids,
      placer,
    ),
    podObjects,
  );

  yield deploymentObject(
    { name: plan.name, namespace: plan.namespace, uid: deploymentUid, created, labels },
    selector,
    template,
    plan.replicas,
    counts,
    rsName,
    plan.revisions,
  );
  if (plan.revisions > 1) {
    const oldHash = ids.suffix(10);
    const oldTemplate = {
      ...rsTemplate,
      metadata: { ...rsTemplate.metadata, labels: { ...labels, 'pod-template-hash': oldHash } },
    };
    yield replicaSetObject(
      {
        name: `${plan.name}-${oldHash}`,
        namespace: plan.namespace,
        uid: ids.uid(),
        created,
        labels: { ...labels, 'pod-template-hash': oldHash },
        owner: deploymentRef,
      },
      { ...selector, 'pod-template-hash': oldHash },
      oldTemplate,
      0,
      { active: 0, ready: 0 },
      plan.revisions - 1,
    );
  }
  yield replicaSetObject(
    {
      name: rsName,
      namespace: plan.namespace,
      uid: rsUid,
      created: ids.ago(rsAge),
      labels: { ...labels, 'pod-template-hash': plan.hash },
      owner: deploymentRef,
    },
    rsSelector,
    rsTemplate,
    plan.replicas,
    counts,
    plan.revisions,
  );
  yield* podObjects;
}

export function* appDeployment(
  plan: DeploymentPlan,
  ids: Ids,
  placer: Placer,
  clusterIPs: ServiceIPs,
): Generator<KubeObject> {
  const app = APPS[plan.appIndex] ?? APPS[0];
  if (app === undefined) return;
  const selector = { app: plan.name };
  const labels = { app: plan.name, 'app.kubernetes.io/name': plan.name, 'app.kubernetes.io/part-of': plan.namespace };
  const created = ids.ago(plan.ageMs);
  yield configMapObject(
    { name: `${plan.name}-config`, namespace: plan.namespace, uid: ids.uid(), created, labels: selector },
    {
      LOG_LEVEL: 'info',
      'app.properties': `service.name=${plan.name}\nservice.port=${app.port}\nfeature.flags=checkout-v2,fast-search\n`,
    },
  );
  const t = appTemplates(app, plan.name, { ...labels, 'pod-template-hash': plan.hash }, labels, ids);
  yield* controllerChain(plan, selector, labels, t.template, t.pod, ids, placer);
  yield serviceObject(
    { name: plan.name, namespace: plan.namespace, uid: ids.uid(), created, labels },
    clusterIPs.take(),
    [{ name: 'http', port: 80, targetPort: 'http' }],
    selector,
  );
}
