/**
 * The embedded metrics pipeline at scale (issue 12): a simulated cluster of 5,000 nodes / 150,000 pods in one process
 * (bench/views-sim.ts), kore-board's scraper, store and routes in another (bench/metrics-server.ts), this driver in a
 * third. Reports one scrape's wall time and CPU, the store's memory for a full 15-minute window, its snapshot
 * encode/restore, and route latency under load side by side with the same questions asked of the cluster's own
 * metrics.k8s.io (what a dashboard without the store does per request: list, parse, pick).
 *
 * Then the Prometheus source (issue 12): a smaller cluster (--prometheus-nodes; what Prometheus on this machine
 * ingests), a real Prometheus (Debian's) scraping its nodes' cAdvisor endpoints every --scrape-interval seconds for
 * --prometheus-minutes (a full window), and the same routes asked of the embedded store and of Prometheus.
 *
 *   npx tsx bench/metrics.ts [--nodes 5000] [--pods-per-node 30] [--namespaces 50] [--rounds 16]
 *                            [--seconds 8] [--concurrency 1,8] [--cpu-prof DIR]
 *                            [--phases embedded,prometheus] [--prometheus-nodes 1000] [--prometheus-minutes 16]
 *                            [--scrape-interval 15]
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Agent, request, type Dispatcher } from 'undici';
import { demoKubeconfig, type DemoClusterAccess } from '../lib/demo-kubeconfig';
import { freePort } from '../test/helpers/free-port';
import { startPrometheus, type RunningPrometheus } from '../test/helpers/prometheus';
import { memoryOf } from '../test/helpers/proc';
import { median, percentile } from './stats';

/** A string flag and its default, as `npm run bench -- metrics --nodes 500` passes them. */
const flag = (defaultValue: string) => ({ type: 'string', default: defaultValue }) as const;
const { values } = parseArgs({
  options: {
    nodes: flag('5000'),
    'pods-per-node': flag('30'),
    namespaces: flag('50'),
    rounds: flag('16'),
    seconds: flag('8'),
    concurrency: flag('1,8'),
    'cpu-prof': { type: 'string' },
    phases: flag('embedded,prometheus'),
    'prometheus-nodes': flag('1000'),
    'prometheus-minutes': flag('16'),
    'scrape-interval': flag('15'),
  },
});
const CONTEXT = 'bench@metrics';
const SECONDS = Number(values.seconds);
const CONCURRENCY = values.concurrency.split(',').map(Number);
const here = new URL('.', import.meta.url).pathname;
const METRICS = '/apis/metrics.k8s.io/v1beta1';

interface SimAccess extends DemoClusterAccess {
  buildMs: number;
  nodes: number;
  pods: number;
}

interface Round {
  round: number;
  wallMs: number;
  cpuMs: number;
  series: number;
}
interface Live {
  heap: number;
  arrayBuffers: number;
  rss: number;
}
interface StoreReport {
  before: Live;
  after: Live;
  points: number;
  series: number;
  snapshot: { bytes: number; encodeMs: number[]; restoreMs: number[] };
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const fixed = (x: number) => (x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
const ratio = (x: number) => `×${x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(3)}`;

/** The cluster's process, of `nodes` nodes: resolves with its access line; it serves until SIGTERM. */
async function startCluster(nodes: string): Promise<{ proc: ChildProcess; access: SimAccess }> {
  const args = ['--nodes', nodes, '--pods-per-node', values['pods-per-node'], '--namespaces', values.namespaces];
  const proc = spawn(
    process.execPath,
    ['--max-old-space-size=8192', '--import', 'tsx', join(here, 'views-sim.ts'), ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: proc.stdout }).once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`views-sim.ts exited with ${code}`)));
  });
  return { proc, access: JSON.parse(line) as SimAccess };
}

