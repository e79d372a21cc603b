/**
 * kore-board's own `GET /metrics` (Prometheus text, prom-client): the embedded scraper's health per context after a
 * scrape, behind the same admission as every API route; and the Node entry wiring `--metrics-source`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isApiPath } from '../../lib/admission';
import { silentLogger } from '../../lib/log';
import { startKoreServer, type KoreServer } from '../../lib/node/kore-server';
import { startMetricsSource } from '../../lib/node/metrics-source';
import { uiFiles } from '../../lib/node/ui-files';
import { createTelemetryRegistry } from '../../lib/telemetry/registry';
import { registerScrapeHealth } from '../../lib/telemetry/scrape-health';
import { freePort } from '../helpers/free-port';
import { startProcess } from '../helpers/process';
import { fakeClock } from '../helpers/registry-fixtures';
import { CONTEXT } from '../helpers/stack';
import { NO_METRICS, startScrapedStack, type ScrapedStack } from './scraped-stack';

const MINUTE = 60_000;
const T0 = Date.parse('2026-12-02T10:00:00Z');
const TOKEN = 'a-token-of-sixteen-chars';
const clock = fakeClock(T0);
let scraped: ScrapedStack;
let kore: KoreServer;
let uiDir: string;

/** The sample lines of an exposition, `name{labels} value`, by name and labels. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(\S+\{[^}]*\}|\S+) (\S+)$/.exec(line);
    if (match !== null && !line.startsWith('#')) out.set(match[1]!, Number(match[2]));
  }
  return out;
}

beforeAll(async () => {
  scraped = await startScrapedStack(clock, { windowMs: 5 * MINUTE, resolutionMs: MINUTE, rounds: 1 });
  const { registry } = scraped.stack;
  // The entry's own pipeline, as lib/node/serve.ts starts it: one round at once (close() waits for it).
  const running = await startMetricsSource({
    registry,
    config: {
      source: { kind: 'embedded' },
      resolutionMs: MINUTE,
      windowMs: 5 * MINUTE,
      contexts: undefined,
      listen: undefined,
    },
    snapshotPath: undefined,
    clock,
    log: silentLogger,
  });
  running.start();
  await running.close();
  const telemetry = createTelemetryRegistry();
  registerScrapeHealth(telemetry, running.scrapes!);
  // A UI folder holding a file named like the route: it must not be served in the route's place.
  uiDir = await mkdtemp(join(tmpdir(), 'kore-telemetry-ui-'));
  await writeFile(join(uiDir, 'index.html'), '<!doctype html>');
  await writeFile(join(uiDir, 'metrics'), 'a file of the UI');
  kore = await startKoreServer({
    registry,
    security: { allowedHosts: [], allowOrigins: [], authToken: TOKEN },
    log: silentLogger,
    metrics: running.source,
    telemetry,
    ui: uiFiles(uiDir),
  });
});
afterAll(async () => {
  await kore?.close(0);
  await scraped?.close();
  if (uiDir !== undefined) await rm(uiDir, { recursive: true, force: true });
});

describe('GET /metrics', () => {
  it("serves each scraped context's health in the Prometheus text format after a scrape", async () => {
    const res = await fetch(`${kore.server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toContain('# TYPE kore_metrics_scrape_last_timestamp_seconds gauge');
    const values = samples(text);
    const of = (name: string, context: string) => values.get(`${name}{context="${context}"}`);
    // The fake clock did not move during the round: it finished at T0, in 0 ms.
    expect(of('kore_metrics_scrape_last_timestamp_seconds', CONTEXT)).toBe(T0 / 1000);
    expect(of('kore_metrics_scrape_duration_seconds', CONTEXT)).toBe(0);
    expect(of('kore_metrics_scrape_error', CONTEXT)).toBe(0);
    expect(of('kore_metrics_available', CONTEXT)).toBe(1);
    const status = await (await fetch(`${scraped.stack.url}/api/v1/clusters/${CONTEXT}/status`)).json();
    expect(of('kore_metrics_series', CONTEXT)).toBe(status.series);
    expect(of('kore_metrics_series', CONTEXT)).toBeGreaterThan(10);
    // A cluster without metrics-server: scraped (discovery read), unavailable, nothing held.
    expect(of('kore_metrics_available', NO_METRICS)).toBe(0);
    expect(of('kore_metrics_series', NO_METRICS)).toBe(0);
    expect(of('kore_metrics_scrape_error', NO_METRICS)).toBe(0);
  });

  it('is an API path: it needs the token, and a UI file of that name does not shadow it', async () => {
    expect(isApiPath('/metrics')).toBe(true);
    expect(isApiPath('/METRICS')).toBe(true);
    const anonymous = await fetch(`${kore.server.url}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ kind: 'Status', code: 401 });
    expect((await fetch(`${kore.server.url}/index.html`)).status).toBe(200); // the UI's files stay open
  });
});

// One process, not tsx's wrapper plus a child: a SIGKILL in clean-up must not leave a server behind.
const NODE = process.execPath;
const MAIN = join(process.cwd(), 'lib/node/main.ts');

describe('the kore-board process', () => {
  const env = { ...process.env, KUBECONFIG: '', KORE_LOG_LEVEL: 'warn' };
  const start = async (args: string[]) => {
    const home = await mkdtemp(join(tmpdir(), 'kore-home-'));
    const p = await startProcess(NODE, ['--import', 'tsx', MAIN, '--demo', '--listen', '127.0.0.1:0', ...args], {
      env: { ...env, HOME: home },
    });
    return { p, close: async () => void (await p.stop('SIGKILL'), await rm(home, { recursive: true, force: true })) };
  };
  const demo = encodeURIComponent('kubernetes-admin@kubernetes');

  it('serves its scrape health at /metrics with the embedded source', async () => {
    const { p, close } = await start([]);
    try {
      const deadline = Date.now() + 15_000;
      let text = '';
      // The first round starts at once; its end is what the gauges report.
      while (!text.includes(`kore_metrics_scrape_last_timestamp_seconds{context="kubernetes-admin@kubernetes"}`)) {
        if (Date.now() > deadline) throw new Error(`no scrape health within 15 s:\n${text}`);
        text = await (await fetch(`${p.url}/metrics`, { headers: p.auth })).text();
      }
      expect(samples(text).get('kore_metrics_available{context="kubernetes-admin@kubernetes"}')).toBe(1);
      const status = await (await fetch(`${p.url}/api/v1/clusters/${demo}/status`, { headers: p.auth })).json();
      expect(status).toMatchObject({ source: 'embedded', available: true });
    } finally {
      await close();
    }
  });

  it('answers from Prometheus with --metrics-source prometheus=URL, scraping nothing itself', async () => {
    const port = await freePort(); // nothing listens there
    const { p, close } = await start(['--metrics-source', `prometheus=http://127.0.0.1:${port}`]);
    try {
      const status = await (await fetch(`${p.url}/api/v1/clusters/${demo}/status`, { headers: p.auth })).json();
      expect(status).toMatchObject({ context: 'kubernetes-admin@kubernetes', source: 'prometheus', available: false });
      expect(status.error).toMatch(new RegExp(`^Prometheus at http://127\\.0\\.0\\.1:${port} is unreachable: `));
      const series = await fetch(`${p.url}/api/v1/clusters/${demo}`, { headers: p.auth });
      expect(series.status).toBe(503);
      expect((await series.json()).message).toMatch(/^Prometheus at .* is unreachable: /);
      expect(await (await fetch(`${p.url}/metrics`, { headers: p.auth })).text()).not.toContain('kore_metrics_');
    } finally {
      await close();
    }
  });
});
