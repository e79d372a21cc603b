/**
 * The computed views at scale: a simulated cluster of 5,000 nodes / 150,000 pods / 3,000 deployments,
 * kore-board with its watch cache against kore-board listing the cluster on every request (the original
 * backend's approach), each server in its own process so its RSS is its own.
 *
 * Reports: time to the first /dashboard (cold), warm /dashboard and namespace /topology p50/p99, the same
 * while the cluster changes 100 pods a second, server RSS with the cache warm, and the naive numbers.
 *
 *   npx tsx bench/views.ts [--nodes 5000] [--pods-per-node 30] [--namespaces 50] [--requests 2000] [--naive-requests 5]
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { demoKubeconfig } from '../lib/demo-kubeconfig';
import { memoryOf } from '../test/helpers/proc';
import { child, stop } from './child';
import { percentile } from './stats';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '5000' },
    'pods-per-node': { type: 'string', default: '30' },
    namespaces: { type: 'string', default: '50' },
    requests: { type: 'string', default: '2000' },
    'naive-requests': { type: 'string', default: '5' },
  },
});
const REQUESTS = Number(values.requests);
const NAIVE_REQUESTS = Number(values['naive-requests']);
const CONTEXT = 'bench@views';

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const ms = (x: number) => (x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));

interface Timing {
  p50: number;
  p99: number;
  max: number;
  n: number;
  /** The server's own time (its Server-Timing header): the view, without network, HTTP or client. */
  server: { p50: number; p99: number };
}

/** undici's request rather than fetch: the leaner client adds less of its own time to what is measured. */
async function get(base: string, path: string): Promise<{ ms: number; bytes: number; serverMs: number }> {
  const start = performance.now();
  const res = await request(`${base}/api/clusters/${encodeURIComponent(CONTEXT)}${path}`);
  const body = Buffer.from(await res.body.arrayBuffer());
  if (res.statusCode !== 200) throw new Error(`${path}: HTTP ${res.statusCode}: ${body.toString().slice(0, 300)}`);
  const serverMs = Number(/dur=([\d.]+)/.exec(String(res.headers['server-timing'] ?? ''))?.[1] ?? NaN);
  return { ms: performance.now() - start, bytes: body.byteLength, serverMs };
}

async function time(base: string, paths: () => string, n: number, warmup = 0): Promise<Timing> {
  // The first requests of a kind run cold code; they are not what a dashboard polling every few seconds sees.
  for (let i = 0; i < warmup; i++) await get(base, paths());
  const samples: number[] = [];
  const server: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await get(base, paths());
    samples.push(r.ms);
    server.push(r.serverMs);
  }
  return {
    p50: percentile(samples, 0.5),
    p99: percentile(samples, 0.99),
    max: Math.max(...samples),
    n,
    server: { p50: percentile(server, 0.5), p99: percentile(server, 0.99) },
  };
}

async function startServer(kubeconfig: string, mode: 'cache' | 'naive'): Promise<{ proc: ChildProcess; base: string }> {
  const { proc, firstLine } = child('views-server.ts', ['--kubeconfig', kubeconfig, '--mode', mode], 4096);
  const port = /^listening (\d+)$/.exec(await firstLine)?.[1];
  return { proc, base: `http://127.0.0.1:${port}` };
}