/** kore-board's process: its IPC messages in order, the last one `{ listening }`. `extra`: more of its flags. */
async function startKore(
  kubeconfig: string,
  onMessage: (m: Record<string, unknown>) => void,
  extra: string[] = [],
): Promise<ChildProcess> {
  const profile = values['cpu-prof'] === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`];
  const proc = fork(
    join(here, 'metrics-server.ts'),
    ['--kubeconfig', kubeconfig, '--context', CONTEXT, '--rounds', values.rounds, ...extra],
    {
      execArgv: ['--expose-gc', '--max-old-space-size=4096', ...profile, '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    proc.on('message', (m: Record<string, unknown>) => {
      onMessage(m);
      if ('listening' in m) resolve();
    });
    proc.once('exit', (code) => reject(new Error(`metrics-server.ts exited with ${code}`)));
  });
  return proc;
}

async function terminate(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, 'exit');
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

async function getJson(dispatcher: Dispatcher | undefined, url: string): Promise<{ status: number; body: unknown }> {
  const res = await request(url, dispatcher === undefined ? {} : { dispatcher });
  const text = await res.body.text();
  return { status: res.statusCode, body: text === '' ? undefined : JSON.parse(text) };
}

interface Load {
  p50: number;
  p99: number;
  max: number;
  n: number;
  perSecond: number;
  bytes: number;
}

/**
 * `concurrency` loops asking `url` and reading the whole answer as JSON (what a UI does with it, for both sides) for
 * `seconds`, after a short warm-up; every answer must be a 200.
 */
async function load(
  dispatcher: Dispatcher | undefined,
  url: string,
  concurrency: number,
  seconds: number,
): Promise<Load> {
  const samples: number[] = [];
  let bytes = 0;
  const loop = async (until: number, keep: boolean) => {
    while (performance.now() < until) {
      const start = performance.now();
      const res = await request(url, dispatcher === undefined ? {} : { dispatcher });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`${url}: HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
      JSON.parse(text);
      if (keep) samples.push(performance.now() - start);
      bytes = text.length;
    }
  };
  const run = (ms: number, keep: boolean) => {
    const until = performance.now() + ms;
    return Promise.all(Array.from({ length: concurrency }, () => loop(until, keep)));
  };
  await run(Math.min(1_000, seconds * 200), false);
  const start = performance.now();
  await run(seconds * 1000, true);
  const elapsed = (performance.now() - start) / 1000;
  return {
    p50: percentile(samples, 0.5),
    p99: percentile(samples, 0.99),
    max: Math.max(...samples),
    n: samples.length,
    perSecond: samples.length / elapsed,
    bytes,
  };
}

interface Route {
  name: string;
  kore: string;
  reference: string;
  referenceSays: string;
}

/**
 * What to ask about: a measured node, ten measured pods of one application namespace, one of its deployments; each
 * as kore-board's route on `port` and as the question asked of the cluster's metrics.k8s.io instead.
 */
