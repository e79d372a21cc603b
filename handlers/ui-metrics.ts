import { Hono, type HonoRequest } from 'hono';
import type { Principal } from '../lib/auth/principal';
import { connectionFor } from '../lib/clusters/principal-connection';
import type { ClusterConnection, ClusterRegistry } from '../lib/clusters/types';
import { mapLimited } from '../lib/async-bounds';
import { listPages } from '../lib/kube/list';
import { kubeJson } from '../lib/kube/request';
import { RESOURCES, resourcePath } from '../lib/kube/resource';
import { combineSeries } from '../lib/metrics/combine';
import {
  addUsage,
  clusterFigures,
  cpuMemory,
  nodeFigures,
  nodeRow,
  type FsUsage,
  type KubeNode,
} from '../lib/metrics/node-summary';
import { podBounds, podRow, podsPerNode, type ResourcedPod } from '../lib/metrics/pod-row';
import type { MetricsSource, Point, SeriesKey, Usage } from '../lib/metrics/types';
import { workloadPods, workloadResource, type WorkloadResource } from '../lib/metrics/workload-pods';
import type { RawObject } from '../lib/views/k8s-types';
import { measuredConnection, seriesBody } from './metrics';
import { principalOf } from './principal-of';
import { subdomainParam } from './path-names';

/**
 * The Kore Board web UI's metrics-shaped routes, mounted at `/api/clusters/:cluster` when a metrics source is given:
 * the cluster's and a node's series with allocatable/capacity, a workload's series with its pods' requests/limits,
 * the node list with live usage, and pod lists with their newest usage. Nodes, pods and workloads are listed through
 * the context's client at each request (the views' watch cache keeps slim objects without the resources, labels and
 * addresses these need); series come from the metrics source. 404 for an unknown context, node or workload, 503 for
 * a cluster without metrics-server (never zeros), 400 for a resource that is not a workload.
 */

/** Stats summaries read at once, so a large cluster does not open a request per node at the same moment. */
const SUMMARY_CONCURRENCY = 16;

/** `labelSelector` from a workload's `spec.selector.matchLabels`; none (list all) when it also has expressions. */
function selectorQuery(workload: RawObject): Record<string, string> | undefined {
  const selector = (workload as { spec?: { selector?: { matchLabels?: unknown; matchExpressions?: unknown } } }).spec
    ?.selector;
  const labels = selector?.matchLabels;
  if (selector?.matchExpressions !== undefined || typeof labels !== 'object' || labels === null) return undefined;
  const pairs = Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string');
  return pairs.length === 0 ? undefined : { labelSelector: pairs.map(([k, v]) => `${k}=${v}`).join(',') };
}

async function listAll<T>(conn: ClusterConnection, path: string, query?: Record<string, string>): Promise<T[]> {
  const items: T[] = [];
  for await (const page of listPages(conn, path, { query })) items.push(...(page.items as T[]));
  return items;
}

/** The root filesystem from the node's kubelet stats summary; undefined when the kubelet does not answer. */
async function rootFs(conn: ClusterConnection, node: string): Promise<FsUsage | undefined> {
  try {
    const summary = await kubeJson<{ node?: { fs?: Partial<FsUsage> } }>(conn, {
      path: `/api/v1/nodes/${encodeURIComponent(node)}/proxy/stats/summary`,
      headersTimeoutMs: 5_000,
    });
    const { capacityBytes, usedBytes } = summary.node?.fs ?? {};
    return typeof capacityBytes === 'number' && typeof usedBytes === 'number'
      ? { capacityBytes, usedBytes }
      : undefined;
  } catch {
    return undefined; // NotReady, forbidden, or no kubelet: storage is left out
  }
}

const newest = (points: Point[] | undefined): Usage | undefined => points?.[points.length - 1];

