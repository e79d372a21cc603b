import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dashboard } from '../../lib/views/dashboard';
import type { Topology } from '../../lib/views/topology';
import { silentServer, startViews, waitFor, type ViewsHarness } from '../helpers/views-stack';

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return `https://127.0.0.1:${port}`;
}

describe('view errors are Kubernetes Status objects', () => {
  let h: ViewsHarness;
  let hanging: Awaited<ReturnType<typeof silentServer>>;
  beforeAll(async () => {
    hanging = await silentServer();
    h = await startViews({ extraContexts: { 'down@nowhere': await closedPortUrl(), 'hangs@nowhere': hanging.url } });
  });
  afterAll(async () => {
    await h.close();
    await hanging.close();
  });

  it('404 for an unknown context', async () => {
    const res = await h.get('/dashboard', 'no-such/context@x');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
    });
  });

  it('502 at once for a cluster that refuses connections', async () => {
    const start = performance.now();
    const res = await h.get('/dashboard', 'down@nowhere');
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ kind: 'Status', reason: 'BadGateway', code: 502 });
    expect((res.body as { message: string }).message).toMatch(/connection refused/);
    expect(performance.now() - start).toBeLessThan(2_000);
  });

  it('504 within 10 s for a cluster that never answers', async () => {
    const start = performance.now();
    const res = await h.get('/topology', 'hangs@nowhere');
    const took = performance.now() - start;
    expect(res.status).toBe(504);
    expect(res.body).toMatchObject({ kind: 'Status', reason: 'Timeout', code: 504 });
    expect(took).toBeLessThan(10_000);
  }, 15_000);

  it('400 for names that cannot be Kubernetes names, or a namespace given twice differently', async () => {
    for (const path of [
      '/topology/namespaces/Not_A_Namespace',
      '/graph/pod/namespaces/shop/pods/UPPER',
      '/topology/namespaces/shop?namespace=default',
    ]) {
      const res = await h.get(path);
      expect(res.status, path).toBe(400);
      expect(res.body).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
    }
  });
});

