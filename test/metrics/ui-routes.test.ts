/**
 * The web UI's metrics-shaped routes (/api/clusters/:cluster/…): the real scraper and store over the simulated
 * cluster, one injected clock for both (each round a `scrapeAll()`: no sleeping), checked against the spec routes,
 * the cluster's own objects and what kubectl shows for the same cluster at the same clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQuantity } from '../../lib/kube/quantity';
import { kubectlOk, writeKubeconfig, type KubeconfigDir } from '../helpers/kubectl';
import { fakeClock } from '../helpers/registry-fixtures';
import { CONTEXT, type Stack } from '../helpers/stack';
import { startScrapedStack, type ScrapedStack } from './scraped-stack';

const MINUTE = 60_000;
const clock = fakeClock(Date.parse('2026-12-02T10:00:00Z'));
let scraped: ScrapedStack;
let stack: Stack;
let kubeconfig: KubeconfigDir;

beforeAll(async () => {
  scraped = await startScrapedStack(clock, { windowMs: 5 * MINUTE, resolutionMs: MINUTE, rounds: 3 });
  stack = scraped.stack;
  kubeconfig = await writeKubeconfig(stack.sim, 'cert');
});
afterAll(async () => {
  await kubeconfig?.remove();
  await scraped?.close();
});

async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${stack.url}/api/clusters/${path}`);
  return { status: res.status, body: await res.json() };
}
const spec = async (path: string) => (await (await fetch(`${stack.url}/api/v1/clusters/${path}`)).json()) as any[];
const raw = async (path: string) => await (await fetch(`${stack.raw}${path}`)).json();

const milli = (q: string | undefined) => (q === undefined ? 0 : Math.round(parseQuantity(q) * 1000));
const bytes = (q: string | undefined) => (q === undefined ? 0 : Math.round(parseQuantity(q)));
const cpuMemory = (list: any) => ({ cpu: milli(list?.cpu), memory: bytes(list?.memory) });
const sum = (list: { cpu: number; memory: number }[]) =>
  list.reduce((a, b) => ({ cpu: a.cpu + b.cpu, memory: a.memory + b.memory }), { cpu: 0, memory: 0 });
const names = (items: any[]) => items.map((o) => o.metadata.name as string).sort();

describe('GET /api/clusters/:cluster/metrics and /nodes/:node/metrics', () => {
  it('sums allocatable and capacity over the nodes, with the cluster series of the spec route', async () => {
    const nodes = (await raw('/api/v1/nodes')).items;
    const { status, body } = await get(`${CONTEXT}/metrics`);
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(['allocatable', 'capacity', 'metrics']);
    expect(body.allocatable).toEqual(sum(nodes.map((n: any) => cpuMemory(n.status.allocatable))));
    expect(body.capacity).toEqual(sum(nodes.map((n: any) => cpuMemory(n.status.capacity))));
    expect(body.allocatable).toEqual({ cpu: 12_000, memory: 3 * 16_271_156 * 1024 });
    expect(body.metrics).toHaveLength(3);
    expect(body.metrics).toEqual(await spec(CONTEXT));
    expect(Object.keys(body.metrics[0])).toEqual(['timestamp', 'cpu', 'memory']);
  });

  it("answers a node's allocatable and capacity from its status, its series as the spec route's", async () => {
    const { status, body } = await get(`${CONTEXT}/nodes/vm-live-01/metrics`);
    expect(status).toBe(200);
    expect(body).toEqual({
      allocatable: { cpu: 4000, memory: 16_271_156 * 1024 },
      capacity: { cpu: 4000, memory: 16_373_556 * 1024 },
      metrics: await spec(`${CONTEXT}/nodes/vm-live-01`),
    });
    expect(body.metrics).toHaveLength(3);
    // A NotReady node exists but was never measured: an empty series, not a 404 and not zeros.
    expect((await get(`${CONTEXT}/nodes/vm-live-03/metrics`)).body.metrics).toEqual([]);
  });
});

/** A workload's pods as the cluster's owner references say, read here independently of the route. */
async function podsOwnedBy(namespace: string, uids: string[]): Promise<any[]> {
  const pods = (await raw(`/api/v1/namespaces/${namespace}/pods`)).items;
  return pods.filter((p: any) => (p.metadata.ownerReferences ?? []).some((o: any) => uids.includes(o.uid)));
}
const bounds = (pods: any[]) => {
  const containers = pods.flatMap((p) => p.spec.containers);
  return {
    requests: sum(containers.map((c: any) => cpuMemory(c.resources?.requests))),
    limits: sum(containers.map((c: any) => cpuMemory(c.resources?.limits))),
  };
};

