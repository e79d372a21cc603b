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
import type { KubeObject } from '../object-meta';
import { appNamespace } from './apps';
import { batchWorkloads } from './batch';
import {
  ingressClassObject,
  ingressObject,
  namespaceObject,
  rootCaConfigMap,
  secretObject,
  serviceAccountObject,
  serviceObject,
} from './core';
import { appDeployment, planDeployments, podsPerDeployment } from './deployments';
import { DAY, HOUR, Ids } from './ids';
import { nodeObject, planNodes } from './nodes';
import { Placer, ServiceIPs } from './placement';
import { podObject } from './pods';
import { postgres } from './stateful';
import { systemWorkloads } from './system';
import { container, podTemplates } from './templates';

export { SHELLS_ANNOTATION } from './templates';

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

export function* generateCluster(options: ClusterOptions): Generator<KubeObject, void, undefined> {
  for (const [key, value] of Object.entries({
    nodes: options.nodes,
    podsPerNode: options.podsPerNode,
    namespaces: options.namespaces,
  })) {
    if (!Number.isInteger(value) || value < 0)
      throw new RangeError(`${key} must be a non-negative integer, got ${value}`);
  }
  const ids = new Ids(options.seed ?? 1, options.now ?? Date.now());
  const nodes = planNodes(options.nodes);
  const placer = new Placer(nodes);
  const apps = Array.from({ length: Math.max(1, options.namespaces) }, (_, i) => appNamespace(i));
  const clusterIPs = new ServiceIPs();

  for (const name of [...SYSTEM_NAMESPACES, ...apps])
    yield namespaceObject({ name, uid: ids.uid(), created: ids.ago(90 * DAY) });
  const podsCapacity = Math.max(110, Math.ceil(options.podsPerNode * 1.5));
  for (const node of nodes) yield nodeObject(node, ids, podsCapacity);

  for (const namespace of [...SYSTEM_NAMESPACES, ...apps]) {
    const created = ids.ago(90 * DAY);
    yield serviceAccountObject({ name: 'default', namespace, uid: ids.uid(), created });
    yield rootCaConfigMap({ name: 'kube-root-ca.crt', namespace, uid: ids.uid(), created });
  }
  for (const name of ['kube-proxy', 'coredns', 'fluent-bit'])
    yield serviceAccountObject({ name, namespace: 'kube-system', uid: ids.uid(), created: ids.ago(90 * DAY) });
  for (const namespace of apps) {
    const created = ids.ago(60 * DAY);
    yield serviceAccountObject({ name: 'app', namespace, uid: ids.uid(), created }, ['regcred']);
    yield secretObject({ name: 'app-secrets', namespace, uid: ids.uid(), created }, 'Opaque', {
      'db-password': ids.hex(24),
      'api-key': ids.hex(32),
    });
    yield secretObject({ name: 'regcred', namespace, uid: ids.uid(), created }, 'kubernetes.io/dockerconfigjson', {
      '.dockerconfigjson': JSON.stringify({
        auths: { 'ghcr.io': { auth: Buffer.from(`kore-demo:${ids.hex(20)}`).toString('base64') } },
      }),
    });
  }
  yield serviceObject(
    {
      name: 'kubernetes',
      namespace: 'default',
      uid: ids.uid(),
      created: ids.ago(90 * DAY),
      labels: { component: 'apiserver', provider: 'kubernetes' },
    },
    '10.96.0.1',
    [{ name: 'https', port: 443, targetPort: 6443 }],
  );

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

/** default/busybox: the pod someone started with `kubectl run busybox --image=busybox -- sleep infinity`. */
function* busybox(ids: Ids, placer: Placer): Generator<KubeObject> {
  const node = placer.nodes.find((n) => n.ready);
  const t = podTemplates(
    {
      containers: [container('busybox', 'busybox:1.37', { args: ['sleep', 'infinity'], resources: {} })],
      labels: { run: 'busybox' },
      serviceAccount: 'default',
      shells: 'sh',
      qosClass: 'BestEffort',
    },
    ids,
  );
  yield podObject(
    {
      name: 'busybox',
      namespace: 'default',
      template: t.pod,
      state: node === undefined ? 'pending' : 'running',
      ...(node === undefined ? {} : { node, slot: placer.slot(node) }),
      ageMs: 3 * HOUR,
      unschedulableMessage: placer.unschedulableMessage,
    },
    ids,
  );
}
