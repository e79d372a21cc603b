/**
 * The embedded metrics pipeline at scale (issue 12): a simulated cluster of 5,000 nodes / 150,000 pods in one process
 * (bench/views-sim.ts), kore-board's scraper, store and routes in another (bench/metrics-server.ts), this driver in a
 * third. Reports one scrape's wall time and CPU, the store's memory for a full 15-minute window, its snapshot
 * encode/restore, and route latency under load side by side with the same questions asked of the cluster's own
 * metrics.k8s.io (what a dashboard without the store does per request: list, parse, pick).
 *
 *   npx tsx bench/metrics.ts [--nodes 5000] [--pods-per-node 30] [--namespaces 50] [--rounds 16]
 *                            [--seconds 8] [--concurrency 1,8] [--cpu-prof DIR]
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Agent, request, type Dispatcher } from 'undici';
import { demoKubeconfig, type DemoClusterAccess } from '../lib/demo-kubeconfig';

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
const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
const at = (xs: readonly number[], p: number) => xs[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)] ?? NaN;
const ratio = (x: number) => `×${x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(3)}`;
const median = (xs: readonly number[]) => at(sorted(xs), 0.5);

/** The cluster's process: resolves with its access line; it serves until SIGTERM. */
async function startCluster(): Promise<{ proc: ChildProcess; access: SimAccess }> {
  const args = ['--nodes', values.nodes, '--pods-per-node', values['pods-per-node'], '--namespaces', values.namespaces];
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

/** kore-board's process: its IPC messages in order, the last one `{ listening }`. */
async function startKore(kubeconfig: string, onMessage: (m: Record<string, unknown>) => void): Promise<ChildProcess> {
  const profile = values['cpu-prof'] === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`];
  const proc = fork(
    join(here, 'metrics-server.ts'),
    ['--kubeconfig', kubeconfig, '--context', CONTEXT, '--rounds', values.rounds],
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

function rssOf(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
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
  const s = sorted(samples);
  return {
    p50: at(s, 0.5),
    p99: at(s, 0.99),
    max: s[s.length - 1] ?? NaN,
    n: s.length,
    perSecond: s.length / elapsed,
    bytes,
  };
}

interface Route {
  name: string;
  kore: string;
  reference: string;
  referenceSays: string;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kore-bench-metrics-'));
  console.log(
    `building the simulated cluster (${values.nodes} nodes × ${values['pods-per-node']} pods, ${values.namespaces} namespaces) …`,
  );
  const cluster = await startCluster();
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
    const base = `http://127.0.0.1:${port}/api/v1/clusters/${encodeURIComponent(CONTEXT)}`;

    // What to ask about: a measured node, ten measured pods of one application namespace, one of its deployments.
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
    const rssAfterLoad = rssOf(kore.pid!);
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

await main();