async function pickRoutes(access: SimAccess, agent: Dispatcher, port: number): Promise<Route[]> {
  const base = `http://127.0.0.1:${port}/api/v1/clusters/${encodeURIComponent(CONTEXT)}`;
  const nodes = (await getJson(agent, `${access.url}${METRICS}/nodes`)).body as {
    items: { metadata: { name: string } }[];
  };
  const node = nodes.items[Math.floor(nodes.items.length / 2)]!.metadata.name;
  const deployments = (await getJson(agent, `${access.url}/apis/apps/v1/deployments?limit=500`)).body as {
    items: {
      metadata: { name: string; namespace: string };
      spec: { selector: { matchLabels: Record<string, string> } };
    }[];
  };
  const deployment = deployments.items.find((d) => !d.metadata.namespace.startsWith('kube-'))!;
  const ns = deployment.metadata.namespace;
  const podsOfNs = (await getJson(agent, `${access.url}${METRICS}/namespaces/${ns}/pods`)).body as {
    items: { metadata: { name: string } }[];
  };
  const tenPods = podsOfNs.items.slice(0, 10).map((p) => p.metadata.name);
  const selector = Object.entries(deployment.spec.selector.matchLabels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const routes: Route[] = [
    {
      name: 'cluster',
      kore: base,
      reference: `${access.url}${METRICS}/nodes`,
      referenceSays: 'list every NodeMetrics',
    },
    {
      name: 'one node',
      kore: `${base}/nodes/${node}`,
      reference: `${access.url}${METRICS}/nodes/${node}`,
      referenceSays: 'get the NodeMetrics',
    },
    {
      name: '10 pods (comma list)',
      kore: `${base}/namespaces/${ns}/pods/${tenPods.join(',')}`,
      reference: `${access.url}${METRICS}/namespaces/${ns}/pods`,
      referenceSays: `list the namespace's PodMetrics (${podsOfNs.items.length}), pick 10`,
    },
  ];
  const uiRoute = `http://127.0.0.1:${port}/api/clusters/${encodeURIComponent(CONTEXT)}/namespaces/${ns}/deployments/${deployment.metadata.name}/metrics`;
  const probe = await getJson(undefined, uiRoute).catch(() => ({ status: 0 }));
  if (probe.status === 200)
    routes.push({
      name: "a deployment's pods",
      kore: uiRoute,
      reference: `${access.url}${METRICS}/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(selector)}`,
      referenceSays: 'list the PodMetrics by the selector',
    });
  else console.log(`(the deployment route answers ${probe.status}: not measured)`);
  return routes;
}

/** At other ports, the same routes: their kore-board side with `port` in place of the route's. */
function onPort(route: Route, port: number): Route {
  return { ...route, kore: route.kore.replace(/^http:\/\/127\.0\.0\.1:\d+/, `http://127.0.0.1:${port}`) };
}

async function embeddedPhase(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kore-bench-metrics-'));
  console.log(
    `building the simulated cluster (${values.nodes} nodes × ${values['pods-per-node']} pods, ${values.namespaces} namespaces) …`,
  );
  const cluster = await startCluster(values.nodes);
  let kore: ChildProcess | undefined;
  const agent = new Agent({
    connect: { ca: cluster.access.caPem, cert: cluster.access.client.certPem, key: cluster.access.client.keyPem },
  });
  try {
    const { access } = cluster;
    console.log(
      `cluster: ${access.nodes} nodes, ${access.pods} pods (built in ${(access.buildMs / 1000).toFixed(1)} s)`,
    );
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, demoKubeconfig(access, CONTEXT));

    const rounds: Round[] = [];
    let report: StoreReport | undefined;
    let port = 0;
    kore = await startKore(kubeconfig, (m) => {
      if ('round' in m) {
        const r = m as unknown as Round;
        rounds.push(r);
        console.log(
          `  scrape ${String(r.round).padStart(2)}: wall ${fixed(r.wallMs)} ms, CPU ${fixed(r.cpuMs)} ms, ${r.series} series`,
        );
      } else if ('snapshot' in m) report = m as unknown as StoreReport;
      else if ('listening' in m) port = m.listening as number;
    });
    if (report === undefined) throw new Error('no store report');
    const store: StoreReport = report;

    const routes = await pickRoutes(access, agent, port);
    // The cluster's own share of a scrape's wall time: both lists served and read, not parsed, not filed.
    const listMs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      await Promise.all(
        ['nodes', 'pods'].map(async (r) =>
          (await request(`${access.url}${METRICS}/${r}`, { dispatcher: agent })).body.arrayBuffer(),
        ),
      );
      listMs.push(performance.now() - start);
    }

    // Every kore-board row first, then every reference row: the cluster's lists leave work behind (its GC, the
    // driver's) that must not land in kore-board's rows.
    const koreRows = [];
    for (const c of CONCURRENCY)
      for (const route of routes) koreRows.push(await load(undefined, route.kore, c, SECONDS));
    const rssAfterLoad = memoryOf(kore.pid!).rss;
    const rows: { route: Route; c: number; kore: Load; reference: Load }[] = [];
    for (const c of CONCURRENCY)
      for (const route of routes)
        rows.push({
          route,
          c,
          kore: koreRows[rows.length]!,
          reference: await load(agent, route.reference, c, SECONDS),
        });

    const scrapes = rounds.slice(1);
    const delta = store.after.heap + store.after.arrayBuffers - store.before.heap - store.before.arrayBuffers;
    console.log('');
    console.log(
      `load average at the end: ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`,
    );
    console.log(`scrapes (${rounds.length} rounds; the first also reads discovery and runs cold code)`);
    console.log(`  first: wall ${fixed(rounds[0]!.wallMs)} ms, CPU ${fixed(rounds[0]!.cpuMs)} ms`);
    console.log(
      `  rounds 2–${rounds.length}: wall median ${fixed(median(scrapes.map((r) => r.wallMs)))} / max ${fixed(Math.max(...scrapes.map((r) => r.wallMs)))} ms, ` +
        `CPU median ${fixed(median(scrapes.map((r) => r.cpuMs)))} / max ${fixed(Math.max(...scrapes.map((r) => r.cpuMs)))} ms`,
    );
    console.log(`  the cluster alone serving both lists (read, not parsed): ${listMs.map(fixed).join(' / ')} ms`);
    console.log(`store: ${store.series} series × ${store.points} points (the full window)`);
    console.log(
      `  live memory after GC: heap ${mib(store.before.heap)} → ${mib(store.after.heap)}, arrayBuffers ${mib(store.before.arrayBuffers)} → ${mib(store.after.arrayBuffers)}; ` +
        `the window: +${mib(delta)} (${(delta / store.series / store.points).toFixed(1)} bytes a point)`,
    );
    console.log(
      `  RSS ${mib(store.before.rss)} before the first scrape, ${mib(store.after.rss)} after the last, ${mib(rssAfterLoad)} after the route load`,
    );
    const { snapshot } = store;
    console.log(
      `  snapshot ${mib(snapshot.bytes)}: encode ${snapshot.encodeMs.map(fixed).join(' / ')} ms, restore ${snapshot.restoreMs.map(fixed).join(' / ')} ms`,
    );
    console.log(`routes (${SECONDS} s each after a warm-up; client reads and parses every answer)`);
    for (const { route, c, kore: k, reference: r } of rows) {
      console.log(
        `  c=${c} ${route.name.padEnd(20)} kore p50 ${fixed(k.p50).padStart(6)} p99 ${fixed(k.p99).padStart(6)} max ${fixed(k.max).padStart(6)} ms (${k.perSecond.toFixed(0)}/s, ${k.bytes} B)` +
          ` | metrics.k8s.io p50 ${fixed(r.p50).padStart(6)} p99 ${fixed(r.p99).padStart(6)} ms (${r.perSecond.toFixed(1)}/s, ${r.bytes} B: ${route.referenceSays})` +
          ` | ${ratio(r.p50 / k.p50)} p50, ${ratio(r.p99 / k.p99)} p99`,
      );
    }
  } finally {
    await agent.close();
    if (kore !== undefined) await terminate(kore);
    await terminate(cluster.proc);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A number Prometheus reports about its targets (an instant query's first value); NaN without one. */
async function promNumber(prometheus: RunningPrometheus, query: string): Promise<number> {
  return (await prometheus.query(query))[0]?.value ?? NaN;
}

/** What Prometheus says of itself on its own /metrics (it does not scrape itself here): head series, samples, RSS. */
async function promSelf(prometheus: RunningPrometheus): Promise<{ series: number; appended: number; rss: number }> {
  const text = await (await fetch(`${prometheus.url}/metrics`)).text();
  // Summed over the label sets (samples appended are counted by type since Prometheus 2.40).
  const value = (name: string) =>
    [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce((sum, m) => sum + Number(m[1]), 0);
  return {
    series: value('prometheus_tsdb_head_series'),
    appended: value('prometheus_tsdb_head_samples_appended_total'),
    rss: value('process_resident_memory_bytes'),
  };
}

/**
 * The Prometheus source beside the embedded store, on a cluster of --prometheus-nodes: a real Prometheus scrapes
 * every node's cAdvisor endpoint through the cluster's API server for --prometheus-minutes (a full window), then the
 * same routes are asked of both, each at each concurrency.
 */
async function prometheusPhase(): Promise<void> {
  const nodesWanted = values['prometheus-nodes'];
  const minutes = Number(values['prometheus-minutes']);
  const interval = Number(values['scrape-interval']);
  const dir = mkdtempSync(join(tmpdir(), 'kore-bench-metrics-prom-'));
  console.log(`\nPrometheus source: building a cluster of ${nodesWanted} nodes × ${values['pods-per-node']} pods …`);
  const cluster = await startCluster(nodesWanted);
  const { access } = cluster;
  const agent = new Agent({ connect: { ca: access.caPem, cert: access.client.certPem, key: access.client.keyPem } });
  let prometheus: RunningPrometheus | undefined;
  let kore: ChildProcess | undefined;
  try {
    console.log(
      `cluster: ${access.nodes} nodes, ${access.pods} pods (built in ${(access.buildMs / 1000).toFixed(1)} s)`,
    );
    const nodeList = (await getJson(agent, `${access.url}/api/v1/nodes`)).body as {
      items: { metadata: { name: string } }[];
    };
    // kore-board and the routes first: Prometheus's first round (a connection and a parse of every pod per node)
    // keeps the cluster busy for seconds.
    const port = await freePort();
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, demoKubeconfig(access, CONTEXT));
    let ports = { embedded: 0, prometheus: 0 };
    kore = await startKore(
      kubeconfig,
      (m) => {
        if ('listening' in m) ports = { embedded: m.listening as number, prometheus: m.prometheus as number };
      },
      ['--prometheus', `http://127.0.0.1:${port}`],
    );
    const routes = await pickRoutes(access, agent, ports.embedded);
    prometheus = await startPrometheus({
      clusters: [
        {
          context: CONTEXT,
          url: access.url,
          caPem: access.caPem,
          credentials: { client: access.client },
          nodes: nodeList.items.map((n) => n.metadata.name),
        },
      ],
      scrapeIntervalS: interval,
      port,
    });
    const started = Date.now();

    // Prometheus fills the window; every minute, how its ingestion keeps up.
    const running = prometheus;
    let last = { at: Date.now(), appended: 0 };
    let rate = NaN;
    const progress = async () => {
      const elapsed = (Date.now() - started) / 60_000;
      if (Date.now() - last.at < 60_000 && elapsed < minutes) return false;
      const [self, up, slowest] = await Promise.all([
        promSelf(running),
        promNumber(running, 'count(up == 1)'),
        promNumber(running, 'max(scrape_duration_seconds)'),
      ]);
      rate = ((self.appended - last.appended) * 1000) / (Date.now() - last.at);
      last = { at: Date.now(), appended: self.appended };
      console.log(
        `  ${elapsed.toFixed(1)} of ${minutes} min: ${up} targets up, ${self.series} series in the head, ` +
          `${rate.toFixed(0)} samples/s appended, slowest scrape now ${slowest.toFixed(2)} s, RSS ${mib(self.rss)}`,
      );
      return elapsed >= minutes;
    };
    await prometheus.waitFor(`${minutes} minutes of samples`, progress, (minutes + 2) * 60_000);
    const [self, up, slowest] = await Promise.all([
      promSelf(prometheus),
      promNumber(prometheus, 'count(up == 1)'),
      promNumber(prometheus, 'max_over_time(max(scrape_duration_seconds)[5m:])'),
    ]);
    const points = ((await getJson(undefined, onPort(routes[0]!, ports.prometheus).kore)).body as unknown[]).length;

    // Each route's rows back to back, the embedded store's then Prometheus's, at each concurrency.
    const rows: { route: Route; c: number; embedded: Load; prometheus: Load }[] = [];
    for (const c of CONCURRENCY)
      for (const route of routes)
        rows.push({
          route,
          c,
          embedded: await load(undefined, route.kore, c, SECONDS),
          prometheus: await load(undefined, onPort(route, ports.prometheus).kore, c, SECONDS),
        });

    console.log('');
    console.log(
      `load average at the end: ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`,
    );
    console.log(
      `Prometheus after ${minutes} min scraping every ${interval} s: ${up} targets up, ${self.series} series, ` +
        `${rate.toFixed(0)} samples/s, slowest scrape of the last 5 min ${slowest.toFixed(2)} s, RSS ${mib(self.rss)}; ` +
        `the cluster route answers ${points} points`,
    );
    console.log(`routes (${SECONDS} s each after a warm-up; client reads and parses every answer)`);
    for (const { route, c, embedded: e, prometheus: p } of rows) {
      console.log(
        `  c=${c} ${route.name.padEnd(20)} embedded p50 ${fixed(e.p50).padStart(6)} p99 ${fixed(e.p99).padStart(6)} ms (${e.perSecond.toFixed(0)}/s)` +
          ` | Prometheus p50 ${fixed(p.p50).padStart(6)} p99 ${fixed(p.p99).padStart(6)} max ${fixed(p.max).padStart(6)} ms (${p.perSecond.toFixed(0)}/s, ${p.bytes} B)` +
          ` | ${ratio(p.p50 / e.p50)} p50, ${ratio(p.p99 / e.p99)} p99`,
      );
    }
  } finally {
    await agent.close();
    if (kore !== undefined) await terminate(kore);
    await prometheus?.stop();
    await terminate(cluster.proc);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const phases = values.phases.split(',');
  if (phases.includes('embedded')) await embeddedPhase();
  if (phases.includes('prometheus')) await prometheusPhase();
}

await main();