describe('GET /api/clusters/:cluster/namespaces/:ns/:resource/:name/metrics', () => {
  it("sums a Deployment's pods (through its ReplicaSet) and their requests and limits; no allocatable", async () => {
    const deployment = await raw('/apis/apps/v1/namespaces/shop/deployments/web');
    const replicaSets = (await raw('/apis/apps/v1/namespaces/shop/replicasets')).items.filter((rs: any) =>
      rs.metadata.ownerReferences?.some((o: any) => o.uid === deployment.metadata.uid),
    );
    expect(replicaSets.length).toBeGreaterThan(0);
    const pods = await podsOwnedBy(
      'shop',
      replicaSets.map((rs: any) => rs.metadata.uid),
    );
    expect(pods.length).toBeGreaterThan(1);
    const { status, body } = await get(`${CONTEXT}/namespaces/shop/deployments/web/metrics`);
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(['requests', 'limits', 'metrics']);
    expect(body).not.toHaveProperty('allocatable');
    expect({ requests: body.requests, limits: body.limits }).toEqual(bounds(pods));
    expect(body.requests.cpu).toBeGreaterThan(0);
    expect(body.limits.memory).toBeGreaterThan(0);
    expect(body.metrics).toEqual(await spec(`${CONTEXT}/namespaces/shop/pods/${names(pods).join(',')}/sum`));
    expect(body.metrics).toHaveLength(3);
    // The ReplicaSet answers the same: the Deployment's pods are its pods.
    const rs = await get(`${CONTEXT}/namespaces/shop/replicasets/${replicaSets[0].metadata.name}/metrics`);
    expect(rs.body).toEqual(body);
  });

  it('answers a pod, a DaemonSet, a StatefulSet and a Job by their own pods', async () => {
    const busybox = await get(`${CONTEXT}/namespaces/default/pods/busybox/metrics`);
    expect(busybox.status).toBe(200);
    expect(busybox.body.metrics).toEqual(await spec(`${CONTEXT}/namespaces/default/pods/busybox`));
    expect(busybox.body).toMatchObject(bounds([await raw('/api/v1/namespaces/default/pods/busybox')]));

    const ds = await raw('/apis/apps/v1/namespaces/kube-system/daemonsets/kube-proxy');
    const dsPods = await podsOwnedBy('kube-system', [ds.metadata.uid]);
    expect(dsPods).toHaveLength(3);
    const daemonSet = (await get(`${CONTEXT}/namespaces/kube-system/daemonsets/kube-proxy/metrics`)).body;
    // Its pod on the NotReady node still runs there, and is measured.
    expect(daemonSet.metrics).toEqual(await spec(`${CONTEXT}/namespaces/kube-system/pods/${names(dsPods).join(',')}`));
    const redis = (await get(`${CONTEXT}/namespaces/shop/statefulsets/redis/metrics`)).body;
    expect(redis.metrics).toEqual(await spec(`${CONTEXT}/namespaces/shop/pods/redis-0`));
    const job = await get(`${CONTEXT}/namespaces/shop/jobs/db-migrate/metrics`);
    expect(job.status).toBe(200);
    expect(job.body).toEqual({
      requests: { cpu: 0, memory: 0 },
      limits: { cpu: 0, memory: 0 },
      metrics: [], // a finished Job's pod is not measured
    });
  });
});

/** kubectl's table output as rows of columns (split on runs of spaces), keyed by the first `keyColumns` joined. */
function table(text: string, keyColumns = 1): Map<string, string[]> {
  const rows = text
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s{2,}/));
  return new Map(rows.map((cols) => [cols.slice(0, keyColumns).join('/'), cols.slice(keyColumns)]));
}

