/**
 * The metrics scraper against simulated clusters on one injected clock: what a round files, a dead cluster beside a
 * live one, a cluster without metrics-server, contexts coming and going, and --metrics-contexts. No sleeping: rounds
 * run when the test calls scrapeAll, and only the dead cluster's per-scrape timeout is real time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../lib/clock';
import type { InlineSource } from '../../lib/clusters/context-registry';
import type { ClusterRegistry } from '../../lib/clusters/types';
import { kubeCallFor } from '../../lib/kube/connection-call';
import { DiscoveryCache } from '../../lib/kube/discovery-cache';
import type { ClusterApi } from '../../lib/kube/cluster-apis';
import type { KubeCall, KubeJsonResponse, KubeRequest } from '../../lib/kube/kube-call';
import { parseQuantity } from '../../lib/kube/quantity';
import { silentLogger } from '../../lib/log';
import { parseNodeMetrics, parsePodMetrics } from '../../lib/metrics/metrics-api';
import {
  createScraper,
  RECHECK_EVERY_ROUNDS,
  type MetricsScraper,
  type ScraperOptions,
} from '../../lib/metrics/scraper';
import { createMetricsStore } from '../../lib/metrics/store';
import type { MetricsStore, Usage } from '../../lib/metrics/types';
import { createRegistry } from '../../lib/node/registry';
import { startSim, type SimCluster } from '../../lib/sim';
import { b64, fakeClock, get, kubeconfigYaml, type FakeClock } from '../helpers/registry-fixtures';
import { silentServer } from '../helpers/views-stack';

const RESOLUTION_MS = 15_000;
const WINDOW_MS = 10 * 60_000;
const NODES = '/apis/metrics.k8s.io/v1beta1/nodes';
const PODS = '/apis/metrics.k8s.io/v1beta1/pods';

interface Reachable {
  url: string;
  caPem: string;
  client: { certPem: string; keyPem: string };
}

/** A kubeconfig with one context, its cluster and user all called `name`. */
function source(name: string, cluster: Reachable): InlineSource {
  const yaml = kubeconfigYaml({
    clusters: { [name]: { server: cluster.url, 'certificate-authority-data': b64(cluster.caPem) } },
    users: {
      [name]: {
        'client-certificate-data': b64(cluster.client.certPem),
        'client-key-data': b64(cluster.client.keyPem),
      },
    },
    contexts: { [name]: { cluster: name, user: name } },
  });
  return { name, yaml };
}

