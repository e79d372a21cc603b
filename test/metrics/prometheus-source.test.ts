/**
 * The Prometheus metrics source against a real Prometheus (Debian's package) scraping the simulated cluster's cAdvisor
 * endpoints, beside the embedded store scraping the same cluster's metrics.k8s.io: the same routes must give the same
 * points for the same simulated usage. Prometheus keeps real time, so here the cluster's clock is the real one and the
 * test waits for samples by polling Prometheus within a deadline.
 *
 * Why the points can be compared exactly: the simulated usage of an object changes once per 15 s step (its
 * metrics-server scrape), and the embedded store scrapes every 2 s, so between two of its points less than 15 s apart
 * an object's usage takes at most the two values seen there. Prometheus's point at t is the rate over its last two
 * samples before t (a second apart), so it must lie between the embedded points around t — counted twice, in the
 * wrong unit or from the wrong cgroup, it does not.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../lib/clock';
import { silentLogger } from '../../lib/log';
import { embeddedSource } from '../../lib/metrics/embedded-source';
import { createPrometheusSource, type PrometheusSource } from '../../lib/metrics/prometheus-source';
import { createScraper, type MetricsScraper } from '../../lib/metrics/scraper';
import { createMetricsStore } from '../../lib/metrics/store';
import { startKoreServer, type KoreServer } from '../../lib/node/kore-server';
import { PROMETHEUS_BINARY, startPrometheus, type RunningPrometheus } from '../helpers/prometheus';
import { CONTEXT, startStack, type Stack } from '../helpers/stack';

// In CI a missing Prometheus fails the suite: .ci/run installs it, and a skip there would go unnoticed for ever.
const SKIP = PROMETHEUS_BINARY === undefined && process.env.CI !== 'true';
if (SKIP)
  console.warn(
    'test/metrics/prometheus-source.test.ts skipped: no prometheus executable (apt-get install -y prometheus)',
  );

const RESOLUTION = 2_000;
const WINDOW = 60_000;
const NODES = ['vm-live-01', 'vm-live-02', 'vm-live-03']; // vm-live-03 is NotReady: its target is down
const READY_NODES = NODES.slice(0, 2);

interface Point {
  timestamp: string;
  cpu: number;
  memory: number;
}

let stack: Stack;
let scraper: MetricsScraper;
let prometheus: RunningPrometheus;
const made: { close(): Promise<void> }[] = [];

/** A kore-board on the stack's registry whose metrics routes read `source`. */
async function serving(source: PrometheusSource): Promise<string> {
  const kore: KoreServer = await startKoreServer({
    registry: stack.registry,
    security: { allowedHosts: [], allowOrigins: [], authToken: undefined },
    log: silentLogger,
    metrics: source,
  });
  made.push({ close: () => kore.close(0) }, source);
  return kore.server.url;
}

function prometheusSource(options: { url?: string; resolutionMs?: number; timeoutMs?: number } = {}) {
  return createPrometheusSource({
    url: options.url ?? prometheus.url,
    clusterLabel: 'cluster',
    resolutionMs: options.resolutionMs ?? RESOLUTION,
    windowMs: WINDOW,
    clock: systemClock,
    timeoutMs: options.timeoutMs,
  });
}

let fromPrometheus: string;
/**
 * Prometheus's points from before every target had two samples sum only the series that had a rate already: the
 * comparison starts a few scrapes after Prometheus did.
 */
let comparableFrom: number;

async function get(base: string, path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: await res.json() };
}

/**
 * The times of the window at which every cpu series of the context had its two newest samples within the last 3 s:
 * there Prometheus's rate is of the usage just before t. Where a scrape failed or came late (a loaded machine holds
 * up the simulated cluster's answers past the 1 s scrape timeout), the rate is of older usage, which the embedded points
 * around t need not bracket.
 */
