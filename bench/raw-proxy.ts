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
 * kore-board runs bundled by esbuild (as it ships), each target is warmed up before it is measured.
 *
 *   npx tsx bench/raw-proxy.ts [--seconds 5] [--skip-install]
 *
 * Installs nginx-light and wrk with apt-get when they are missing (needs root).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { stringify } from 'yaml';
import { createPki } from '../lib/sim/tls';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, 'skip-install': { type: 'boolean', default: false } } });
const SECONDS = Number(values.seconds);
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
  if (missing.includes('kubectl') || missing.includes('curl')) throw new Error(`missing ${missing.join(', ')}: install them first`);
  if (values['skip-install'] || process.getuid?.() !== 0) throw new Error(`missing ${missing.join(', ')}: apt-get install -y nginx-light wrk`);
  console.error('installing nginx-light and wrk with apt-get …');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'nginx-light', 'wrk'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function pod(i: number, padTo = 0): Record<string, unknown> {
  const p = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `bench-pod-${i}`, namespace: 'default', uid: `0b7c6a3e-1d2f-4c5b-9a8e-${String(i).padStart(12, '0')}`, resourceVersion: String(1000 + i), labels: { app: 'bench' } },
    spec: { nodeName: 'vm-live-01', containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }] }] },
    status: { phase: 'Running', podIP: '10.244.0.12', conditions: [{ type: 'Ready', status: 'True' }] },
  };
  if (padTo > 0) (p.metadata as Record<string, unknown>).annotations = { pad: 'x'.repeat(Math.max(0, padTo - JSON.stringify(p).length - 30)) };
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