interface Fixture {
  clock: FakeClock;
  registry: ClusterRegistry;
  /** The registry's inline kubeconfigs: edit, then `registry.reload()`. */
  sources: InlineSource[];
  store: MetricsStore & { seriesCount(context: string): number };
  scraper(options?: Partial<ScraperOptions>): MetricsScraper;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fixture(initial: (clock: FakeClock) => Promise<InlineSource[]>): Promise<Fixture> {
  const clock = fakeClock();
  const sources = await initial(clock);
  const registry = await createRegistry({
    kubeconfigPaths: [],
    inlineSources: () => sources,
    inCluster: false,
    watch: false,
    clock: systemClock,
    log: silentLogger,
  });
  cleanups.push(() => registry.close());
  const store = createMetricsStore({ windowMs: WINDOW_MS, resolutionMs: RESOLUTION_MS });
  return {
    clock,
    registry,
    sources,
    store,
    scraper: (options = {}) => {
      const scraper = createScraper({
        registry,
        store,
        clock,
        resolutionMs: RESOLUTION_MS,
        log: silentLogger,
        ...options,
      });
      cleanups.push(() => scraper.close());
      return scraper;
    },
  };
}

async function sim(clock: FakeClock, metricsServer = true): Promise<SimCluster> {
  const cluster = await startSim({ clock, metricsServer });
  cleanups.push(() => cluster.close());
  return cluster;
}

/** What the cluster's metrics API says now, read and summed here independently of the scraper's parser. */
async function served(registry: ClusterRegistry, context: string) {
  const list = async (path: string) => {
    const res = await get(registry.connection(context), path);
    expect(res.status).toBe(200);
    return res.body.items as Array<Record<string, any>>;
  };
  const millicores = (cores: number) => Math.round(cores * 1000);
  const nodes = new Map<string, Usage>();
  for (const item of await list(NODES)) {
    nodes.set(item.metadata.name, {
      cpu: millicores(parseQuantity(item.usage.cpu)),
      memory: Math.round(parseQuantity(item.usage.memory)),
    });
  }
  const pods = new Map<string, Usage>();
  for (const item of await list(PODS)) {
    const containers = item.containers as Array<{ usage: { cpu: string; memory: string } }>;
    const sum = (resource: 'cpu' | 'memory') =>
      containers.reduce((total, c) => total + parseQuantity(c.usage[resource]), 0);
    pods.set(`${item.metadata.namespace}/${item.metadata.name}`, {
      cpu: millicores(sum('cpu')),
      memory: Math.round(sum('memory')),
    });
  }
  return { nodes, pods };
}

/** The registry's client and discovery for each context, with every request shown to `wrap` first. */
function wrappedApis(
  registry: ClusterRegistry,
  wrap: (context: string, req: KubeRequest, res: KubeJsonResponse) => KubeJsonResponse,
): (context: string) => ClusterApi {
  const byContext = new Map<string, ClusterApi>();
  return (context) => {
    let api = byContext.get(context);
    if (api === undefined) {
      const inner = kubeCallFor(registry.connection(context));
      const call: KubeCall = async (req) => wrap(context, req, await inner(req));
      api = { call, discovery: new DiscoveryCache(call) };
      byContext.set(context, api);
    }
    return api;
  };
}

describe('a round', () => {
  it('files every node and pod with the usage the cluster serves at that time; the cluster total is the nodes sum', async () => {
    const f = await fixture(async (clock) => [source('live', await sim(clock))]);
    let rounds = 0;
    const scraper = f.scraper({ afterScrape: () => rounds++ });
    const t0 = f.clock.now();
    const first = await served(f.registry, 'live');
    expect(first.nodes.size).toBeGreaterThan(0);
    expect(first.pods.size).toBeGreaterThan(0);

    await scraper.scrapeAll();
    expect(rounds).toBe(1);
    for (const [name, usage] of first.nodes)
      expect(f.store.series('live', { kind: 'node', name })).toEqual([{ t: t0, ...usage }]);
    for (const [key, usage] of first.pods) {
      const [namespace = '', name = ''] = key.split('/');
      expect(f.store.series('live', { kind: 'pod', namespace, name })).toEqual([{ t: t0, ...usage }]);
    }
    const total = (nodes: Map<string, Usage>) => ({
      cpu: [...nodes.values()].reduce((s, u) => s + u.cpu, 0),
      memory: [...nodes.values()].reduce((s, u) => s + u.memory, 0),
    });
    expect(f.store.series('live', { kind: 'cluster' })).toEqual([{ t: t0, ...total(first.nodes) }]);
    expect(scraper.status('live')).toEqual({
      available: true,
      lastScrape: t0,
      durationMs: 0,
      series: first.nodes.size + first.pods.size + 1,
    });

    f.clock.advance(RESOLUTION_MS);
    const second = await served(f.registry, 'live');
    await scraper.scrapeAll();
    expect(rounds).toBe(2);
    expect(f.store.series('live', { kind: 'cluster' })).toEqual([
      { t: t0, ...total(first.nodes) },
      { t: t0 + RESOLUTION_MS, ...total(second.nodes) },
    ]);
    const [name, usage] = [...second.nodes][0]!;
    expect(f.store.series('live', { kind: 'node', name })?.[1]).toEqual({ t: t0 + RESOLUTION_MS, ...usage });
    expect(scraper.status('live')?.lastScrape).toBe(t0 + RESOLUTION_MS);
  });

  it('start() runs one at once and close() waits for it', async () => {
    const f = await fixture(async (clock) => [source('live', await sim(clock))]);
    const scraper = f.scraper();
    scraper.start();
    await scraper.close();
    expect(f.store.series('live', { kind: 'cluster' })?.map((p) => p.t)).toEqual([f.clock.now()]);
    await scraper.scrapeAll();
    expect(f.store.series('live', { kind: 'cluster' })).toHaveLength(1);
  });

  it('leaves out an object with a malformed quantity, files the rest and says so in the status', async () => {
    const f = await fixture(async (clock) => [source('live', await sim(clock))]);
    let broken = '';
    const apis = wrappedApis(f.registry, (_context, req, res) => {
      if (req.path !== NODES) return res;
      const items = (res.body as { items: Array<{ metadata: { name: string }; usage: { cpu: string } }> }).items;
      broken = items[0]!.metadata.name;
      items[0]!.usage.cpu = '12x';
      return res;
    });
    const scraper = f.scraper({ apis });
    await scraper.scrapeAll();
    expect(broken).not.toBe('');
    expect(f.store.series('live', { kind: 'node', name: broken })).toBeUndefined();
    const { nodes } = await served(f.registry, 'live');
    const others = [...nodes].filter(([name]) => name !== broken);
    for (const [name, usage] of others)
      expect(f.store.series('live', { kind: 'node', name })).toEqual([{ t: f.clock.now(), ...usage }]);
    expect(f.store.series('live', { kind: 'cluster' })?.[0]?.cpu).toBe(others.reduce((s, [, u]) => s + u.cpu, 0));
    expect(scraper.status('live')?.error).toBe(`1 object(s) with malformed usage skipped: node ${broken}: cpu "12x"`);
  });
});

describe('parsing metrics.k8s.io lists', () => {
  it('converts every quantity form to millicores and bytes, sums containers, and skips what it cannot read', () => {
    const nodes = parseNodeMetrics([
      { metadata: { name: 'a' }, usage: { cpu: '250000000n', memory: '1Ki' } },
      { metadata: { name: 'b' }, usage: { cpu: '1.5', memory: '1e3' } },
      { metadata: { name: 'c' }, usage: { cpu: 'lots', memory: '1Mi' } },
      { metadata: { name: 'd' }, usage: { cpu: '-1m', memory: '1Mi' } },
      { metadata: { name: 'e' }, usage: { memory: '1Mi' } },
      { metadata: {}, usage: { cpu: '1', memory: '1' } },
    ]);
    expect([...nodes.usage]).toEqual([
      ['a', { cpu: 250, memory: 1024 }],
      ['b', { cpu: 1500, memory: 1000 }],
    ]);
    expect(nodes.malformed).toEqual([
      'node c: cpu "lots"',
      'node d: cpu "-1m"',
      'node e: cpu missing',
      'a node without a name',
    ]);
    const pods = parsePodMetrics([
      {
        metadata: { namespace: 'ns', name: 'two' },
        containers: [
          { name: 'x', usage: { cpu: '100u', memory: '1Mi' } },
          { name: 'y', usage: { cpu: '400u', memory: '1Mi' } },
        ],
      },
      { metadata: { namespace: 'ns', name: 'fresh' }, containers: [] },
      {
        metadata: { namespace: 'ns', name: 'bad' },
        containers: [
          { name: 'x', usage: { cpu: '1m', memory: '1Mi' } },
          { name: 'y', usage: { cpu: '1m', memory: 'much' } },
        ],
      },
    ]);
    // 0.1 m + 0.4 m rounds to 1 m once summed, not to 0 + 0 per container.
    expect([...pods.usage]).toEqual([['ns/two', { cpu: 1, memory: 2 * 2 ** 20 }]]);
    expect(pods.malformed).toEqual(['pod ns/bad container y: memory "much"']);
  });
});

describe('a cluster that does not answer', () => {
  it('does not keep a live cluster from filing its sample at the round time; its status has the error', async () => {
    let silent: Awaited<ReturnType<typeof silentServer>> | undefined;
    const f = await fixture(async (clock) => {
      const live = await sim(clock);
      silent = await silentServer();
      // Listed first and scraped one at a time: the live cluster waits only for the dead one's timeout.
      return [source('dead', { ...live, url: silent.url }), source('live', live)];
    });
    cleanups.push(() => silent!.close());
    const scraper = f.scraper({ parallelism: 1, timeoutMs: 200 });
    const t0 = f.clock.now();
    await scraper.scrapeAll();

    const { nodes } = await served(f.registry, 'live');
    const liveCluster = f.store.series('live', { kind: 'cluster' });
    expect(liveCluster).toHaveLength(1);
    expect(liveCluster?.[0]?.t).toBe(t0);
    expect(liveCluster?.[0]?.cpu).toBe([...nodes.values()].reduce((s, u) => s + u.cpu, 0));
    expect(scraper.status('live')?.error).toBeUndefined();
    expect(scraper.status('dead')).toMatchObject({ available: true, lastScrape: t0, error: 'no answer within 200 ms' });
    // The dead cluster's round moved its time without a point: nothing measured.
    expect(f.store.series('dead', { kind: 'cluster' })).toEqual([]);

    // Rounds go on for both, at the default parallelism too.
    f.clock.advance(RESOLUTION_MS);
    const again = f.scraper({ timeoutMs: 200 });
    await again.scrapeAll();
    expect(f.store.series('live', { kind: 'cluster' })?.map((p) => p.t)).toEqual([t0, t0 + RESOLUTION_MS]);
    expect(again.status('dead')?.error).toBe('no answer within 200 ms');
  });
});

describe('a cluster without metrics-server', () => {
  it('is marked unavailable, has nothing in the store, and its discovery alone is read again now and then', async () => {
    const f = await fixture(async (clock) => [
      source('bare', await sim(clock, false)),
      source('live', await sim(clock)),
    ]);
    // The simulator's flag: no metrics.k8s.io in discovery, its paths 404.
    expect((await get(f.registry.connection('bare'), NODES)).status).toBe(404);
    expect(JSON.stringify((await get(f.registry.connection('bare'), '/apis')).body)).not.toContain('metrics.k8s.io');

    const requests: string[] = [];
    const apis = wrappedApis(f.registry, (context, req, res) => {
      if (context === 'bare') requests.push(req.path);
      return res;
    });
    const scraper = f.scraper({ apis });
    await scraper.scrapeAll();
    expect(scraper.status('bare')).toEqual({ available: false, lastScrape: f.clock.now(), durationMs: 0, series: 0 });
    expect(f.store.contexts()).toEqual(['live']);
    expect(f.store.series('bare', { kind: 'cluster' })).toBeUndefined();
    expect(requests).toEqual(['/api', '/apis']);

    requests.length = 0;
    for (let round = 1; round < RECHECK_EVERY_ROUNDS; round++) {
      f.clock.advance(RESOLUTION_MS);
      await scraper.scrapeAll();
    }
    expect(requests).toEqual([]);
    f.clock.advance(RESOLUTION_MS);
    await scraper.scrapeAll();
    expect(requests).toEqual(['/api', '/apis']);
    expect(scraper.status('bare')?.available).toBe(false);
    expect(f.store.contexts()).toEqual(['live']);
  });
});

describe('contexts at runtime', () => {
  it('stops scraping and drops a removed context; starts scraping an added one', async () => {
    let cluster: SimCluster | undefined;
    const f = await fixture(async (clock) => {
      cluster = await sim(clock);
      return [source('first', cluster)];
    });
    const scraper = f.scraper();
    await scraper.scrapeAll();
    expect(f.store.contexts()).toEqual(['first']);

    f.sources.splice(0, 1, source('second', cluster!));
    await f.registry.reload();
    expect(scraper.status('first')).toBeUndefined();
    expect(f.store.contexts()).toEqual([]);
    expect(scraper.status('second')).toEqual({ available: true, series: 0 });

    f.clock.advance(RESOLUTION_MS);
    await scraper.scrapeAll();
    expect(f.store.contexts()).toEqual(['second']);
    expect(f.store.series('second', { kind: 'cluster' })?.map((p) => p.t)).toEqual([f.clock.now()]);
    expect(f.store.series('first', { kind: 'cluster' })).toBeUndefined();
  });

  it('scrapes only the contexts it is told to (--metrics-contexts)', async () => {
    const f = await fixture(async (clock) => {
      const cluster = await sim(clock);
      return [source('wanted', cluster), source('other', cluster)];
    });
    const scraper = f.scraper({ contexts: ['wanted', 'not-loaded'] });
    await scraper.scrapeAll();
    expect(f.store.contexts()).toEqual(['wanted']);
    expect(scraper.status('other')).toBeUndefined();
    expect(scraper.status('not-loaded')).toBeUndefined();

    // One of them appears later: it is scraped from then on.
    f.sources.push(source('not-loaded', { ...(await sim(f.clock)) }));
    await f.registry.reload();
    f.clock.advance(RESOLUTION_MS);
    await scraper.scrapeAll();
    expect(f.store.contexts().sort()).toEqual(['not-loaded', 'wanted']);
  });
});