const line = (label: string, t: Timing) =>
  `${label.padEnd(42)} p50 ${ms(t.p50).padStart(7)} ms   p99 ${ms(t.p99).padStart(7)} ms   max ${ms(t.max).padStart(7)} ms   (n=${t.n}; in the server p50 ${ms(t.server.p50)} / p99 ${ms(t.server.p99)} ms)`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kore-bench-views-'));
  console.log(
    `building the simulated cluster (${values.nodes} nodes × ${values['pods-per-node']} pods, ${values.namespaces} namespaces) …`,
  );
  const sim = child(
    'views-sim.ts',
    ['--nodes', values.nodes, '--pods-per-node', values['pods-per-node'], '--namespaces', values.namespaces],
    8192,
  );
  try {
    const access = JSON.parse(await sim.firstLine) as {
      url: string;
      caPem: string;
      client: { certPem: string; keyPem: string };
      buildMs: number;
      pods: number;
      deployments: number;
      nodes: number;
    };
    console.log(
      `cluster: ${access.nodes} nodes, ${access.pods} pods, ${access.deployments} deployments (built in ${(access.buildMs / 1000).toFixed(1)} s)`,
    );
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, demoKubeconfig(access, CONTEXT));
    const nsPaths = (names: string[]) => {
      let i = 0;
      return () => `/topology/namespaces/${names[i++ % names.length]}`;
    };

    // --- with the watch cache ---
    const cached = await startServer(kubeconfig, 'cache');
    const cold = await get(cached.base, '/dashboard');
    const afterCold = memoryOf(cached.proc.pid!);
    const workloads = (await (
      await request(`${cached.base}/api/clusters/${encodeURIComponent(CONTEXT)}/graph/workloads`)
    ).body.json()) as Record<string, unknown[]>;
    const appNamespaces = Object.keys(workloads).filter((ns) => !ns.startsWith('kube-') && ns !== 'default');
    const nsTopologyCold = await get(cached.base, `/topology/namespaces/${appNamespaces[0]}`);
    const dashWarm = await time(cached.base, () => '/dashboard', REQUESTS, 200);
    const topoWarm = await time(cached.base, nsPaths(appNamespaces), Math.min(REQUESTS, 500), 20);
    const topoOne = await time(cached.base, nsPaths(appNamespaces.slice(0, 1)), Math.min(REQUESTS, 500), 5);
    const warmMemory = memoryOf(cached.proc.pid!);
    sim.proc.kill('SIGUSR2');
    await new Promise((r) => setTimeout(r, 2_000));
    const dashChurn = await time(cached.base, () => '/dashboard', REQUESTS);
    const topoChurn = await time(cached.base, nsPaths(appNamespaces), Math.min(REQUESTS, 500));
    const topoOneChurn = await time(cached.base, nsPaths(appNamespaces.slice(0, 1)), Math.min(REQUESTS, 500));
    const churnMemory = memoryOf(cached.proc.pid!);
    await stop(cached.proc);

    // --- listing on every request ---
    const naive = await startServer(kubeconfig, 'naive');
    const naiveCold = await get(naive.base, '/dashboard');
    const dashNaive = await time(naive.base, () => '/dashboard', NAIVE_REQUESTS);
    const topoNaive = await time(naive.base, nsPaths(appNamespaces), Math.max(NAIVE_REQUESTS, 20));
    const naiveMemory = memoryOf(naive.proc.pid!);
    await stop(naive.proc);

    console.log('');
    // The machine is shared: say how busy it was, since tail latencies depend on it.
    console.log(
      `load average at the end: ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')} (${process.env.HOSTNAME ?? 'this machine'})`,
    );
    console.log(
      `watch cache (${appNamespaces.length} app namespaces, ~${Math.round(access.pods / appNamespaces.length)} pods each)`,
    );
    console.log(`  first /dashboard (cold: lists every kind)   ${ms(cold.ms)} ms  (${cold.bytes} bytes)`);
    console.log(
      `  first namespace /topology after that       ${ms(nsTopologyCold.ms)} ms  (${nsTopologyCold.bytes} bytes)`,
    );
    console.log(`  ${line('/dashboard warm', dashWarm)}`);
    console.log(`  ${line('namespace /topology warm, 50 in turn', topoWarm)}`);
    console.log(`  ${line('namespace /topology warm, the same one', topoOne)}`);
    console.log(`  ${line('/dashboard, 100 pod changes/s', dashChurn)}`);
    console.log(`  ${line('namespace /topology, 50 in turn, churn', topoChurn)}`);
    console.log(`  ${line('namespace /topology, the same one, churn', topoOneChurn)}`);
    console.log(
      `  RSS after the first dashboard ${mib(afterCold.rss)}, warm ${mib(warmMemory.rss)}, with churn ${mib(churnMemory.rss)}, peak ${mib(churnMemory.peak)}`,
    );
    console.log('naive (paginated full list on every request)');
    console.log(`  first /dashboard                           ${ms(naiveCold.ms)} ms`);
    console.log(`  ${line('/dashboard', dashNaive)}`);
    console.log(`  ${line('namespace /topology', topoNaive)}`);
    console.log(`  RSS ${mib(naiveMemory.rss)}, peak ${mib(naiveMemory.peak)}`);
    console.log('ratios (naive / cache)');
    console.log(
      `  /dashboard p50 ×${(dashNaive.p50 / dashWarm.p50).toFixed(0)}, p99 ×${(dashNaive.p99 / dashWarm.p99).toFixed(0)}; with churn p99 ×${(dashNaive.p99 / dashChurn.p99).toFixed(0)}`,
    );
    console.log(
      `  namespace /topology p50 ×${(topoNaive.p50 / topoWarm.p50).toFixed(1)}, p99 ×${(topoNaive.p99 / topoWarm.p99).toFixed(1)}`,
    );
  } finally {
    await stop(sim.proc);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