describe('GET /api/clusters/:cluster/nodes', () => {
  it('agrees with kubectl get nodes -o wide and kubectl top nodes at the same clock', async () => {
    const { status, body } = await get(`${CONTEXT}/nodes`);
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(['nodes', 'summary']);
    const wide = table(await kubectlOk(kubeconfig, ['get', 'nodes', '-o', 'wide']));
    const top = table(await kubectlOk(kubeconfig, ['top', 'nodes']));
    expect(Object.keys(body.nodes).sort()).toEqual([...wide.keys()].sort());
    const pods = (await raw('/api/v1/pods')).items;
    for (const [name, row] of Object.entries<any>(body.nodes)) {
      const [kStatus, roles, , version, internalIp] = wide.get(name)!;
      expect(Object.keys(row)).toEqual(['role', 'address', 'version', 'status', 'creationTimestamp', 'metrics']);
      expect({ status: row.status, role: row.role, version: row.version, address: row.address }).toEqual({
        status: kStatus,
        role: roles,
        version,
        address: internalIp,
      });
      const node = await raw(`/api/v1/nodes/${name}`);
      expect(row.creationTimestamp).toBe(node.metadata.creationTimestamp);
      const { allocatable, usage, percent } = row.metrics;
      expect(allocatable).toMatchObject({ ...cpuMemory(node.status.allocatable), pods: 110 });
      const onNode = pods.filter(
        (p: any) => p.spec.nodeName === name && !['Succeeded', 'Failed'].includes(p.status.phase),
      );
      expect(usage.pods).toBe(onNode.length);
      expect(percent.pods).toBe(Math.round((onNode.length / 110) * 10_000) / 100);
      const [cpu, cpuPercent, memory, memoryPercent] = top.get(name)!;
      if (row.status !== 'Ready') {
        // kubectl: <unknown>; here the figures are left out (never zeros), and so is storage (no kubelet summary).
        expect(cpu).toBe('<unknown>');
        expect(Object.keys(usage)).toEqual(['pods']);
        expect(Object.keys(percent)).toEqual(['pods']);
        expect(allocatable).not.toHaveProperty('storage');
        continue;
      }
      expect(Math.abs(usage.cpu - Number(cpu!.replace(/m$/, '')))).toBeLessThanOrEqual(1);
      expect(Math.abs(Math.floor(usage.memory / 2 ** 20) - Number(memory!.replace(/Mi$/, '')))).toBeLessThanOrEqual(1);
      expect(Math.abs(Math.trunc(percent.cpu) - Number(cpuPercent!.replace(/%$/, '')))).toBeLessThanOrEqual(1);
      expect(Math.abs(Math.trunc(percent.memory) - Number(memoryPercent!.replace(/%$/, '')))).toBeLessThanOrEqual(1);
      expect(percent.cpu).toBe(Math.round((usage.cpu / allocatable.cpu) * 10_000) / 100);
      const fs = (await raw(`/api/v1/nodes/${name}/proxy/stats/summary`)).node.fs;
      expect(allocatable.storage).toBe(fs.capacityBytes);
      expect(usage.storage).toBe(fs.usedBytes);
      expect(percent.storage).toBe(Math.round((fs.usedBytes / fs.capacityBytes) * 10_000) / 100);
    }
    expect(body.nodes['vm-live-01'].role).toBe('control-plane');
    expect(body.nodes['vm-live-02'].role).toBe('<none>');
    expect(body.nodes['vm-live-03'].status).toBe('NotReady');
  });

  it('sums the summary over the nodes that measured each figure', async () => {
    const { nodes, summary } = (await get(`${CONTEXT}/nodes`)).body;
    const rows = Object.values<any>(nodes).map((n) => n.metrics);
    const total = (part: string, field: string, of = rows) =>
      of.reduce((s: number, r: any) => s + (r[part][field] ?? 0), 0);
    const measured = rows.filter((r) => r.usage.cpu !== undefined);
    expect(measured).toHaveLength(2);
    for (const field of ['cpu', 'memory', 'storage', 'pods']) {
      expect(summary.allocatable[field]).toBe(total('allocatable', field));
      expect(summary.usage[field]).toBe(total('usage', field));
    }
    const of = (field: string) => (field === 'pods' ? rows : measured);
    for (const field of ['cpu', 'memory', 'storage', 'pods'])
      expect(summary.percent[field]).toBe(
        Math.round((total('usage', field) / total('allocatable', field, of(field))) * 10_000) / 100,
      );
    // The cluster's cpu use is the newest point of its series.
    const series = await spec(CONTEXT);
    expect(summary.usage.cpu).toBe(series[series.length - 1].cpu);
  });
});

