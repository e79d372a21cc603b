/**
 * `npm run bench` lists the benchmarks; `npm run bench -- NAME [flags]` runs one with its documented defaults
 * (flags pass through). Benchmarks are not tests: each prints its numbers as ratios against a reference tool
 * measured in the same run.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface Benchmark {
  script: string;
  measures: string;
  doc: string;
}

const BENCHMARKS: Record<string, Benchmark> = {
  'raw-proxy': {
    script: 'raw-proxy.ts',
    measures:
      'the /raw proxy (shipped bundle, per --workers) against `kubectl proxy` and direct: throughput, p50/p99 added latency, RSS while 1 GB streams (nginx + wrk, ~7 min)',
    doc: 'docs/benchmarks.md',
  },
  views: {
    script: 'views.ts',
    measures:
      'the dashboard and topology views at 5,000 nodes / 150,000 pods: warm latency against listing per request, cold start, RSS',
    doc: 'docs/benchmarks-views.md',
  },
  metrics: {
    script: 'metrics.ts',
    measures:
      'the metrics scraper, store and routes at 5,000 nodes / 150,000 pods: scrape wall/CPU, 15-min window memory, snapshot, route latency against metrics.k8s.io; then the same routes from a real Prometheus scraping 1,000 nodes (~7 + ~20 min; --phases picks)',
    doc: 'docs/benchmarks-metrics.md',
  },
  terminal: {
    script: 'terminal.ts',
    measures:
      'the web terminal against `kubectl exec -it` on one simulated pod: keystroke → echo p50/p99, then 200 sessions typing at once: p99 and RSS (~1 min)',
    doc: 'docs/benchmarks-terminal.md',
  },
  watches: {
    script: 'watches.ts',
    measures:
      '1,000 concurrent watches held through /raw for a minute against `kubectl proxy`: time to open, RSS before/during/after, events delivered (~3 min)',
    doc: 'docs/reliability.md',
  },
  'cold-start': {
    script: 'cold-start.ts',
    measures:
      'process start → first 200 from /healthz: the .mjs bundle and the single executable against `kubectl proxy`, and demo mode (~1 min)',
    doc: 'docs/shipping.md',
  },
};

const [name, ...flags] = process.argv.slice(2);
if (name === undefined || name === '--help' || name === '-h') {
  const width = Math.max(...Object.keys(BENCHMARKS).map((n) => n.length));
  process.stdout.write('npm run bench -- NAME [flags]\n\n');
  for (const [n, b] of Object.entries(BENCHMARKS))
    process.stdout.write(`  ${n.padEnd(width)}  ${b.measures}\n  ${' '.repeat(width)}  flags and results: ${b.doc}\n`);
} else {
  const bench = BENCHMARKS[name];
  if (bench === undefined) {
    process.stderr.write(`no benchmark named ${JSON.stringify(name)}; run 'npm run bench' for the list\n`);
    process.exit(2);
  }
  const script = fileURLToPath(new URL(bench.script, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...flags], { stdio: 'inherit' });
  child.once('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));
}
