/**
 * A realistic cluster of any size, as a stream of plain Kubernetes objects: namespaces, nodes (a few
 * NotReady), DaemonSets with a pod per node, Deployments → ReplicaSets → Pods, a StatefulSet with its
 * volumes, Jobs and a CronJob, Services selecting the pods, Ingresses, and the ServiceAccounts, ConfigMaps
 * and Secrets the pods reference. Statuses agree with the pods (readyReplicas counts the Ready pods), and
 * some pods are Pending, Failed, crash-looping or not ready, as in any real cluster.
 *
 * Objects come out owners first and carry `metadata.uid` (ownerReferences point at them) and
 * `creationTimestamp`: the store must keep both. They have no resourceVersion. Sub-objects are shared
 * between sibling objects (one pod template per ReplicaSet), so consumers must copy before mutating.
 * The same options (and seed and now) always give the same cluster.
 */
import type { KubeObject } from './object-meta';
import { appNamespace, APPS, appTemplates } from './gen/apps';
import { boundVolume, configMapObject, ingressClassObject, ingressObject, namespaceObject, rootCaConfigMap, secretObject, serviceAccountObject, serviceObject } from './gen/core';
import { DAY, HOUR, Ids, MINUTE } from './gen/ids';
import { nodeObject, type NodePlan, planNodes } from './gen/nodes';
import { isActive, isReady, ownerRef, type OwnerReference, podObject, type PodState, type PodTemplate } from './gen/pods';
import { container, podTemplates } from './gen/templates';
import { cronJobObject, daemonSetObject, deploymentObject, jobObject, type PodCounts, replicaSetObject, statefulSetObject } from './gen/workloads';

export { SHELLS_ANNOTATION } from './gen/templates';

export interface ClusterOptions {
  nodes: number;
  /** Average pods per node; the cluster holds about nodes × podsPerNode pods (a small fixed set at least). */
  podsPerNode: number;
  /** Application namespaces, besides default, kube-system, kube-public and kube-node-lease. */
  namespaces: number;
  seed?: number;
  /** Epoch ms the cluster's ages are relative to (default: now). */
  now?: number;
}

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
/**
 * Average replicas per Deployment: 50 in big clusters (150,000 pods make 3,000 Deployments), down to 3
 * in small ones, which run many small Deployments rather than a few huge ones.
 */
function podsPerDeployment(pods: number): number {
  return Math.min(50, Math.max(3, Math.round(pods / 60)));
}
/** One Deployment in twenty each has a crash-looping pod, an unschedulable one, a not-ready one, evicted pods. */
const PROFILES = ['healthy', 'crashLoop', 'pending', 'notReady', 'evicted'] as const;
type Profile = (typeof PROFILES)[number];

