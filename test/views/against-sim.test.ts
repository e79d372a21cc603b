import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboard, type Dashboard } from '../../lib/views/dashboard';
import { workloadGraph } from '../../lib/views/hierarchy';
import { networkGraph } from '../../lib/views/network';
import { topology, type Topology } from '../../lib/views/topology';
import { CONTEXT, fixtureState, startViews, waitFor, type ViewsHarness } from '../helpers/views-stack';

/**
 * The views through the real app, in front of the simulated cluster, fed by the watch cache: pages of two
 * items (so every list paginates), watches that end every second, and a watch window of five events (so a
 * watch that resumes after a burst of unrelated changes gets 410 Gone).
 */
describe('views from the watch cache of a simulated cluster', () => {
  let h: ViewsHarness;
  beforeAll(async () => {
    h = await startViews({ sim: { watchWindow: 5 }, views: { pageSize: 2, watchSeconds: 1 } });
  });
  afterAll(() => h.close());

  const board = async () => {
    const res = await h.get('/dashboard');
    expect(res.status).toBe(200);
    return res.body as Dashboard;
  };

  /** An object view's body without its age, once the age says it is fresh (the header says the same). */
  const fresh = async (path: string): Promise<unknown> => {
    const res = await h.get(path);
    const { lastSyncTime, stale, ...view } = res.body as { lastSyncTime?: string; stale?: boolean };
    expect(stale, path).toBe(false);
    expect(lastSyncTime, path).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(res.headers.get('x-kore-last-sync-time'), path).toBe(lastSyncTime);
    expect(res.headers.get('x-kore-stale'), path).toBe('false');
    return view;
  };

  it('answers a namespace view cold (before the cache is warm) with the exact graph', async () => {
    expect(h.views.cachedContexts()).toEqual([]);
    expect(await fresh('/graph/topology/namespaces/shop')).toEqual(topology(CONTEXT, fixtureState(), 'shop'));
    expect(h.views.cachedContexts()).toEqual([CONTEXT]);
  });

  it('serves every view and alias exactly as the pure functions compute them', async () => {
    const state = fixtureState();
    const whole = topology(CONTEXT, state);
    expect(await fresh('/topology')).toEqual(whole);
    expect(await fresh('/graph/topology')).toEqual(whole);
    const shop = topology(CONTEXT, state, 'shop');
    expect(await fresh('/topology?namespace=shop')).toEqual(shop);
    expect(await fresh('/topology/namespaces/shop')).toEqual(shop);
    expect(await fresh('/graph/topology?namespace=shop')).toEqual(shop);

    // The sim's cluster has its own namespaces besides the fixture's.
    const namespaces = ['default', 'kube-node-lease', 'kube-public', 'kube-system', 'shop'];
    const workloads = workloadGraph(state);
    for (const ns of namespaces) workloads[ns] ??= [];
    expect((await h.get('/graph/workloads')).body).toEqual(
      Object.fromEntries(namespaces.map((ns) => [ns, workloads[ns]])),
    );
    expect((await h.get('/graph/workloads/namespaces/shop')).body).toEqual(workloadGraph(state, 'shop'));
    expect((await h.get('/graph/network/namespaces/shop')).body).toEqual(networkGraph(state, 'shop'));
    expect(Object.keys((await h.get('/graph/network')).body as object)).toEqual(namespaces);

    expect(await fresh('/dashboard')).toEqual({ ...dashboard(state.tally), namespaces: 5 });
  });

  it('shows a pod graph with the uids of the objects the pod reads, and says which do not exist', async () => {
    const sa = h.sim.store.create({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'default', namespace: 'shop' },
    });
    const cm = h.sim.store.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'api-config', namespace: 'shop' },
      data: { a: 'b' },
    });
    const res = await h.get('/graph/pod/namespaces/shop/pods/api-7c9-cccc');
    expect(res.status).toBe(200);
    const nodes = (
      res.body as Record<string, { kind: string; name: string; uid: string; line: string; owner: string }[]>
    ).shop!;
    expect(nodes.map((n) => `${n.kind}/${n.name}`)).toEqual([
      'Pod/api-7c9-cccc',
      'ReplicaSet/api-7c9',
      'Deployment/api',
      'Service/api',
      'ServiceAccount/default',
      'ConfigMap/api-config',
      'ConfigMap/kube-root-ca.crt',
      'Secret/api-secrets',
    ]);
    expect(nodes.slice(4).map((n) => [n.uid, n.line])).toEqual([
      [sa.metadata.uid, ''],
      [cm.metadata.uid, ''],
      ['ConfigMap/shop/kube-root-ca.crt', 'not found'],
      ['Secret/shop/api-secrets', 'not found'],
    ]);
    const missing = await h.get('/graph/pod/namespaces/shop/pods/nope');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      code: 404,
      message: 'pods "nope" not found',
    });
  });

  it('follows a pod becoming ready within a second, in the dashboard and the (reused) namespace topology', async () => {
    const agentReady = async () =>
      ((await h.get('/topology/namespaces/default')).body as Topology).nodes.find(
        (n) => n.id === 'containerd://hhhhhhhh',
      )?.ready;
    expect(await agentReady()).toBe(false);
    expect(await agentReady()).toBe(false);
    const before = await board();
    expect(before.problems.map((p) => p.name)).toContain('log-agent-yyyy');
    h.sim.store.mutate(
      'pods',
      'default',
      'log-agent-yyyy',
      (pod) => {
        const status = pod.status as {
          conditions: { type: string; status: string }[];
          containerStatuses: { ready: boolean }[];
        };
        status.conditions.find((c) => c.type === 'Ready')!.status = 'True';
        status.containerStatuses[0]!.ready = true;
      },
      { subresource: 'status' },
    );
    const took = await waitFor(async () => (await board()).pod.ready === before.pod.ready + 1, 1000);
    expect(took).toBeLessThan(1000);
    const after = await board();
    expect(after.pod.available).toBe(before.pod.available);
    expect(after.problems.map((p) => p.name)).not.toContain('log-agent-yyyy');
    expect(await agentReady()).toBe(true);
  });

  it('follows a deployment scaling, and one losing ready replicas, each within a second', async () => {
    const before = await board();
    expect(before.problems).toContainEqual(
      expect.objectContaining({ kind: 'Deployment', name: 'api', reason: '1/3 replicas ready' }),
    );
    // Scaled down to what is ready (the sim's controllers settle the status at once, as after a rollout).
    h.sim.store.mutate('deployments', 'shop', 'api', (d) => {
      (d.spec as { replicas: number }).replicas = 2;
    });
    expect(
      await waitFor(async () => (await board()).deployment.ready === before.deployment.ready + 1, 1000),
    ).toBeLessThan(1000);
    expect((await board()).problems.map((p) => `${p.kind}/${p.name}`)).not.toContain('Deployment/api');
    // A replica of web stops being ready.
    h.sim.store.mutate(
      'deployments',
      'shop',
      'web',
      (d) => {
        Object.assign(d.status as object, { readyReplicas: 1, availableReplicas: 1 });
      },
      { subresource: 'status' },
    );
    expect(await waitFor(async () => (await board()).deployment.ready === before.deployment.ready, 1000)).toBeLessThan(
      1000,
    );
    expect((await board()).problems).toContainEqual(
      expect.objectContaining({ kind: 'Deployment', name: 'web', reason: '1/2 replicas ready' }),
    );
  });

  it('follows a node going NotReady within a second', async () => {
    const before = await board();
    h.sim.store.mutate(
      'nodes',
      undefined,
      'node-a',
      (node) => {
        const ready = (
          node.status as { conditions: { type: string; status: string; reason: string; lastTransitionTime: string }[] }
        ).conditions.find((c) => c.type === 'Ready')!;
        Object.assign(ready, {
          status: 'False',
          reason: 'KubeletNotReady',
          lastTransitionTime: new Date().toISOString(),
        });
      },
      { subresource: 'status' },
    );
    expect(await waitFor(async () => (await board()).nodes.ready === before.nodes.ready - 1, 1000)).toBeLessThan(1000);
    expect((await board()).problems[0]).toMatchObject({
      kind: 'Node',
      namespace: '',
      name: 'node-a',
      reason: 'KubeletNotReady',
    });
  });

  it('lists again when the cluster answers a resumed watch with 410 Gone, and shows what only a list can see', async () => {
    const before = await board();
    // A pod the watch never hears of: loaded without an event, as if its event had been compacted away.
    const ghost = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'ghost', namespace: 'default' },
      spec: { nodeName: 'node-b', containers: [{ name: 'c', image: 'busybox' }] },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    };
    h.sim.store.load([ghost]);
    // Watches resume every second without trouble: the pod stays unseen.
    await new Promise((r) => setTimeout(r, 1_200));
    expect((await board()).pod.available).toBe(before.pod.available);
    // Unrelated changes push the pod watch's resourceVersion out of the five-event window...
    for (let i = 0; i < 8; i++)
      h.sim.store.create({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `churn-${i}`, namespace: 'default' },
      });
    // ...so its next resume gets 410, and the relist finds the pod (one watch period + the relist).
    const took = await waitFor(async () => (await board()).pod.available === before.pod.available + 1, 3000);
    expect(took).toBeLessThan(2500);
    expect((await board()).pod.ready).toBe(before.pod.ready + 1);
  });
});
