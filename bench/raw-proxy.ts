/**
 * The /raw proxy against `kubectl proxy` and against the upstream itself, in one run, on 127.0.0.1.
 *
 * Upstream: nginx (Debian's nginx-light) over TLS with client-certificate verification, serving fixed
 * Kubernetes-shaped JSON at API paths: a 1 KB Pod, a 10 MB PodList, a 1 GB PodList. Both proxies
 * authenticate with the same client certificate from the same kubeconfig. Load: wrk. wrk cannot present
 * a client certificate, so "direct" is a second nginx listener with the same content and TLS but
 * without client verification: it shows what the upstream itself can do.
 *
 * Rows: req/s and p50/p99 for the 1 KB GET at concurrency 1 and 64; MB/s for the 10 MB list; peak RSS
 * while streaming the 1 GB list. Every row prints its ratio to `kubectl proxy`. Each proxy's own CPU time
 * per request is printed too: unlike req/s it hardly depends on what else the machine is doing.
 * kore-board runs bundled by esbuild (its shipped entry, lib/node/main.ts), once per `--workers` value;
 * CPU and RSS are summed over its processes. Each target is warmed up before it is measured.
 *
 * The machine may be shared: `kubectl proxy` and each kore-board are measured in every round, each row
 * back to back with the order reversed every round, and each row reports the median of the per-round
 * ratios. The upstream itself and the Hono-only route are measured once, as references.
 *
 *   npx tsx bench/raw-proxy.ts [--seconds 3] [--rounds 3] [--rows c1,c64,list,huge] [--workers 1,2] [--no-references] [--skip-install]
 *                              [--hold]   (set up, print every target's URL and PID, wait for Ctrl-C: for profiling by hand)
 *                              [--save-bundle FILE] [--baseline FILE]   (before/after a change: save, change, compare)
 *
 * Installs nginx-light and wrk with apt-get when they are missing (needs root).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  createWriteStream,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundle } from '../build.mjs';
import { demoKubeconfig } from '../lib/demo-kubeconfig';
import { createPki } from '../lib/sim/tls';
import { freePort } from '../test/helpers/free-port';
import { childPids, memoryOf } from '../test/helpers/proc';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    rows: { type: 'string', default: 'c1,c64,list,huge' },
    references: { type: 'boolean', default: true },
    /** A bundle kept from an earlier run (`--save-bundle`), measured every round as a third compared target. */
    baseline: { type: 'string' },
    'save-bundle': { type: 'string' },
    /** Extra Node flags for the fast-path server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof". */
    'node-args': { type: 'string', default: '' },
    'skip-install': { type: 'boolean', default: false },
    /** Set everything up, print each target's URL and PID, and wait (for profiling by hand). */
    hold: { type: 'boolean', default: false },
    /** kore-board's --workers values to measure, one compared target each. */
    workers: { type: 'string', default: '1,2' },
  },
  allowNegative: true,
});
const SECONDS = Number(values.seconds);
const ROUNDS = Math.max(1, Number(values.rounds));
const MB = 1024 * 1024;
const POD_PATH = '/api/v1/namespaces/default/pods/bench-pod';
const LIST_PATH = '/api/v1/namespaces/default/pods';
const HUGE_PATH = '/api/v1/pods';

function have(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function ensureTools(): void {
  const missing = ['nginx', 'wrk', 'kubectl', 'curl'].filter((c) => !have(c) && !existsSync(`/usr/sbin/${c}`));
  if (missing.length === 0) return;
  if (missing.includes('kubectl') || missing.includes('curl'))
    throw new Error(`missing ${missing.join(', ')}: install them first`);
  if (values['skip-install'] || process.getuid?.() !== 0)
    throw new Error(`missing ${missing.join(', ')}: apt-get install -y nginx-light wrk`);
  console.error('installing nginx-light and wrk with apt-get …');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'nginx-light', 'wrk'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

function pod(i: number, padTo = 0): Record<string, unknown> {
  const p = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `bench-pod-${i}`,
      namespace: 'default',
      uid: `0b7c6a3e-1d2f-4c5b-9a8e-${String(i).padStart(12, '0')}`,
      resourceVersion: String(1000 + i),
      labels: { app: 'bench' },
    },
    spec: {
      nodeName: 'vm-live-01',
      containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }] }],
    },
    status: { phase: 'Running', podIP: '10.244.0.12', conditions: [{ type: 'Ready', status: 'True' }] },
  };
  if (padTo > 0)
    (p.metadata as Record<string, unknown>).annotations = {
      pad: 'x'.repeat(Math.max(0, padTo - JSON.stringify(p).length - 30)),
    };
  return p;
}

