/**
 * The spec's Metrics-Scraper routes over HTTP: the real scraper and store, the simulated cluster's metrics.k8s.io, one
 * injected clock for both (each round is a `scrapeAll()` at a chosen time: no sleeping).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/log';
import type { MetricsScraper } from '../../lib/metrics/scraper';
import type { MetricsSource } from '../../lib/metrics/types';
import { startEmbeddedMetrics } from '../../lib/node/embedded-metrics';
import { startKoreServer } from '../../lib/node/kore-server';
import { fakeClock } from '../helpers/registry-fixtures';
import { CONTEXT, type Stack } from '../helpers/stack';
import { NO_METRICS, startScrapedStack, type ScrapedStack } from './scraped-stack';

const MINUTE = 60_000;
const WINDOW = 5 * MINUTE;
const T0 = Date.parse('2026-12-02T10:00:00Z');
const clock = fakeClock(T0);
let scraped: ScrapedStack;
let stack: Stack;
let scraper: MetricsScraper;
let source: MetricsSource;

beforeAll(async () => {
  scraped = await startScrapedStack(clock, { windowMs: WINDOW, resolutionMs: MINUTE, rounds: 3 });
  ({ stack, scraper, source } = scraped);
});
afterAll(async () => {
  await scraped?.close();
});

async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${stack.url}/api/v1/clusters/${path}`);
  return { status: res.status, body: await res.json() };
}

const sumOf = (a: any[], b: any[]) =>
  a.map((p, i) => ({ ...p, cpu: p.cpu + b[i].cpu, memory: p.memory + b[i].memory }));

describe('GET /api/v1/clusters/:cluster…', () => {
  it('answers the cluster series oldest first, to the second, in integer millicores and bytes', async () => {
    const { status, body } = await get(CONTEXT);
    expect(status).toBe(200);
    expect(body.map((p: any) => p.timestamp)).toEqual([
      '2026-12-02T10:00:00Z',
      '2026-12-02T10:01:00Z',
      '2026-12-02T10:02:00Z',
    ]);
    for (const p of body) {
      expect(Object.keys(p)).toEqual(['timestamp', 'cpu', 'memory']);
      expect(Number.isInteger(p.cpu) && p.cpu > 0).toBe(true);
      expect(Number.isInteger(p.memory) && p.memory > 0).toBe(true);
    }
  });

  it('sums a comma list of nodes, and the cluster is the sum of its nodes', async () => {
    const nodes = (await (await fetch(`${stack.raw}/apis/metrics.k8s.io/v1beta1/nodes`)).json()).items.map(
      (n: any) => n.metadata.name as string,
    );
    expect(nodes.length).toBeGreaterThan(1);
    const each = await Promise.all(nodes.map(async (n: string) => (await get(`${CONTEXT}/nodes/${n}`)).body));
    const summed = await get(`${CONTEXT}/nodes/${nodes.join(',')}`);
    expect(summed.status).toBe(200);
    expect(summed.body).toEqual(each.reduce(sumOf));
    expect((await get(CONTEXT)).body).toEqual(summed.body);
  });

  it('combines pods by sum, avg, max and min, in any case', async () => {
    const busybox = (await get(`${CONTEXT}/namespaces/default/pods/busybox`)).body;
    const alpine = (await get(`${CONTEXT}/namespaces/default/pods/alpine-sh`)).body;
    expect(busybox).toHaveLength(3);
    const both = `${CONTEXT}/namespaces/default/pods/busybox,alpine-sh`;
    expect((await get(both)).body).toEqual(sumOf(busybox, alpine));
    expect((await get(`${both}/SUM`)).body).toEqual(sumOf(busybox, alpine));
    const pick = (f: (a: number, b: number) => number) =>
      busybox.map((p: any, i: number) => ({
        ...p,
        cpu: f(p.cpu, alpine[i].cpu),
        memory: f(p.memory, alpine[i].memory),
      }));
    expect((await get(`${both}/max`)).body).toEqual(pick(Math.max));
    expect((await get(`${both}/Min`)).body).toEqual(pick(Math.min));
    expect((await get(`${both}/avg`)).body).toEqual(pick((a, b) => Math.round((a + b) / 2)));
  });

  it('answers a bad op, an unknown context, node or pod, and a cluster without metrics-server with Status', async () => {
    const injected = await get(`${CONTEXT}/namespaces/default/pods/busybox/${encodeURIComponent('sum;drop table')}`);
    expect(injected.status).toBe(400);
    expect(injected.body).toMatchObject({ kind: 'Status', code: 400 });
    expect(injected.body.message).toMatch(/sum, avg, max/);
    expect((await get('nope')).body).toMatchObject({ kind: 'Status', code: 404 });
    expect((await get(`${CONTEXT}/nodes/no-such-node`)).body).toMatchObject({ kind: 'Status', code: 404 });
    expect((await get(`${CONTEXT}/namespaces/default/pods/busybox,ghost`)).body).toMatchObject({ code: 404 });
    const unavailable = await get(NO_METRICS);
    expect(unavailable.status).toBe(503);
    expect(unavailable.body).toMatchObject({
      kind: 'Status',
      code: 503,
      message: 'metrics API not available in context "no-metrics"',
    });
    expect((await get(`${NO_METRICS}/status`)).body).toMatchObject({ context: NO_METRICS, available: false });
    expect((await get(`${CONTEXT}/status`)).body).toMatchObject({ context: CONTEXT, available: true });
  });

  it('keeps the window, and a deleted pod ages out with it', async () => {
    const deleted = await fetch(`${stack.raw}/api/v1/namespaces/default/pods/alpine-sh`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    for (let round = 0; round < 6; round++) {
      clock.advance(MINUTE);
      await scraper.scrapeAll();
    }
    const cluster = (await get(CONTEXT)).body;
    expect(cluster.length).toBe(WINDOW / MINUTE + 1);
    expect(Date.parse(cluster[0].timestamp)).toBeGreaterThanOrEqual(clock.now() - WINDOW);
    expect((await get(`${CONTEXT}/namespaces/default/pods/alpine-sh`)).status).toBe(404);
    expect((await get(`${CONTEXT}/namespaces/default/pods/busybox`)).body).toHaveLength(WINDOW / MINUTE + 1);
  });
});

describe('--metrics-listen', () => {
  it('serves the metrics routes alone on a second listener, behind the same admission', async () => {
    const kore = await startKoreServer({
      registry: stack.registry,
      security: { allowedHosts: [], allowOrigins: [], authToken: 'a-token-of-sixteen-chars' },
      log: silentLogger,
      metrics: source,
      metricsListen: { host: '127.0.0.1', port: 0 },
    });
    try {
      const second = kore.metricsServer!.url;
      const auth = { authorization: 'Bearer a-token-of-sixteen-chars' };
      const answered = await fetch(`${second}/api/v1/clusters/${CONTEXT}`, { headers: auth });
      expect(answered.status).toBe(200);
      expect(await answered.json()).toEqual((await get(CONTEXT)).body);
      expect((await fetch(`${second}/api/v1/clusters/${CONTEXT}`)).status).toBe(401);
      const elsewhere = await fetch(`${second}/api/contexts`, { headers: auth });
      expect(elsewhere.status).toBe(404);
      expect(await elsewhere.json()).toMatchObject({ kind: 'Status', code: 404 });
      expect((await fetch(`${second}/raw/clusters/${CONTEXT}/api/v1/namespaces`, { headers: auth })).status).toBe(404);
    } finally {
      await kore.close(0);
    }
  });
});

describe('the embedded pipeline across a restart', () => {
  it('reloads the window from its snapshot, dropping nothing newer than the window', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kore-metrics-'));
    const snapshotPath = join(dir, 'metrics.snapshot');
    const config = {
      source: { kind: 'embedded' as const },
      resolutionMs: MINUTE,
      windowMs: WINDOW,
      contexts: [CONTEXT],
      listen: undefined,
    };
    const options = { registry: stack.registry, config, snapshotPath, clock, log: silentLogger };
    try {
      const first = await startEmbeddedMetrics(options);
      first.start(); // one round at once
      await first.close(); // waits for that round, writes the snapshot
      const [before] = await first.source.series(CONTEXT, [{ kind: 'cluster' }]);
      expect(before).toHaveLength(1);
      clock.advance(MINUTE);
      const second = await startEmbeddedMetrics(options);
      second.start();
      await second.close();
      expect((await second.source.series(CONTEXT, [{ kind: 'cluster' }]))[0]).toEqual([
        ...before!,
        expect.objectContaining({ t: clock.now() }),
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