async function freshTimes(): Promise<Set<number>> {
  const end = Math.floor(Date.now() / RESOLUTION) * RESOLUTION;
  const query = `min(count_over_time(container_cpu_usage_seconds_total{cluster="${CONTEXT}"}[3s]))`;
  const params = new URLSearchParams({ query, start: String((end - WINDOW) / 1000), end: String(end / 1000) });
  params.set('step', String(RESOLUTION / 1000));
  const res = await fetch(`${prometheus.url}/api/v1/query_range?${params}`);
  const body = (await res.json()) as { data: { result: { values: [number, string][] }[] } };
  const values = body.data.result[0]?.values ?? [];
  return new Set(values.filter(([, count]) => Number(count) >= 2).map(([t]) => Math.round(t * 1000)));
}

/**
 * How many of Prometheus's points lie between the embedded points around them (those with an embedded point 3–8 s
 * before and one at most 2.5 s after: at most one step of any object's usage apart), and those that do not. Only the
 * points at `fresh` times are compared.
 */
function compare(prom: Point[], embedded: Point[], fresh: Set<number>): { checked: number; outside: string[] } {
  const at = (p: Point) => Date.parse(p.timestamp);
  let checked = 0;
  const outside: string[] = [];
  for (const p of prom) {
    const t = at(p);
    if (t < comparableFrom || !fresh.has(t)) continue;
    const around = embedded.filter((e) => at(e) >= t - 8_000 && at(e) <= t + 2_500);
    if (!around.some((e) => at(e) <= t - 3_000) || !around.some((e) => at(e) >= t)) continue;
    checked++;
    for (const field of ['cpu', 'memory'] as const) {
      const values = around.map((e) => e[field]);
      const slack = field === 'cpu' ? 2 : 1; // millicores rounded per pod on one side, per sum on the other
      if (p[field] < Math.min(...values) - slack || p[field] > Math.max(...values) + slack)
        outside.push(`${p.timestamp} ${field} ${p[field]} not within ${JSON.stringify(around.map((e) => e[field]))}`);
    }
  }
  return { checked, outside };
}

/** Prometheus's and the embedded store's answers to one route, compared point by point. */
async function sameSeries(path: string, pick: (body: any) => Point[] = (body) => body as Point[]) {
  const [prom, embedded, fresh] = await Promise.all([get(fromPrometheus, path), get(stack.url, path), freshTimes()]);
  expect(prom.status, JSON.stringify(prom.body)).toBe(200);
  expect(embedded.status).toBe(200);
  const points = pick(prom.body);
  const times = points.map((p) => Date.parse(p.timestamp));
  expect(times.every((t) => t % RESOLUTION === 0)).toBe(true);
  expect(times).toEqual([...times].sort((a, b) => a - b));
  expect(points.length).toBeLessThanOrEqual(WINDOW / RESOLUTION + 1);
  for (const p of points) expect(Number.isInteger(p.cpu) && Number.isInteger(p.memory) && p.memory > 0).toBe(true);
  const { checked, outside } = compare(points, pick(embedded.body), fresh);
  expect(outside).toEqual([]);
  expect(checked, `${path}: points compared`).toBeGreaterThanOrEqual(3);
  return { prom: prom.body, embedded: embedded.body };
}