export function* generateCluster(options: ClusterOptions): Generator<KubeObject, void, undefined> {
  for (const [key, value] of Object.entries({ nodes: options.nodes, podsPerNode: options.podsPerNode, namespaces: options.namespaces })) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`${key} must be a non-negative integer, got ${value}`);
  }
  const ids = new Ids(options.seed ?? 1, options.now ?? Date.now());
  const nodes = planNodes(options.nodes);
  const placer = new Placer(nodes);
  const apps = Array.from({ length: Math.max(1, options.namespaces) }, (_, i) => appNamespace(i));
  const clusterIPs = new ServiceIPs();

  for (const name of [...SYSTEM_NAMESPACES, ...apps]) yield namespaceObject({ name, uid: ids.uid(), created: ids.ago(90 * DAY) });
  const podsCapacity = Math.max(110, Math.ceil(options.podsPerNode * 1.5));
  for (const node of nodes) yield nodeObject(node, ids, podsCapacity);

  for (const namespace of [...SYSTEM_NAMESPACES, ...apps]) {
    const created = ids.ago(90 * DAY);
    yield serviceAccountObject({ name: 'default', namespace, uid: ids.uid(), created });
    yield rootCaConfigMap({ name: 'kube-root-ca.crt', namespace, uid: ids.uid(), created });
  }
  for (const name of ['kube-proxy', 'coredns', 'fluent-bit']) yield serviceAccountObject({ name, namespace: 'kube-system', uid: ids.uid(), created: ids.ago(90 * DAY) });
  for (const namespace of apps) {
    const created = ids.ago(60 * DAY);
    yield serviceAccountObject({ name: 'app', namespace, uid: ids.uid(), created }, ['regcred']);
    yield secretObject({ name: 'app-secrets', namespace, uid: ids.uid(), created }, 'Opaque', { 'db-password': ids.hex(24), 'api-key': ids.hex(32) });
    yield secretObject({ name: 'regcred', namespace, uid: ids.uid(), created }, 'kubernetes.io/dockerconfigjson', {
      '.dockerconfigjson': JSON.stringify({ auths: { 'ghcr.io': { auth: Buffer.from(`kore-demo:${ids.hex(20)}`).toString('base64') } } }),
    });
  }
  yield serviceObject({ name: 'kubernetes', namespace: 'default', uid: ids.uid(), created: ids.ago(90 * DAY), labels: { component: 'apiserver', provider: 'kubernetes' } }, '10.96.0.1', [
    { name: 'https', port: 443, targetPort: 6443 },
  ]);

  yield* systemWorkloads(ids, nodes, placer);

  const fixedPods = 2 * nodes.length + 2 + 3 + 4 + 1;
  const deploymentPods = Math.max(apps.length, options.nodes * options.podsPerNode - fixedPods);
  const ingressRoutes = new Map<string, Array<{ service: string; port: number }>>();
  const budget = options.nodes * options.podsPerNode;
  for (const deployment of planDeployments(deploymentPods, apps, Math.round(budget / podsPerDeployment(budget)), ids)) {
    yield* appDeployment(deployment, ids, placer, clusterIPs);
    const routes = ingressRoutes.get(deployment.namespace) ?? [];
    if (routes.length < 2) ingressRoutes.set(deployment.namespace, [...routes, { service: deployment.name, port: 80 }]);
  }

  const dataNamespace = apps.includes('data') ? 'data' : (apps[0] ?? 'default');
  yield* postgres(dataNamespace, ids, placer);
  yield* batchWorkloads(apps[0] ?? 'default', ids, placer);

  yield ingressClassObject({ name: 'nginx', uid: ids.uid(), created: ids.ago(80 * DAY) });
  let lb = 0;
  for (const [namespace, routes] of ingressRoutes) {
    yield ingressObject(
      { name: namespace, namespace, uid: ids.uid(), created: ids.ago(30 * DAY) },
      `${namespace}.kore-demo.example`,
      routes.map((r, i) => ({ path: i === 0 ? '/' : `/${r.service}`, service: r.service, port: r.port })),
      `203.0.113.${10 + (lb++ % 200)}`,
    );
  }

  yield* busybox(ids, placer);
}

/**
 * Hands out Ready nodes round-robin. NotReady nodes keep only their DaemonSet pods: the rest were evicted
 * and replaced elsewhere once the node had been unreachable for five minutes.
 */
class Placer {
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
    const reasons = [ready > 0 ? `${ready} Insufficient cpu` : '', lost > 0 ? `${lost} node(s) had untolerated taint {node.kubernetes.io/unreachable: }` : ''].filter(Boolean);
    if (total === 0) return '0/0 nodes are available: no nodes available to schedule pods.';
    return `0/${total} nodes are available: ${reasons.join(', ')}. preemption: 0/${total} nodes are available: ${total} No preemption victims found for incoming pod.`;
  }
}