/** A PodList of about `bytes`, written in pieces so even 1 GB never sits in memory. */
async function writeList(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path);
  const write = (s: string) => new Promise<void>((r) => (out.write(s) ? r() : out.once('drain', () => r())));
  await write('{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[');
  const block = Array.from({ length: 1000 }, (_, i) => JSON.stringify(pod(i))).join(',');
  let written = 0;
  for (let first = true; written < bytes; first = false) {
    await write((first ? '' : ',') + block);
    written += block.length;
  }
  await write(']}');
  await new Promise<void>((r) => out.end(r));
}

/** kore-board bundled as it ships (`npm run build`: esbuild, one file), not run through tsx. */
async function bundleKore(dir: string): Promise<{ shipped: string; fetchOnly: string }> {
  const shipped = join(dir, 'kore-board.mjs');
  const fetchOnly = join(dir, 'kore-board-fetch-only.mjs');
  await bundle(join(import.meta.dirname, '../lib/node/main.ts'), shipped);
  await bundle(join(import.meta.dirname, 'raw-proxy-server.ts'), fetchOnly);
  return { shipped, fetchOnly };
}

interface Upstream {
  verifiedPort: number;
  openPort: number;
  process: ChildProcess;
}

async function startNginx(dir: string): Promise<Upstream> {
  const [verifiedPort, openPort] = [await freePort(), await freePort()];
  const locations = `
    location = ${POD_PATH} { alias ${dir}/pod.json; }
    location = ${LIST_PATH} { alias ${dir}/list-10mb.json; }
    location = ${HUGE_PATH} { alias ${dir}/list-1gb.json; }`;
  const tls = `ssl_certificate ${dir}/server.crt; ssl_certificate_key ${dir}/server.key; ssl_protocols TLSv1.2 TLSv1.3;`;
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  default_type application/json;
  client_body_temp_path ${dir}/nginx-tmp;
  server {
    listen 127.0.0.1:${verifiedPort} ssl http2;
    ${tls}
    ssl_client_certificate ${dir}/ca.crt;
    ssl_verify_client on;
    ${locations}
  }
  server {
    listen 127.0.0.1:${openPort} ssl http2;
    ${tls}
    ${locations}
  }
}
`,
  );
  const process = spawn('nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitFor(() => curlStatus(`https://127.0.0.1:${openPort}${POD_PATH}`) === '200', 'nginx');
  return { verifiedPort, openPort, process };
}

function curlStatus(url: string): string {
  try {
    return execFileSync('curl', ['-sk', '-o', '/dev/null', '-w', '%{http_code}', url]).toString();
  } catch {
    return '';
  }
}