describe.skipIf(SKIP)(
  'the Prometheus metrics source, against a real Prometheus scraping the simulated cAdvisor',
  () => {
    beforeAll(async () => {
      if (PROMETHEUS_BINARY === undefined)
        throw new Error("CI=true and no prometheus executable: .ci/run installs Debian's prometheus");
      stack = await startStack(
        {},
        {},
        {
          metrics: (registry) => {
            const store = createMetricsStore({ windowMs: WINDOW, resolutionMs: RESOLUTION });
            scraper = createScraper({
              registry,
              store,
              clock: systemClock,
              resolutionMs: RESOLUTION,
              log: silentLogger,
            });
            return embeddedSource(scraper, store);
          },
        },
      );
      scraper.start();
      prometheus = await startPrometheus({
        clusters: [
          {
            context: CONTEXT,
            url: stack.sim.url,
            caPem: stack.sim.caPem,
            credentials: { token: stack.sim.token },
            nodes: NODES,
          },
        ],
      });
      comparableFrom = Date.now() + 4_000;
      fromPrometheus = await serving(prometheusSource());
      // 20 s of samples of each Ready node: enough Prometheus points with embedded points on both sides.
      await prometheus.waitFor(
        '20 samples of each Ready node',
        async () => {
          const counts = await prometheus.query(
            `count_over_time(container_memory_working_set_bytes{cluster="${CONTEXT}",id="/"}[1m])`,
          );
          return counts.length === READY_NODES.length && counts.every((c) => c.value >= 20);
        },
        60_000,
      );
    }, 90_000);

    afterAll(async () => {
      for (const m of made.reverse()) await m.close();
      await scraper?.close();
      await prometheus?.stop();
      await stack?.close();
    });

    it('answers the spec routes with the points of the embedded store: the cluster, each node, pods combined', async () => {
      await sameSeries(`/api/v1/clusters/${CONTEXT}`);
      for (const node of READY_NODES) await sameSeries(`/api/v1/clusters/${CONTEXT}/nodes/${node}`);
      await sameSeries(`/api/v1/clusters/${CONTEXT}/nodes/${READY_NODES.join(',')}`);
      await sameSeries(`/api/v1/clusters/${CONTEXT}/namespaces/default/pods/busybox,alpine-sh`);
      // Two containers, a pod cgroup and a sandbox on cAdvisor's side: the containers alone are the pod's usage.
      await sameSeries(`/api/v1/clusters/${CONTEXT}/namespaces/shop/pods/web-with-sidecar/max`);
    });

    it("answers the web UI's routes from the same series: a node's and a deployment's metrics, pod lists", async () => {
      const node = await sameSeries(`/api/clusters/${CONTEXT}/nodes/vm-live-01/metrics`, (b) => b.metrics);
      expect(node.prom.allocatable).toEqual(node.embedded.allocatable);
      const web = await sameSeries(
        `/api/clusters/${CONTEXT}/namespaces/shop/deployments/web/metrics`,
        (b) => b.metrics,
      );
      expect(Object.keys(web.prom)).toEqual(['requests', 'limits', 'metrics']);
      expect(web.prom.requests).toEqual(web.embedded.requests);

      // A list's usage is the newest point of each pod's series (read twice: a step may pass between the reads).
      const list = await get(fromPrometheus, `/api/clusters/${CONTEXT}/nodes/vm-live-02/pods`);
      expect(list.status).toBe(200);
      const names = list.body.pods.map((p: any) => `${p.namespace}/${p.name}`);
      expect(names).toContain('default/alpine-sh');
      for (const pod of list.body.pods.filter((p: any) => p.status === 'Running')) {
        const series = (
          await get(fromPrometheus, `/api/v1/clusters/${CONTEXT}/namespaces/${pod.namespace}/pods/${pod.name}`)
        ).body as Point[];
        const newest = series.slice(-2).map((p) => ({ cpu: p.cpu, memory: p.memory }));
        expect(newest).toContainEqual(pod.metrics);
      }
      // The node list's usage is the newest point of each node's series, as for pods.
      const nodes = await get(fromPrometheus, `/api/clusters/${CONTEXT}/nodes`);
      expect(nodes.status).toBe(200);
      const { cpu, memory } = nodes.body.nodes['vm-live-01'].metrics.usage;
      const nodeSeries = (await get(fromPrometheus, `/api/v1/clusters/${CONTEXT}/nodes/vm-live-01`)).body as Point[];
      expect(nodeSeries.slice(-2).map((p) => ({ cpu: p.cpu, memory: p.memory }))).toContainEqual({ cpu, memory });
      expect(nodes.body.nodes['vm-live-03'].metrics.usage).not.toHaveProperty('cpu'); // never measured: left out
    });

    it('answers 404 for a series Prometheus has nothing of, and a name cannot change the query', async () => {
      const missing = await get(fromPrometheus, `/api/v1/clusters/${CONTEXT}/nodes/vm-live-03`);
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ kind: 'Status', message: 'no metrics for node "vm-live-03" in the window' });
      expect(
        (await get(fromPrometheus, `/api/v1/clusters/${CONTEXT}/namespaces/default/pods/busybox,ghost`)).status,
      ).toBe(404);
      // Quotes, braces and regex characters stay inside the string literal: a 404, neither data nor Prometheus's 400.
      for (const name of ['x"} or vector(1) or up{a="', 'busybox"}', '.*', 'busybox|alpine-sh', '\\', '{}'])
        for (const path of [
          `namespaces/default/pods/${encodeURIComponent(name)}`,
          `nodes/${encodeURIComponent(name)}`,
        ]) {
          const answer = await get(fromPrometheus, `/api/v1/clusters/${CONTEXT}/${path}`);
          expect(answer.status, `${path}: ${JSON.stringify(answer.body)}`).toBe(404);
        }
      const namespace = await get(
        fromPrometheus,
        `/api/v1/clusters/${CONTEXT}/namespaces/${encodeURIComponent('default"}')}/pods/busybox`,
      );
      expect(namespace.status).toBe(404);
      expect((await get(fromPrometheus, `/api/v1/clusters/nope`)).status).toBe(404);
      expect(
        (await get(fromPrometheus, `/api/v1/clusters/${CONTEXT}/namespaces/default/pods/busybox/drop`)).status,
      ).toBe(400);
    });

    it('says in the status route that Prometheus answers, with its series and newest sample', async () => {
      const { status, body } = await get(fromPrometheus, `/api/v1/clusters/${CONTEXT}/status`);
      expect(status).toBe(200);
      expect(body).toMatchObject({ context: CONTEXT, source: 'prometheus', available: true });
      expect(body).not.toHaveProperty('error');
      // The cluster, its Ready nodes and the running pods on them: what cAdvisor reports.
      const running = stack.sim.store
        .list('pods')
        .filter((p: any) => p.status?.phase === 'Running' && READY_NODES.includes(p.spec?.nodeName));
      expect(body.series).toBe(1 + READY_NODES.length + running.length);
      expect(Math.abs(body.lastScrape - Date.now())).toBeLessThan(10_000);
      expect(body.durationMs).toBeGreaterThanOrEqual(0);
      expect((await get(stack.url, `/api/v1/clusters/${CONTEXT}/status`)).body).toMatchObject({ source: 'embedded' });
    });

    it('answers 502 naming Prometheus when it refuses the query, 503 when it does not answer in time', async () => {
      // A step of 1 ms over the window is more points than Prometheus returns for one series: it answers 400.
      const refused = await get(await serving(prometheusSource({ resolutionMs: 1 })), `/api/v1/clusters/${CONTEXT}`);
      expect(refused.status).toBe(502);
      expect(refused.body).toMatchObject({ kind: 'Status', code: 502, reason: 'BadGateway' });
      expect(refused.body.message).toContain(`Prometheus at ${prometheus.url} answered HTTP 400: bad_data:`);

      // A Prometheus that accepts the connection and never answers.
      const sockets: import('node:net').Socket[] = [];
      const silent: Server = createServer((socket) => void sockets.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
        const base = await serving(prometheusSource({ url, timeoutMs: 300 }));
        const started = Date.now();
        const late = await get(base, `/api/v1/clusters/${CONTEXT}/nodes/vm-live-01`);
        expect(late.status).toBe(503);
        expect(late.body.message).toBe(`Prometheus at ${url} did not answer within 300 ms`);
        expect(Date.now() - started).toBeLessThan(5_000);
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => silent.close(resolve));
      }
    });

    it('answers 503 naming Prometheus once it is down; the status route says so', async () => {
      await prometheus.stop();
      const down = await get(fromPrometheus, `/api/v1/clusters/${CONTEXT}`);
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ kind: 'Status', code: 503, reason: 'ServiceUnavailable' });
      expect(down.body.message).toMatch(new RegExp(`^Prometheus at ${prometheus.url} is unreachable: `));
      const ui = await get(fromPrometheus, `/api/clusters/${CONTEXT}/nodes/vm-live-01/metrics`);
      expect(ui.status).toBe(503);
      const status = await get(fromPrometheus, `/api/v1/clusters/${CONTEXT}/status`);
      expect(status.status).toBe(200);
      expect(status.body).toMatchObject({ context: CONTEXT, source: 'prometheus', available: false, series: 0 });
      expect(status.body.error).toMatch(/^Prometheus at .* is unreachable/);
      // The embedded store does not depend on it.
      expect((await get(stack.url, `/api/v1/clusters/${CONTEXT}`)).status).toBe(200);
    });
  },
);
