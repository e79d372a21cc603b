/**
 * Shared by the test/views-*.test.ts suites: the hand-built fixture loaded into a real simulated cluster,
 * the whole app served on an ephemeral port in front of it, and a client for the view routes.
 */
import { createServer, type Server } from 'node:net';
import { stringify } from 'yaml';
import { systemClock, type Clock } from '../../lib/clock';
import { createRegistry } from '../../lib/node/registry';
import type { ClusterRegistry } from '../../lib/clusters/types';
import { apiVersionOf, RESOURCES, type ResourceName } from '../../lib/kube/resource';
import { silentLogger } from '../../lib/log';
import { startKoreServer } from '../../lib/node/kore-server';
import type { RunningServer } from '../../lib/node/server';
import { startSim, type KubeObject, type SimCluster, type SimOptions } from '../../lib/sim';
import { ClusterState, VIEW_KINDS } from '../../lib/views/state';
import type { ViewStore, ViewStoreOptions } from '../../lib/views/store';
import { FIXTURE } from './views-fixture';
import { b64 } from './b64';

/** A context name with every character that must survive URL encoding. */
export const CONTEXT = 'arn:aws:eks:eu-west-1:123456789012:cluster/prod@team:a';

/** The fixture as objects the sim stores (typed, namespaces first). */
export function fixtureObjects(): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const [plural, items] of Object.entries(FIXTURE)) {
    const type = RESOURCES[plural as ResourceName];
    for (const item of items)
      objects.push({ apiVersion: apiVersionOf(type), kind: type.kind, ...structuredClone(item) } as KubeObject);
  }
  return objects.sort((a, b) => Number(b.kind === 'Namespace') - Number(a.kind === 'Namespace'));
}

/** The fixture as the views' state, for computing expected views with the pure functions. */
export function fixtureState(fixture: Record<string, readonly unknown[]> = FIXTURE): ClusterState {
  const state = new ClusterState();
  for (const kind of VIEW_KINDS) {
    const sink = state.sink(kind);
    sink.beginSync();
    for (const obj of fixture[kind] ?? []) sink.upsert(structuredClone(obj));
    sink.endSync();
  }
  return state;
}

export interface ViewsHarness {
  sim: SimCluster;
  registry: ClusterRegistry;
  views: ViewStore;
  server: RunningServer;
  /** GET on the app; `path` is appended to `/api/clusters/<encoded context>`. */
  get(path: string, context?: string): Promise<{ status: number; body: unknown; headers: Headers }>;
  close(): Promise<void>;
}

/** Extra contexts: name → server URL (same CA and client certificate as the sim). */
function kubeconfig(sim: SimCluster, contexts: Record<string, string>): string {
  const entries = Object.entries(contexts);
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: entries.map(([, server], i) => ({
      name: `c${i}`,
      cluster: { server, 'certificate-authority-data': b64(sim.caPem) },
    })),
    users: [
      {
        name: 'admin',
        user: { 'client-certificate-data': b64(sim.client.certPem), 'client-key-data': b64(sim.client.keyPem) },
      },
    ],
    contexts: entries.map(([name], i) => ({ name, context: { cluster: `c${i}`, user: 'admin' } })),
    'current-context': CONTEXT,
  });
}

export type ExtraContexts = Record<string, string>;

export async function startViews(
  options: {
    sim?: SimOptions;
    views?: Partial<ViewStoreOptions>;
    clock?: Clock;
    extraContexts?: ExtraContexts;
    loadFixture?: boolean;
  } = {},
): Promise<ViewsHarness> {
  const sim = await startSim({ fixture: 'empty', ...options.sim });
  if (options.loadFixture ?? true) sim.store.load(fixtureObjects());
  const contexts = { [CONTEXT]: sim.url, ...options.extraContexts };
  const inlineSources = [{ name: 'views-test', yaml: kubeconfig(sim, contexts) }];
  const clock = options.clock ?? systemClock;
  const registry = await createRegistry({
    kubeconfigPaths: [],
    inlineSources,
    inCluster: false,
    watch: false,
    clock,
    log: silentLogger,
  });
  const { server, views, close } = await startKoreServer({
    registry,
    security: { allowedHosts: [], allowOrigins: [], authToken: undefined },
    log: silentLogger,
    clock,
    viewOptions: options.views,
  });
  return {
    sim,
    registry,
    views,
    server,
    async get(path, context = CONTEXT) {
      const res = await fetch(`${server.url}/api/clusters/${encodeURIComponent(context)}${path}`);
      const text = await res.text();
      return { status: res.status, body: JSON.parse(text) as unknown, headers: res.headers };
    },
    async close() {
      await close(0);
      await registry.close();
      await sim.close();
    },
  };
}

/** Polls `check` until it returns true; resolves with the time it took, rejects after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 20): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (await check()) return performance.now() - start;
    if (performance.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A TCP server that accepts connections and never says a word: a cluster that hangs. */
export async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