async function waitFor(ok: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not come up`);
}

/** Starts a child and resolves with the first stdout match of `ready` (the port it listens on). */
function startChild(
  command: string,
  args: string[],
  ready: RegExp,
  stderr: 'inherit' | 'ignore' = 'inherit',
): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', stderr] });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`${command} exited with ${code}: ${out}`)));
  });
}

function rssMb(pid: number): number {
  let bytes = 0;
  for (const p of processTree(pid)) bytes += memoryOf(p).rss;
  return bytes / 2 ** 20;
}

interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
  mbps: number;
  /** The proxy's CPU time (user + system) per request, in microseconds; NaN for the upstream itself. */
  cpuUs: number;
}

const CLOCK_TICK_US = 1e6 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

/** A process and its descendants (kore-board's workers), from /proc. */
function processTree(pid: number): number[] {
  return [pid, ...childPids(pid).flatMap(processTree)];
}

/** User + system CPU time of a process and its descendants so far, in clock ticks. */
function cpuTicks(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  let ticks = 0;
  for (const p of processTree(pid)) {
    const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks;
}

function toMs(value: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(value.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000;
}

function toMbps(value: string): number {
  const m = /^([\d.]+)(B|KB|MB|GB)$/.exec(value.trim());
  if (!m) return NaN;
  const scale = { B: 1 / MB, KB: 1 / 1024, MB: 1, GB: 1024 }[m[2] as 'B' | 'KB' | 'MB' | 'GB'];
  return Number(m[1]) * scale;
}

function wrk(url: string, connections: number, pid: number | undefined, seconds = SECONDS): WrkResult {
  const before = cpuTicks(pid);
  const out = execFileSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url], {
    timeout: (seconds + 30) * 1000,
  }).toString();
  const cpu = (cpuTicks(pid) - before) * CLOCK_TICK_US;
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out) ?? /Socket errors: (.*)/.exec(out);
  if (errors) console.error(`wrk ${url} -c${connections}: ${errors[0]}`);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
    p50: toMs(/\s50%\s+(\S+)/.exec(out)?.[1] ?? ''),
    p99: toMs(/\s99%\s+(\S+)/.exec(out)?.[1] ?? ''),
    mbps: toMbps(/Transfer\/sec:\s+(\S+)/.exec(out)?.[1] ?? ''),
    cpuUs: cpu / requests,
  };
}

/** Streams the 1 GB list once with curl, sampling the proxy's RSS every 50 ms. */
async function streamHuge(
  url: string,
  pid: number | undefined,
): Promise<{ mbps: number; baseRss: number; peakRss: number }> {
  const baseRss = pid === undefined ? NaN : rssMb(pid);
  let peakRss = baseRss;
  const timer = pid === undefined ? undefined : setInterval(() => (peakRss = Math.max(peakRss, rssMb(pid))), 50);
  const started = Date.now();
  const bytes = await new Promise<number>((resolve, reject) => {
    const curl = spawn('curl', ['-sk', '-o', '/dev/null', '-w', '%{size_download}', url], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    curl.stdout.on('data', (d: Buffer) => (out += d.toString()));
    curl.once('exit', (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`curl ${url} exited ${code}`))));
  });
  clearInterval(timer);
  return { mbps: bytes / MB / ((Date.now() - started) / 1000), baseRss, peakRss };
}

interface Target {
  name: string;
  base: string;
  pid: number | undefined;
  /** Measured in every round, interleaved with the other compared target; the references once. */
  compared: boolean;
}

type RowName = 'c1' | 'c64' | 'list' | 'huge';
const ROW_NAMES: RowName[] = ['c1', 'c64', 'list', 'huge'];

interface HugeResult {
  mbps: number;
  baseRss: number;
  peakRss: number;
}

interface Measured {
  c1: WrkResult[];
  c64: WrkResult[];
  list: WrkResult[];
  huge: HugeResult[];
}

async function measureRow(target: Target, row: RowName, into: Measured): Promise<void> {
  if (row === 'c1') into.c1.push(wrk(target.base + POD_PATH, 1, target.pid));
  else if (row === 'c64') into.c64.push(wrk(target.base + POD_PATH, 64, target.pid));
  else if (row === 'list') into.list.push(wrk(target.base + LIST_PATH, 1, target.pid));
  else into.huge.push(await streamHuge(target.base + HUGE_PATH, target.pid));
}

function warmUp(target: Target): void {
  console.error(`warming up ${target.name} …`);
  wrk(target.base + POD_PATH, 64, undefined, 2);
  wrk(target.base + LIST_PATH, 1, undefined, 2);
}

const median = (xs: number[]) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const f = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const times = (r: number) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : '–');

/**
 * Ratio of a target to `kubectl proxy` for one row: the median of the per-round ratios when both were
 * measured in the same rounds (each round's pair ran back to back, so shared load hits both alike);
 * otherwise the ratio of the medians.
 */
function ratioTo(mine: number[], theirs: number[]): { value: number; spread: string } {
  if (mine.length > 1 && mine.length === theirs.length) {
    const per = mine.map((m, i) => m / (theirs[i] as number));
    return { value: median(per), spread: ` [${per.map((r) => r.toFixed(2)).join(' ')}]` };
  }
  return { value: median(mine) / median(theirs), spread: '' };
}

function report(targets: Target[], results: Map<Target, Measured>, rows: RowName[]): string {
  const kpTarget = targets.find((t) => t.name === 'kubectl proxy');
  const kp = kpTarget === undefined ? undefined : (results.get(kpTarget) as Measured);
  const cell = (mine: number[], theirs: number[] | undefined, digits = 0) => {
    if (mine.length === 0) return '–';
    if (theirs === undefined || theirs.length === 0) return f(median(mine), digits);
    const r = ratioTo(mine, theirs);
    return `${f(median(mine), digits)} (${times(r.value)}${r.spread})`;
  };
  const lat = (xs: WrkResult[]) =>
    xs.length === 0 ? '–' : `${f(median(xs.map((x) => x.p50)), 2)} / ${f(median(xs.map((x) => x.p99)), 2)}`;
  const lines = [
    '| target | 1 KB GET c=1 req/s | p50 / p99 ms | 1 KB GET c=64 req/s | p50 / p99 ms | 10 MB list MB/s | 1 GB stream MB/s | RSS before → peak of one 1 GB stream (MB) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const t of targets) {
    const m = results.get(t) as Measured;
    const rps = (xs: WrkResult[]) => xs.map((x) => x.rps);
    const theirs = (pick: (m: Measured) => number[]) => (kp === undefined || t === kpTarget ? undefined : pick(kp));
    // The stream whose RSS rose the most: growth while streaming is the question, not drift between rounds.
    const worst = m.huge.reduce<HugeResult | undefined>(
      (w, h) => (w === undefined || h.peakRss - h.baseRss > w.peakRss - w.baseRss ? h : w),
      undefined,
    );
    const rss = worst === undefined ? '–' : `${f(worst.baseRss)} → ${f(worst.peakRss)}`;
    lines.push(
      `| ${t.name} | ${cell(
        rps(m.c1),
        theirs((k) => rps(k.c1)),
      )} | ${lat(m.c1)} | ${cell(
        rps(m.c64),
        theirs((k) => rps(k.c64)),
      )} | ${lat(m.c64)} | ` +
        `${cell(
          m.list.map((x) => x.mbps),
          theirs((k) => k.list.map((x) => x.mbps)),
        )} | ${cell(
          m.huge.map((h) => h.mbps),
          theirs((k) => k.huge.map((h) => h.mbps)),
        )} | ${rss} |`,
    );
  }
  lines.push(
    '',
    '| proxy CPU time (median) | 1 KB GET c=1 µs/req | 1 KB GET c=64 µs/req | 10 MB list ms/req |',
    '|---|---|---|---|',
  );
  for (const t of targets) {
    if (t.pid === undefined) continue;
    const m = results.get(t) as Measured;
    lines.push(
      `| ${t.name} | ${f(median(m.c1.map((x) => x.cpuUs)))} | ${f(median(m.c64.map((x) => x.cpuUs)))} | ${f(median(m.list.map((x) => x.cpuUs)) / 1000, 1)} |`,
    );
  }
  const direct = targets.find((t) => t.pid === undefined);
  if (direct !== undefined && rows.includes('c1')) {
    const directP50 = median((results.get(direct) as Measured).c1.map((x) => x.p50));
    lines.push('', 'Added p50 over direct (c=1, medians):');
    for (const t of targets)
      if (t !== direct)
        lines.push(`- ${t.name}: +${f(median((results.get(t) as Measured).c1.map((x) => x.p50)) - directP50, 3)} ms`);
  }
  lines.push(
    '',
    'Ratios in brackets are to `kubectl proxy`; for targets measured every round, the median of the per-round ratios [each round].',
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  ensureTools();
  const dir = mkdtempSync(join(tmpdir(), 'kore-bench-'));
  chmodSync(dir, 0o755); // nginx workers run as an unprivileged user
  const children: ChildProcess[] = [];
  try {
    const pki = createPki();
    writeFileSync(join(dir, 'ca.crt'), pki.ca.certPem);
    writeFileSync(join(dir, 'server.crt'), pki.server.certPem);
    writeFileSync(join(dir, 'server.key'), pki.server.keyPem);
    writeFileSync(join(dir, 'pod.json'), JSON.stringify(pod(0, 1024)));
    console.error('writing fixtures (1 KB, 10 MB, 1 GB) …');
    await writeList(join(dir, 'list-10mb.json'), 10 * MB);
    await writeList(join(dir, 'list-1gb.json'), 1024 * MB);

    const nginx = await startNginx(dir);
    children.push(nginx.process);
    const kubeconfig = join(dir, 'kubeconfig.yaml');
    writeFileSync(
      kubeconfig,
      demoKubeconfig(
        { url: `https://127.0.0.1:${nginx.verifiedPort}`, caPem: pki.ca.certPem, client: pki.client },
        'bench',
      ),
    );

    const { shipped, fetchOnly } = await bundleKore(dir);
    if (values['save-bundle'] !== undefined) copyFileSync(shipped, values['save-bundle']);
    const nodeArgs = (values['node-args'] ?? '').split(' ').filter((a) => a !== '');
    // The shipped entry, as a user starts it; --data-dir keeps it away from ~/.kore-board. `--auth none`: kubectl
    // proxy checks no token either (a token check is one header compare per request).
    const startKore = (script: string, workers: string) =>
      startChild(
        process.execPath,
        [
          ...nodeArgs,
          script,
          '--kubeconfig',
          kubeconfig,
          '--listen',
          '127.0.0.1:0',
          '--log-level',
          'warn',
          '--auth',
          'none',
          '--data-dir',
          join(dir, `data-${workers}`),
          '--workers',
          workers,
        ],
        /listening on http:\/\/127\.0\.0\.1:(\d+)/,
      );
    const kores: Array<{ name: string; started: { child: ChildProcess; port: number } }> = [];
    for (const workers of (values.workers ?? '1').split(',')) {
      kores.push({
        name: `kore-board /raw (${workers === '1' ? 'one process' : `--workers ${workers}`})`,
        started: await startKore(shipped, workers),
      });
    }
    if (values.baseline !== undefined)
      kores.push({ name: 'kore-board /raw (baseline bundle)', started: await startKore(values.baseline, '1') });
    for (const k of kores) children.push(k.started.child);
    const koreFetch = await startChild(
      process.execPath,
      [fetchOnly, '--kubeconfig', kubeconfig, '--fetch-only'],
      /listening (\d+)/,
    );
    children.push(koreFetch.child);
    const kp = await startChild(
      'kubectl',
      ['proxy', '--kubeconfig', kubeconfig, '--port', '0'],
      /Starting to serve on 127\.0\.0\.1:(\d+)/,
      // It logs every request wrk leaves unfinished when a run ends ("context canceled").
      'ignore',
    );
    children.push(kp.child);

    const targets: Target[] = [
      {
        name: 'direct (nginx, TLS, no client cert)',
        base: `https://127.0.0.1:${nginx.openPort}`,
        pid: undefined,
        compared: false,
      },
      { name: 'kubectl proxy', base: `http://127.0.0.1:${kp.port}`, pid: kp.child.pid, compared: true },
      ...kores.map((k) => ({
        name: k.name,
        base: `http://127.0.0.1:${k.started.port}/raw/clusters/bench`,
        pid: k.started.child.pid,
        compared: true,
      })),
      {
        name: 'kore-board /raw (Hono route only)',
        base: `http://127.0.0.1:${koreFetch.port}/raw/clusters/bench`,
        pid: koreFetch.child.pid,
        compared: false,
      },
    ].filter((t) => t.compared || values.references);
    for (const t of targets) {
      const status = curlStatus(t.base + POD_PATH);
      if (status !== '200') throw new Error(`${t.name}: GET ${POD_PATH} answered ${status}`);
    }
    if (values.hold) {
      for (const t of targets) console.log(`${t.name}: ${t.base}${POD_PATH} pid ${t.pid ?? '-'}`);
      console.log('holding; Ctrl-C (SIGINT) ends');
      await new Promise((resolve) => process.once('SIGINT', resolve));
      return;
    }
    const rows = ROW_NAMES.filter((r) => (values.rows ?? '').split(',').includes(r));
    const results = new Map<Target, Measured>(targets.map((t) => [t, { c1: [], c64: [], list: [], huge: [] }]));
    for (const t of targets) warmUp(t);
    const compared = targets.filter((t) => t.compared);
    const references = targets.filter((t) => !t.compared);
    // Every row of the compared pair runs back to back, the order swapped each round; the references
    // (the upstream itself, the Hono route) once, in the middle round.
    for (let round = 0; round < ROUNDS; round++) {
      console.error(`round ${round + 1}/${ROUNDS} (load average ${loadavg()[0]?.toFixed(1)})`);
      const order = round % 2 === 0 ? compared : [...compared].reverse();
      const all = round === Math.floor(ROUNDS / 2) ? [...order, ...references] : order;
      for (const row of rows) for (const t of all) await measureRow(t, row, results.get(t) as Measured);
    }
    console.log(
      `\n${SECONDS}s per wrk run, ${ROUNDS} round(s), node ${process.version}, ${readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? 'cpu?'}, ` +
        `nproc ${execFileSync('nproc').toString().trim()}, load average at the end ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}\n`,
    );
    console.log(report(targets, results, rows));
  } finally {
    for (const c of children.reverse()) c.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