describe('GET …/pods', () => {
  it("lists a node's pods with kubectl's READY and STATUS and their newest usage", async () => {
    const { status, body } = await get(`${CONTEXT}/nodes/vm-live-01/pods`);
    expect(status).toBe(200);
    const kubectl = table(
      await kubectlOk(kubeconfig, ['get', 'pods', '-A', '--field-selector', 'spec.nodeName=vm-live-01']),
      2,
    );
    expect(body.pods.map((p: any) => `${p.namespace}/${p.name}`).sort()).toEqual([...kubectl.keys()].sort());
    for (const pod of body.pods) {
      expect(Object.keys(pod)).toEqual(['name', 'namespace', 'ready', 'status', 'metrics']);
      expect([pod.ready, pod.status]).toEqual(kubectl.get(`${pod.namespace}/${pod.name}`)!.slice(0, 2));
      const series = await spec(`${CONTEXT}/namespaces/${pod.namespace}/pods/${pod.name}`);
      const newest = series[series.length - 1];
      expect(pod.metrics).toEqual({ cpu: newest.cpu, memory: newest.memory });
    }
  });

  it("lists a workload's pods, and leaves out the usage of one not measured", async () => {
    const { body } = await get(`${CONTEXT}/namespaces/kube-system/daemonsets/kube-proxy/pods`);
    expect(body.pods).toHaveLength(3);
    const kubectl = table(await kubectlOk(kubeconfig, ['get', 'pods', '-n', 'kube-system']));
    for (const pod of body.pods) expect([pod.ready, pod.status]).toEqual(kubectl.get(pod.name)!.slice(0, 2));
    // A finished Job's pod is not measured: its usage is left out, not zero.
    const job = (await get(`${CONTEXT}/namespaces/shop/jobs/db-migrate/pods`)).body.pods;
    expect(job).toEqual([
      {
        name: expect.stringMatching(/^db-migrate-/),
        namespace: 'shop',
        ready: '0/1',
        status: 'Completed',
        metrics: {},
      },
    ]);
    const shop = table(await kubectlOk(kubeconfig, ['get', 'pods', '-n', 'shop']));
    expect(shop.get(job[0].name)!.slice(0, 2)).toEqual(['0/1', 'Completed']);
    const deployment = (await get(`${CONTEXT}/namespaces/shop/deployments/web/pods`)).body.pods;
    expect(deployment.length).toBeGreaterThan(1);
    expect(deployment.every((p: any) => p.namespace === 'shop' && p.metrics.cpu > 0)).toBe(true);
  });
});

describe('errors, as Kubernetes Status', () => {
  const routes = [
    'metrics',
    'nodes',
    'nodes/vm-live-01/metrics',
    'nodes/vm-live-01/pods',
    'namespaces/default/pods/busybox/metrics',
    'namespaces/default/pods/busybox/pods',
  ];

  it('404 for an unknown context, node or workload; 400 for a resource that is not a workload', async () => {
    for (const route of routes) expect((await get(`nope/${route}`)).body).toMatchObject({ kind: 'Status', code: 404 });
    for (const route of ['nodes/ghost/metrics', 'nodes/ghost/pods', 'namespaces/shop/deployments/ghost/metrics'])
      expect((await get(`${CONTEXT}/${route}`)).body).toMatchObject({ kind: 'Status', code: 404 });
    expect((await get(`${CONTEXT}/namespaces/default/statefulsets/ghost/pods`)).status).toBe(404);
    const bad = await get(`${CONTEXT}/namespaces/default/services/kubernetes/metrics`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ kind: 'Status', code: 400, reason: 'BadRequest' });
    expect(bad.body.message).toMatch(/deployments/);
    expect((await get(`${CONTEXT}/namespaces/default/cronjobs/x/pods`)).status).toBe(400);
    for (const route of ['nodes/a..b/metrics', 'nodes/a%2Cb/pods', 'namespaces/default/pods/Busy%20Box/metrics'])
      expect((await get(`${CONTEXT}/${route}`)).body).toMatchObject({ kind: 'Status', code: 400 });
  });

  it('503 for a cluster without metrics-server on every route: never zeros', async () => {
    for (const route of routes) {
      const { status, body } = await get(`no-metrics/${route}`);
      expect(status).toBe(503);
      expect(body).toMatchObject({
        kind: 'Status',
        code: 503,
        message: 'metrics API not available in context "no-metrics"',
      });
    }
  });
});