/** kore-board's benchmark server bundled as it ships (esbuild, one file), not run through tsx. */
async function bundleServer(dir: string): Promise<string> {
  const outfile = join(dir, 'kore-board-bench.mjs');
  await build({
    entryPoints: [join(import.meta.dirname, 'raw-proxy-server.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.18',
    external: ['node-pty', 'bufferutil', 'utf-8-validate'],
    banner: { js: "import { createRequire as __koreCreateRequire } from 'node:module'; const require = __koreCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  return outfile;
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
  const process = spawn('nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
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
function startChild(command: string, args: string[], ready: RegExp): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
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
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return kb / 1024;
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

/** User + system CPU time of a process so far, in clock ticks. */
function cpuTicks(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(fields[11]) + Number(fields[12]);
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
  const out = execFileSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url], { timeout: (seconds + 30) * 1000 }).toString();
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
async function streamHuge(url: string, pid: number | undefined): Promise<{ mbps: number; baseRss: number; peakRss: number }> {
  const baseRss = pid === undefined ? NaN : rssMb(pid);
  let peakRss = baseRss;
  const timer = pid === undefined ? undefined : setInterval(() => (peakRss = Math.max(peakRss, rssMb(pid))), 50);
  const started = Date.now();
  const bytes = await new Promise<number>((resolve, reject) => {
    const curl = spawn('curl', ['-sk', '-o', '/dev/null', '-w', '%{size_download}', url], { stdio: ['ignore', 'pipe', 'inherit'] });
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
}

interface Row {
  target: string;
  c1: WrkResult;
  c64: WrkResult;
  list: WrkResult;
  huge: { mbps: number; baseRss: number; peakRss: number };
}

function measure(target: Target): Promise<Row> {
  console.error(`warming up and measuring ${target.name} …`);
  wrk(target.base + POD_PATH, 64, undefined, 2);
  wrk(target.base + LIST_PATH, 1, undefined, 2);
  const c1 = wrk(target.base + POD_PATH, 1, target.pid);
  const c64 = wrk(target.base + POD_PATH, 64, target.pid);
  const list = wrk(target.base + LIST_PATH, 1, target.pid);
  return streamHuge(target.base + HUGE_PATH, target.pid).then((huge) => ({ target: target.name, c1, c64, list, huge }));
}

const f = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '–');

function report(rows: Row[]): string {
  const kp = rows.find((r) => r.target === 'kubectl proxy') as Row;
  const direct = rows.find((r) => r.target.startsWith('direct')) as Row;
  const lines = [
    '| target | 1 KB GET c=1 req/s | p50 / p99 ms | 1 KB GET c=64 req/s | p50 / p99 ms | 10 MB list MB/s | 1 GB stream MB/s | RSS before → peak (MB) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.target} | ${f(r.c1.rps)} (${ratio(r.c1.rps, kp.c1.rps)}) | ${f(r.c1.p50, 2)} / ${f(r.c1.p99, 2)} | ${f(r.c64.rps)} (${ratio(r.c64.rps, kp.c64.rps)}) | ${f(r.c64.p50, 2)} / ${f(r.c64.p99, 2)} | ${f(r.list.mbps)} (${ratio(r.list.mbps, kp.list.mbps)}) | ${f(r.huge.mbps)} (${ratio(r.huge.mbps, kp.huge.mbps)}) | ${f(r.huge.baseRss)} → ${f(r.huge.peakRss)} |`,
    );
  }
  lines.push('', '| proxy CPU time | 1 KB GET c=1 µs/req | 1 KB GET c=64 µs/req | 10 MB list ms/req |', '|---|---|---|---|');
  for (const r of rows) {
    if (r === direct) continue;
    lines.push(`| ${r.target} | ${f(r.c1.cpuUs)} | ${f(r.c64.cpuUs)} | ${f(r.list.cpuUs / 1000, 1)} |`);
  }
  lines.push('', 'Ratios in brackets are to `kubectl proxy`. Added p50 over direct (c=1):');
  for (const r of rows) if (r !== direct) lines.push(`- ${r.target}: +${f(r.c1.p50 - direct.c1.p50, 3)} ms`);
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
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const kubeconfig = join(dir, 'kubeconfig.yaml');
    writeFileSync(
      kubeconfig,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'bench', cluster: { server: `https://127.0.0.1:${nginx.verifiedPort}`, 'certificate-authority-data': b64(pki.ca.certPem) } }],
        users: [{ name: 'bench', user: { 'client-certificate-data': b64(pki.client.certPem), 'client-key-data': b64(pki.client.keyPem) } }],
        contexts: [{ name: 'bench', context: { cluster: 'bench', user: 'bench' } }],
        'current-context': 'bench',
      }),
    );

    const serverScript = await bundleServer(dir);
    const kore = await startChild(process.execPath, [serverScript, '--kubeconfig', kubeconfig], /listening (\d+)/);
    children.push(kore.child);
    const koreFetch = await startChild(process.execPath, [serverScript, '--kubeconfig', kubeconfig, '--fetch-only'], /listening (\d+)/);
    children.push(koreFetch.child);
    const kp = await startChild('kubectl', ['proxy', '--kubeconfig', kubeconfig, '--port', '0'], /Starting to serve on 127\.0\.0\.1:(\d+)/);
    children.push(kp.child);

    const targets: Target[] = [
      { name: 'direct (nginx, TLS, no client cert)', base: `https://127.0.0.1:${nginx.openPort}`, pid: undefined },
      { name: 'kubectl proxy', base: `http://127.0.0.1:${kp.port}`, pid: kp.child.pid },
      { name: 'kore-board /raw (Node fast path)', base: `http://127.0.0.1:${kore.port}/raw/clusters/bench`, pid: kore.child.pid },
      { name: 'kore-board /raw (Hono route only)', base: `http://127.0.0.1:${koreFetch.port}/raw/clusters/bench`, pid: koreFetch.child.pid },
    ];
    for (const t of targets) {
      const status = curlStatus(t.base + POD_PATH);
      if (status !== '200') throw new Error(`${t.name}: GET ${POD_PATH} answered ${status}`);
    }
    const rows: Row[] = [];
    for (const t of targets) rows.push(await measure(t));
    console.log(`\n${SECONDS}s per wrk run, node ${process.version}, ${readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? 'cpu?'}, nproc ${execFileSync('nproc').toString().trim()}\n`);
    console.log(report(rows));
  } finally {
    for (const c of children.reverse()) c.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
