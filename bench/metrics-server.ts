/**
 * The kore-board side of the metrics benchmark, in its own process so that its CPU and memory are its own: the real
 * scraper filing into the real store from the simulated cluster (which runs in another process), 16 rounds on a clock
 * that moves one resolution per round (a full 15-minute window without waiting 15 minutes), the store's memory after
 * a GC, its snapshot encoded and restored, and then the metrics routes served by the real app (startKoreServer).
 *
 * With `--prometheus URL`, a second app (its own listener, the same registry) answers the same routes from that
 * Prometheus (lib/metrics/prometheus-source.ts, 1-minute steps over 15 minutes, on the real clock).
 *
 * Talks to the driver (bench/metrics.ts) over IPC: one message per round, one with the memory and snapshot numbers,
 * one `{ listening: port, prometheus?: port }`; exits on SIGTERM.
 *
 *   node --expose-gc --import tsx bench/metrics-server.ts --kubeconfig FILE --context NAME [--rounds 16] [--prometheus URL]
 */
import { parseArgs } from 'node:util';
import { systemClock } from '../lib/clock';
import { createLogger } from '../lib/log';
import { embeddedSource } from '../lib/metrics/embedded-source';
import { createScraper } from '../lib/metrics/scraper';
import { createPrometheusSource } from '../lib/metrics/prometheus-source';
import {
  createMetricsStore,
  restoreMetricsStore,
  DEFAULT_RESOLUTION_MS,
  DEFAULT_WINDOW_MS,
} from '../lib/metrics/store';
import type { MetricsSource } from '../lib/metrics/types';
import { startKoreServer } from '../lib/node/kore-server';
import { createRegistry } from '../lib/node/registry';

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    context: { type: 'string' },
    rounds: { type: 'string', default: '16' },
    snapshots: { type: 'string', default: '3' },
    prometheus: { type: 'string' },
  },
});
const send = (message: object) => process.send?.(message);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
if (values.kubeconfig === undefined || values.context === undefined) throw new Error('--kubeconfig and --context');
const context = values.context;

/** Live memory after a full collection: V8's heap plus the typed arrays' backing stores (the store's columns). */
function live(): { heap: number; arrayBuffers: number; rss: number } {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, arrayBuffers: m.arrayBuffers, rss: m.rss };
}

const log = createLogger('warn');
const registry = await createRegistry({
  kubeconfigPaths: [values.kubeconfig],
  inCluster: false,
  watch: false,
  clock: systemClock,
  log,
});
// The scraper files each round under clock.now(): one resolution later each round, as its timer would.
let now = Date.now();
const store = createMetricsStore();
const scraper = createScraper({ registry, store, clock: { now: () => now }, resolutionMs: DEFAULT_RESOLUTION_MS, log });

const before = live();
for (let round = 1; round <= Number(values.rounds); round++) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await scraper.scrapeAll();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const status = scraper.status(context);
  if (status?.error !== undefined) throw new Error(`round ${round}: ${status.error}`);
  send({ round, wallMs, cpuMs: (used.user + used.system) / 1000, series: status?.series });
  now += DEFAULT_RESOLUTION_MS;
}
const after = live();

const encodeMs: number[] = [];
const restoreMs: number[] = [];
let bytes: Uint8Array = new Uint8Array(0);
for (let i = 0; i < Number(values.snapshots); i++) {
  let start = performance.now();
  bytes = store.encodeSnapshot();
  encodeMs.push(performance.now() - start);
  start = performance.now();
  const restored = restoreMetricsStore(bytes, {}, now);
  restoreMs.push(performance.now() - start);
  if (restored.warning !== undefined || restored.seriesCount(context) !== store.seriesCount(context))
    throw new Error(`restore: ${restored.warning ?? `${restored.seriesCount(context)} series`}`);
}
send({
  before,
  after,
  points: store.series(context, { kind: 'cluster' })?.length,
  series: store.seriesCount(context),
  snapshot: { bytes: bytes.byteLength, encodeMs, restoreMs },
});

const serving = (metrics: MetricsSource) =>
  startKoreServer({ registry, security: { allowedHosts: [], allowOrigins: [], authToken: undefined }, log, metrics });
const kore = await serving(embeddedSource(scraper, store));
const fromPrometheus =
  values.prometheus === undefined
    ? undefined
    : await serving(
        createPrometheusSource({
          url: values.prometheus,
          clusterLabel: 'cluster',
          resolutionMs: DEFAULT_RESOLUTION_MS,
          windowMs: DEFAULT_WINDOW_MS,
          clock: systemClock,
        }),
      );
send({ listening: kore.server.port, prometheus: fromPrometheus?.server.port, rss: process.memoryUsage().rss });
process.on(
  'SIGTERM',
  () => void Promise.all([kore.close(100), fromPrometheus?.close(100)]).then(() => process.exit(0)),
);