export function uiMetricsRoutes(registry: ClusterRegistry, source: MetricsSource): Hono {
  const app = new Hono();

  // As a user (`--auth user`), every list and get below is the user's own: what RBAC denies them the cluster refuses
  // (403), and no series is served without the objects it belongs to having been read with their token.
  const measured = (context: string, principal: Principal) =>
    connectionFor(measuredConnection(registry, source, context), principal);
  /** One series, or [] when it has no point in the window (these shapes carry an empty list, not a 404). */
  const series = async (context: string, key: SeriesKey) => (await source.series(context, [key]))[0] ?? [];
  /** Each key's newest usage, asked of the source at once (one Prometheus query, not one per pod). */
  const newestOf = async (context: string, keys: SeriesKey[]) => (await source.series(context, keys)).map(newest);
  const podKey = (pod: RawObject): SeriesKey => ({
    kind: 'pod',
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
  });
  const node = (conn: ClusterConnection, name: string) =>
    kubeJson<KubeNode>(conn, { path: resourcePath(RESOURCES.nodes, undefined, name) });

  app.get('/metrics', async (c) => {
    const context = c.req.param('cluster')!;
    const conn = measured(context, principalOf(c));
    const nodes = await listAll<KubeNode>(conn, resourcePath(RESOURCES.nodes));
    const zero = { cpu: 0, memory: 0 };
    return c.json({
      allocatable: nodes.map((n) => cpuMemory(n.status?.allocatable)).reduce(addUsage, zero),
      capacity: nodes.map((n) => cpuMemory(n.status?.capacity)).reduce(addUsage, zero),
      metrics: seriesBody(await series(context, { kind: 'cluster' })),
    });
  });

  app.get('/nodes', async (c) => {
    const context = c.req.param('cluster')!;
    const conn = measured(context, principalOf(c));
    const [nodes, pods] = await Promise.all([
      listAll<KubeNode>(conn, resourcePath(RESOURCES.nodes)),
      listAll<ResourcedPod>(conn, resourcePath(RESOURCES.pods)),
    ]);
    const names = nodes.map((n) => n.metadata?.name ?? '');
    const [filesystems, usages] = await Promise.all([
      mapLimited(names, SUMMARY_CONCURRENCY, (name) => rootFs(conn, name)),
      newestOf(
        context,
        names.map((name): SeriesKey => ({ kind: 'node', name })),
      ),
    ]);
    // Counted once: filtering the pod list per node was nodes × pods (750 million checks at 5,000 × 150,000).
    const podCounts = podsPerNode(pods);
    const rows: Record<string, ReturnType<typeof nodeRow>> = {};
    nodes.forEach((n, i) => {
      const name = names[i]!;
      rows[name] = nodeRow(n, nodeFigures(n, usages[i], podCounts.get(name) ?? 0, filesystems[i]));
    });
    return c.json({ nodes: rows, summary: clusterFigures(Object.values(rows).map((r) => r.metrics)) });
  });

  app.get('/nodes/:node/metrics', async (c) => {
    const context = c.req.param('cluster')!;
    const name = subdomainParam(c.req.param('node'), 'node name');
    const found = await node(measured(context, principalOf(c)), name);
    return c.json({
      allocatable: cpuMemory(found.status?.allocatable),
      capacity: cpuMemory(found.status?.capacity),
      metrics: seriesBody(await series(context, { kind: 'node', name })),
    });
  });

  app.get('/nodes/:node/pods', async (c) => {
    const context = c.req.param('cluster')!;
    const name = subdomainParam(c.req.param('node'), 'node name');
    const conn = measured(context, principalOf(c));
    await node(conn, name); // 404 for an unknown node, rather than an empty list
    const pods = await listAll<ResourcedPod>(conn, resourcePath(RESOURCES.pods), {
      fieldSelector: `spec.nodeName=${name}`,
    });
    const usages = await newestOf(context, pods.map(podKey));
    return c.json({ pods: pods.map((p, i) => podRow(p, usages[i])) });
  });

  /** The workload's pods, read from its namespace; 404 when the workload does not exist. */
  const podsOf = async (conn: ClusterConnection, req: HonoRequest, resource: WorkloadResource) => {
    const namespace = subdomainParam(req.param('ns') ?? '', 'namespace');
    const name = subdomainParam(req.param('name') ?? '', `${resource} name`);
    const type = RESOURCES[resource];
    const workload = await kubeJson<RawObject>(conn, { path: resourcePath(type, namespace, name) });
    if (resource === 'pods') return workloadPods(resource, workload, [workload as ResourcedPod]);
    // The workload's own selector narrows the lists to its pods (and a Deployment's ReplicaSets, which carry the same
    // labels) instead of the whole namespace: owner references still decide, the selector only saves the transfer.
    // Not for Jobs: their selector is generated (controller-uid) and a Job made with manualSelector need not match it.
    const query = resource === 'jobs' ? undefined : selectorQuery(workload);
    const [pods, replicaSets] = await Promise.all([
      listAll<ResourcedPod>(conn, resourcePath(RESOURCES.pods, namespace), query),
      resource === 'deployments'
        ? listAll<RawObject>(conn, resourcePath(RESOURCES.replicasets, namespace), query)
        : Promise.resolve([]),
    ]);
    return workloadPods(resource, workload, pods, replicaSets);
  };

  app.get('/namespaces/:ns/:resource/:name/metrics', async (c) => {
    const context = c.req.param('cluster')!;
    const resource = workloadResource(c.req.param('resource'));
    const pods = await podsOf(measured(context, principalOf(c)), c.req, resource);
    const measuredPods = (await source.series(context, pods.map(podKey))).map((points) => points ?? []);
    return c.json({ ...podBounds(pods), metrics: seriesBody(combineSeries(measuredPods, 'sum')) });
  });

  app.get('/namespaces/:ns/:resource/:name/pods', async (c) => {
    const context = c.req.param('cluster')!;
    const resource = workloadResource(c.req.param('resource'));
    const pods = await podsOf(measured(context, principalOf(c)), c.req, resource);
    const usages = await newestOf(context, pods.map(podKey));
    return c.json({ pods: pods.map((p, i) => podRow(p, usages[i])) });
  });

  return app;
}