describe('a cluster that stops answering', () => {
  it('keeps serving the last known state, and says so', async () => {
    const h = await startViews({ views: { staleWarningMs: 300 } });
    try {
      const warm = await h.get('/dashboard');
      expect(warm.status, JSON.stringify(warm.body)).toBe(200);
      await h.sim.close();
      // Every kind's watch broke; their retries are refused: one warning says it for all of them.
      let last: Awaited<ReturnType<ViewsHarness['get']>> | undefined;
      await waitFor(
        async () => {
          last = await h.get('/dashboard');
          const warnings = (last.body as { warnings?: string[] }).warnings ?? [];
          return warnings.length === 1 && warnings[0]!.includes('connection refused');
        },
        6_000,
        50,
      );
      expect(last!.status, JSON.stringify(last!.body)).toBe(200);
      const body = last!.body as Dashboard & { warnings: string[] };
      expect(body.pod.available).toBe(9);
      expect(body.warnings[0]).toMatch(
        /^nodes, namespaces, pods, deployments, replicasets, daemonsets, statefulsets: showing the last known state, not updated since \d{4}-.*: connection refused/,
      );
      expect(last!.headers.get('warning')).toMatch(/^299 - "nodes, namespaces, pods/);
    } finally {
      h.views.close();
      await h.server.close(0);
      await h.registry.close();
    }
  });
});

describe('idle caches', () => {
  it('are dropped after 10 minutes without a request, by the injected clock', async () => {
    let now = 1_000_000;
    const h = await startViews({ views: { clock: { now: () => now } } });
    try {
      expect((await h.get('/dashboard')).status).toBe(200);
      now += 9 * 60_000;
      h.views.sweep();
      expect(h.views.cachedContexts()).toHaveLength(1);
      // A request restarts the idle time.
      expect((await h.get('/topology')).status).toBe(200);
      now += 9 * 60_000;
      h.views.sweep();
      expect(h.views.cachedContexts()).toHaveLength(1);
      now += 60_000;
      h.views.sweep();
      expect(h.views.cachedContexts()).toEqual([]);
      // And come back on the next request.
      expect(((await h.get('/dashboard')).body as Dashboard).pod.available).toBe(9);
      expect(h.views.cachedContexts()).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});

/**
 * The simulated cluster has no RBAC, so a small API server stands in for a cluster where the user may list
 * pods only in namespace team-a and may not list nodes, and that serves no Ingress API; everything else
 * lists empty.
 */
function rbacCluster(): Promise<{ url: string; close(): Promise<void> }> {
  const forbid = (res: ServerResponse, resource: string, scope: string) => {
    res.writeHead(403, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        reason: 'Forbidden',
        code: 403,
        message: `${resource} is forbidden: User "jane" cannot list resource "${resource}" in API group "" ${scope}`,
        details: { kind: resource },
      }),
    );
  };
  const list = (res: ServerResponse, items: unknown[]) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ metadata: { resourceVersion: '7' }, items }));
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname.endsWith('/ingresses')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      return void res.end(
        JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          reason: 'NotFound',
          code: 404,
          message: 'the server could not find the requested resource',
        }),
      );
    }
    if (url.searchParams.get('watch') === '1') {
      if (url.pathname === '/api/v1/pods' || url.pathname === '/api/v1/nodes')
        return forbid(res, url.pathname.slice(8), 'at the cluster scope');
      res.writeHead(200, { 'content-type': 'application/json' });
      return void setTimeout(() => res.end(), 2_000);
    }
    if (url.pathname === '/api/v1/pods') return forbid(res, 'pods', 'at the cluster scope');
    if (url.pathname === '/api/v1/nodes') return forbid(res, 'nodes', 'at the cluster scope');
    if (url.pathname === '/api/v1/namespaces/team-a/pods') {
      return list(res, [
        {
          metadata: { name: 'app-1', namespace: 'team-a', uid: 'uid-app-1' },
          spec: { nodeName: 'n1', containers: [{ name: 'app', image: 'app:1' }] },
          status: { phase: 'Running' },
        },
      ]);
    }
    return list(res, []);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    }),
  );
}

describe('RBAC-forbidden kinds', () => {
  let h: ViewsHarness;
  let cluster: Awaited<ReturnType<typeof rbacCluster>>;
  beforeAll(async () => {
    cluster = await rbacCluster();
    h = await startViews({ extraContexts: { 'jane@restricted': cluster.url }, loadFixture: false });
  });
  afterAll(async () => {
    await h.close();
    await cluster.close();
  });

  it('leave their part of the dashboard empty and say so with the cluster message', async () => {
    const res = await h.get('/dashboard', 'jane@restricted');
    expect(res.status).toBe(200);
    const body = res.body as Dashboard & { warnings: string[] };
    expect(body.pod).toEqual({ ready: 0, available: 0 });
    expect(body.warnings).toEqual([
      'nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope',
      'pods is forbidden: User "jane" cannot list resource "pods" in API group "" at the cluster scope',
    ]);
    expect(res.headers.get('warning')).toContain('pods is forbidden');
  });

  it('forbid a view whose every part is forbidden: 403 with the cluster message', async () => {
    const res = await h.get('/topology', 'jane@restricted');
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({
      kind: 'Status',
      reason: 'Forbidden',
      code: 403,
      message: 'nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope',
    });
  });

  it('a kind the cluster does not serve leaves its part empty too', async () => {
    for (const path of ['/graph/network', '/graph/network/namespaces/team-a']) {
      const res = await h.get(path, 'jane@restricted');
      expect(res.status, path).toBe(200);
      expect(res.headers.get('warning'), path).toContain(
        'ingresses: not available: the server could not find the requested resource',
      );
    }
  });

  it('still show a namespace the user may list', async () => {
    const res = await h.get('/topology/namespaces/team-a', 'jane@restricted');
    expect(res.status).toBe(200);
    expect((res.body as Topology).nodes.map((n) => `${n.kind}/${n.name}`)).toEqual([
      'Cluster/jane@restricted',
      'Node/n1',
      'Pod/app-1',
      'Container/app',
    ]);
  });
});