/** ClusterIPs from 10.96.0.0/12, after the kubernetes (.1) and kube-dns (.10) addresses. */
class ServiceIPs {
  private next = 16;
  take(): string {
    const n = this.next++;
    return `10.${96 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
  }
}

interface PodGroup {
  namespace: string;
  owner: OwnerReference;
  template: PodTemplate;
  ageMs: number;
}

/** Pods of one controller in the given states, placed on nodes; counts what its status must say. */
function* pods(group: PodGroup, names: Iterable<string>, states: Iterable<PodState>, ids: Ids, placer: Placer, fixedNode?: NodePlan): Generator<KubeObject, PodCounts> {
  const counts: PodCounts = { active: 0, ready: 0 };
  const nameList = names[Symbol.iterator]();
  for (let state of states) {
    const name = nameList.next().value as string;
    const node = state === 'pending' ? undefined : (fixedNode ?? placer.next());
    if (node === undefined && state !== 'pending') state = 'pending';
    if (node !== undefined && !node.ready && (state === 'running' || state === 'notReady' || state === 'crashLoop')) state = 'nodeLost';
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
        ageMs: Math.max(5 * MINUTE, Math.floor(group.ageMs * (0.2 + 0.8 * ids.int(0, 1000) / 1000))),
        ...(state === 'pending' ? { unschedulableMessage: placer.unschedulableMessage } : {}),
      },
      ids,
    );
  }
  return counts;
}

function* generatedNames(prefix: string, ids: Ids): Generator<string> {
  for (;;) yield `${prefix}-${ids.suffix(5)}`;
}

function* systemWorkloads(ids: Ids, nodes: readonly NodePlan[], placer: Placer): Generator<KubeObject> {
  const daemons: Array<{ name: string; image: string; hostNetwork: boolean; shells: string; labels: Record<string, string> }> = [
    { name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.32.4', hostNetwork: true, shells: 'sh', labels: { 'k8s-app': 'kube-proxy' } },
    { name: 'fluent-bit', image: 'cr.fluentbit.io/fluent/fluent-bit:3.2.2', hostNetwork: false, shells: '', labels: { 'app.kubernetes.io/name': 'fluent-bit' } },
  ];
  for (const daemon of daemons) {
    const revision = ids.suffix(10).slice(0, 9);
    const uid = ids.uid();
    const created = ids.ago(90 * DAY);
    const labels = { ...daemon.labels, 'controller-revision-hash': revision, 'pod-template-generation': '1' };
    const t = podTemplates(
      {
        containers: [container(daemon.name, daemon.image, { resources: { requests: { cpu: '100m', memory: '64Mi' } } })],
        labels,
        templateLabels: daemon.labels,
        serviceAccount: daemon.name,
        tolerations: [{ operator: 'Exists' }],
        shells: daemon.shells,
        hostNetwork: daemon.hostNetwork,
        priorityClassName: 'system-node-critical',
      },
      ids,
    );
    const group = { namespace: 'kube-system', owner: ownerRef('apps/v1', 'DaemonSet', daemon.name, uid), template: t.pod, ageMs: 90 * DAY };
    const podObjects: KubeObject[] = [];
    const counts: PodCounts = { active: 0, ready: 0 };
    for (const node of nodes) {
      const c = yield* collect(pods(group, generatedNames(daemon.name, ids), ['running'], ids, placer, node), podObjects);
      counts.active += c.active;
      counts.ready += c.ready;
    }
    yield daemonSetObject({ name: daemon.name, namespace: 'kube-system', uid, created, labels: daemon.labels }, daemon.labels, t.template, nodes.length, counts);
    yield* podObjects;
  }

  // CoreDNS: a Deployment in kube-system behind the kube-dns Service.
  const selector = { 'k8s-app': 'kube-dns' };
  const dns: DeploymentPlan = { namespace: 'kube-system', name: 'coredns', replicas: 2, evicted: 0, profile: 'healthy', ageMs: 90 * DAY, revisions: 1, hash: ids.suffix(10), appIndex: 0 };
  const t = podTemplates(
    {
      containers: [
        container('coredns', 'registry.k8s.io/coredns/coredns:v1.11.3', {
          args: ['-conf', '/etc/coredns/Corefile'],
          ports: [
            { containerPort: 53, name: 'dns', protocol: 'UDP' },
            { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' },
            { containerPort: 9153, name: 'metrics', protocol: 'TCP' },
          ],
          resources: { limits: { memory: '170Mi' }, requests: { cpu: '100m', memory: '70Mi' } },
        }),
      ],
      labels: { ...selector, 'pod-template-hash': dns.hash },
      templateLabels: selector,
      serviceAccount: 'coredns',
      shells: '',
      priorityClassName: 'system-cluster-critical',
    },
    ids,
  );
  yield* controllerChain(dns, selector, selector, t.template, t.pod, ids, placer);
  yield serviceObject({ name: 'kube-dns', namespace: 'kube-system', uid: ids.uid(), created: ids.ago(90 * DAY), labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'CoreDNS' } }, '10.96.0.10', [
    { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
    { name: 'dns-tcp', port: 53, targetPort: 53 },
    { name: 'metrics', port: 9153, targetPort: 9153 },
  ], selector);
}

interface DeploymentPlan {
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
function* planDeployments(budget: number, namespaces: readonly string[], wanted: number, ids: Ids): Generator<DeploymentPlan> {
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
function* controllerChain(plan: DeploymentPlan, selector: Record<string, string>, labels: Record<string, string>, template: object, podTemplate: PodTemplate, ids: Ids, placer: Placer): Generator<KubeObject> {
  const deploymentUid = ids.uid();
  const created = ids.ago(plan.ageMs);
  const rsName = `${plan.name}-${plan.hash}`;
  const rsUid = ids.uid();
  const rsAge = plan.revisions > 1 ? Math.floor(plan.ageMs / 3) : plan.ageMs;
  const deploymentRef = ownerRef('apps/v1', 'Deployment', plan.name, deploymentUid);
  const rsRef = ownerRef('apps/v1', 'ReplicaSet', rsName, rsUid);
  const rsSelector = { ...selector, 'pod-template-hash': plan.hash };
  const rsTemplate = { ...(template as { metadata: Record<string, unknown> }), metadata: { ...(template as { metadata: Record<string, unknown> }).metadata, labels: { ...labels, 'pod-template-hash': plan.hash } } };

  // The pods are made first because the controllers' statuses count them, but they come out last.
  const podObjects: KubeObject[] = [];
  const counts = yield* collect(pods({ namespace: plan.namespace, owner: rsRef, template: podTemplate, ageMs: rsAge }, generatedNames(rsName, ids), statesFor(plan), ids, placer), podObjects);

  yield deploymentObject({ name: plan.name, namespace: plan.namespace, uid: deploymentUid, created, labels }, selector, template, plan.replicas, counts, rsName, plan.revisions);
  if (plan.revisions > 1) {
    const oldHash = ids.suffix(10);
    const oldTemplate = { ...rsTemplate, metadata: { ...rsTemplate.metadata, labels: { ...labels, 'pod-template-hash': oldHash } } };
    yield replicaSetObject(
      { name: `${plan.name}-${oldHash}`, namespace: plan.namespace, uid: ids.uid(), created, labels: { ...labels, 'pod-template-hash': oldHash }, owner: deploymentRef },
      { ...selector, 'pod-template-hash': oldHash },
      oldTemplate,
      0,
      { active: 0, ready: 0 },
      plan.revisions - 1,
    );
  }
  yield replicaSetObject({ name: rsName, namespace: plan.namespace, uid: rsUid, created: ids.ago(rsAge), labels: { ...labels, 'pod-template-hash': plan.hash }, owner: deploymentRef }, rsSelector, rsTemplate, plan.replicas, counts, plan.revisions);
  yield* podObjects;
}

function* appDeployment(plan: DeploymentPlan, ids: Ids, placer: Placer, clusterIPs: ServiceIPs): Generator<KubeObject> {
  const app = APPS[plan.appIndex] ?? APPS[0];
  if (app === undefined) return;
  const selector = { app: plan.name };
  const labels = { app: plan.name, 'app.kubernetes.io/name': plan.name, 'app.kubernetes.io/part-of': plan.namespace };
  const created = ids.ago(plan.ageMs);
  yield configMapObject({ name: `${plan.name}-config`, namespace: plan.namespace, uid: ids.uid(), created, labels: selector }, {
    LOG_LEVEL: 'info',
    'app.properties': `service.name=${plan.name}\nservice.port=${app.port}\nfeature.flags=checkout-v2,fast-search\n`,
  });
  const t = appTemplates(app, plan.name, { ...labels, 'pod-template-hash': plan.hash }, labels, ids);
  yield* controllerChain(plan, selector, labels, t.template, t.pod, ids, placer);
  yield serviceObject({ name: plan.name, namespace: plan.namespace, uid: ids.uid(), created, labels }, clusterIPs.take(), [{ name: 'http', port: 80, targetPort: 'http' }], selector);
}

function* postgres(namespace: string, ids: Ids, placer: Placer): Generator<KubeObject> {
  const name = 'postgres';
  const selector = { app: name };
  const created = ids.ago(45 * DAY);
  const uid = ids.uid();
  const revision = `${name}-${ids.suffix(10)}`;
  yield serviceObject({ name, namespace, uid: ids.uid(), created, labels: selector }, 'None', [{ name: 'postgres', port: 5432, targetPort: 5432 }], selector);
  const claimTemplate = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } }, storageClassName: 'gp3', volumeMode: 'Filesystem' }, status: { phase: 'Pending' } };
  const owner = ownerRef('apps/v1', 'StatefulSet', name, uid);
  const podObjects: KubeObject[] = [];
  const counts: PodCounts = { active: 0, ready: 0 };
  let template: object = {};
  for (let ordinal = 0; ordinal < 3; ordinal++) {
    const podName = `${name}-${ordinal}`;
    const claim = { name: `data-${podName}`, namespace, uid: ids.uid(), created, labels: selector };
    for (const object of boundVolume(claim, ids.uid(), '20Gi')) yield object;
    const t = podTemplates(
      {
        containers: [
          container(name, 'postgres:16.6', {
            ports: [{ containerPort: 5432, name: 'postgres', protocol: 'TCP' }],
            env: [{ name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: 'app-secrets', key: 'db-password' } } }, { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' }],
            resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } },
            volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }],
          }),
        ],
        labels: { ...selector, 'apps.kubernetes.io/pod-index': String(ordinal), 'controller-revision-hash': revision, 'statefulset.kubernetes.io/pod-name': podName },
        templateLabels: selector,
        serviceAccount: 'default',
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: claim.name } }],
      },
      ids,
    );
    template = t.template;
    const c = yield* collect(pods({ namespace, owner, template: t.pod, ageMs: 45 * DAY }, [podName], ['running'], ids, placer), podObjects);
    counts.active += c.active;
    counts.ready += c.ready;
  }
  // The StatefulSet's template has no per-pod claim volume: the controller adds it from volumeClaimTemplates.
  const spec = (template as { spec: Record<string, unknown> }).spec;
  const { volumes: _perPod, ...templateSpec } = spec;
  yield statefulSetObject({ name, namespace, uid, created, labels: selector }, selector, { ...template, spec: templateSpec }, name, 3, counts, revision, [claimTemplate]);
  yield* podObjects;
}

/** Drains a pod stream into `into` and returns its counts (for owners that must come before their pods). */
function* collect(stream: Generator<KubeObject, PodCounts>, into: KubeObject[]): Generator<never, PodCounts> {
  let step = stream.next();
  while (step.done !== true) {
    into.push(step.value);
    step = stream.next();
  }
  return step.value;
}

function* batchWorkloads(namespace: string, ids: Ids, placer: Placer): Generator<KubeObject> {
  const jobTemplates = (job: string, jobUid: string, image: string, command: string[], shells?: string) => {
    const labels = { 'batch.kubernetes.io/controller-uid': jobUid, 'batch.kubernetes.io/job-name': job, 'controller-uid': jobUid, 'job-name': job };
    return podTemplates(
      {
        containers: [container(job.replace(/-\d+$/, ''), image, { command, resources: { requests: { cpu: '100m', memory: '128Mi' } } })],
        labels,
        serviceAccount: 'app',
        restartPolicy: 'Never',
        ...(shells === undefined ? {} : { shells }),
      },
      ids,
    );
  };

  function* job(name: string, image: string, command: string[], outcome: 'complete' | 'failed', ageMs: number, owner?: OwnerReference) {
    const uid = ids.uid();
    const t = jobTemplates(name, uid, image, command, image.startsWith('busybox') ? 'sh' : undefined);
    const jobRef = ownerRef('batch/v1', 'Job', name, uid);
    const states: PodState[] = outcome === 'complete' ? ['succeeded'] : ['failed', 'failed'];
    const podObjects: KubeObject[] = [];
    yield* collect(pods({ namespace, owner: jobRef, template: t.pod, ageMs }, generatedNames(name, ids), states, ids, placer), podObjects);
    const start = ids.ago(ageMs);
    yield jobObject(
      { name, namespace, uid, created: start, labels: t.pod.labels as Record<string, string>, ...(owner === undefined ? {} : { owner }) },
      t.template,
      outcome === 'complete' ? 6 : 1,
      outcome === 'complete'
        ? { succeeded: 1, failed: 0, startTime: start, completionTime: ids.ago(ageMs - ids.int(20, 300) * 1000) }
        : { succeeded: 0, failed: 2, startTime: start },
    );
    yield* podObjects;
  }

  yield* job('db-migrate', 'ghcr.io/kore-demo/migrate:2.14.1', ['/migrate', 'up'], 'complete', 12 * DAY);
  yield* job('reindex-search', 'ghcr.io/kore-demo/search:0.18.4', ['/reindex', '--all'], 'failed', 5 * HOUR);

  const cronUid = ids.uid();
  const cron = 'nightly-report';
  const lastRun = Math.floor((ids.now - 8 * HOUR) / MINUTE);
  const cronRef = ownerRef('batch/v1', 'CronJob', cron, cronUid);
  const jobTemplate = { metadata: {}, spec: { backoffLimit: 2, template: { metadata: {}, spec: { containers: [container('report', 'busybox:1.37', { command: ['sh', '-c', 'echo building report; sleep 30'] })], restartPolicy: 'OnFailure' } } } };
  yield cronJobObject({ name: cron, namespace, uid: cronUid, created: ids.ago(40 * DAY) }, '0 2 * * *', jobTemplate, new Date(lastRun * MINUTE).toISOString().replace('.000Z', 'Z'), ids.ago(8 * HOUR - 45_000));
  yield* job(`${cron}-${lastRun}`, 'busybox:1.37', ['sh', '-c', 'echo building report; sleep 30'], 'complete', 8 * HOUR, cronRef);
}

/** default/busybox: the pod someone started with `kubectl run busybox --image=busybox -- sleep infinity`. */
function* busybox(ids: Ids, placer: Placer): Generator<KubeObject> {
  const node = placer.nodes.find((n) => n.ready);
  const t = podTemplates(
    { containers: [container('busybox', 'busybox:1.37', { args: ['sleep', 'infinity'], resources: {} })], labels: { run: 'busybox' }, serviceAccount: 'default', shells: 'sh', qosClass: 'BestEffort' },
    ids,
  );
  yield podObject({ name: 'busybox', namespace: 'default', template: t.pod, state: node === undefined ? 'pending' : 'running', ...(node === undefined ? {} : { node, slot: placer.slot(node) }), ageMs: 3 * HOUR, unschedulableMessage: placer.unschedulableMessage }, ids);
}
