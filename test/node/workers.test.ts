import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { get, type ClientRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { connectionsTo, workerPids } from '../helpers/proc';
import { runToExit, startProcess, withTakenPort, type StartedProcess } from '../helpers/process';
import { exchange } from '../helpers/raw-exchange';

// `--workers 2`: one supervising process, two serving ones, one listen address.
const TS = ['--import', 'tsx', join(process.cwd(), 'lib/node/main.ts')];
const home = mkdtempSync(join(tmpdir(), 'kore-home-'));
const env = { ...process.env, HOME: home, KUBECONFIG: '', KORE_LOG_LEVEL: 'warn' };
const DEMO = 'kubernetes-admin@kubernetes';

async function until<T>(
  what: string,
  probe: () => T | Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Each call on a connection of its own, so that calls are spread over the workers. */
/** The pool's access token, as every worker checks it (handed over by the supervisor). */
let auth: Record<string, string> = {};

async function call(url: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    ...init,
    headers: { ...auth, ...(init.headers as Record<string, string>), connection: 'close' },
  });
  return { status: res.status, body: await res.json() };
}

function upload(name: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1' } }],
    users: [{ name: 'u', user: { token: 'not-a-real-token' } }],
    contexts: [{ name, context: { cluster: 'c', user: 'u' } }],
  });
}

describe('kore-board --workers 2', () => {
  let p: StartedProcess;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kore-data-'));
    p = await startProcess(
      process.execPath,
      [...TS, '--listen', '127.0.0.1:0', '--workers', '2', '--data-dir', dataDir],
      // Three processes each compile the sources through tsx: well over 20 s on two cores shared with other suites.
      { env, timeoutMs: 90_000 },
    );
    auth = p.auth;
  }, 120_000);
  afterAll(async () => {
    if (p?.child.exitCode === null) await p.stop('SIGKILL');
  });

  it('prints one start-up report for the pool and serves the one demo cluster from every worker', async () => {
    expect(p.output()).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+ \(2 worker processes\)/);
    expect(p.output().match(/DEMO MODE: serving/g)).toHaveLength(1);
    expect(p.output()).toMatch(new RegExp(`contexts loaded \\(1/1\\): ${DEMO}`));
    expect(workerPids(p.child.pid!)).toHaveLength(2);

    // Written through one connection (one worker), read through others: one cluster, not one per worker.
    const raw = `${p.url}/raw/clusters/${DEMO}/api/v1/namespaces`;
    const created = await call(raw, {
      method: 'POST',
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'pool-test' } }),
      headers: { 'content-type': 'application/json' },
    });
    expect(created.status).toBe(201);
    for (let i = 0; i < 4; i++) expect((await call(`${raw}/pool-test`)).body.metadata.name).toBe('pool-test');
  });

  it('hands connections to every worker', async () => {
    const workers = workerPids(p.child.pid!);
    const port = Number(new URL(p.url).port);
    // Watches hold their connection open, so each worker's share can be counted.
    const watches: ClientRequest[] = [];
    for (let i = 0; i < 4; i++) {
      // Destroyed on purpose below, perhaps before their answer came: the hang-up that reports is expected.
      watches.push(
        get(`${p.url}/raw/clusters/${DEMO}/api/v1/namespaces?watch=1`, { agent: false, headers: auth }).on(
          'error',
          () => undefined,
        ),
      );
    }
    try {
      const held = await until(
        'connections per worker',
        () => workers.map((w) => connectionsTo(w, port)),
        (counts) => counts.reduce((a, b) => a + b) === 4,
      );
      expect(held.every((c) => c >= 1)).toBe(true);
    } finally {
      for (const w of watches) w.destroy();
    }
  });

  it("answers /metrics with the pool's sum, whichever worker takes the scrape", async () => {
    const counted = async () => {
      const res = await fetch(`${p.url}/metrics`, { headers: { ...auth, connection: 'close' } });
      expect(res.status).toBe(200);
      const line = (await res.text())
        .split('\n')
        .find((l) => l.startsWith('kore_board_http_requests_total{') && l.includes('route="/api/contexts/:cluster"'));
      return Number(line?.split(' ').pop() ?? 0);
    };
    const before = await counted();
    // Each on a connection of its own: spread over both workers, as are the scrapes after.
    for (let i = 0; i < 10; i++)
      expect((await call(`${p.url}/api/contexts/${encodeURIComponent(DEMO)}`)).status).toBe(200);
    for (let i = 0; i < 4; i++) expect(await counted()).toBe(before + 10);
  });

  it('passes exec upgrades through whichever worker holds the connection', async () => {
    // kubectl sends no kubeconfig credential to a plain-HTTP server: the token rides in the path.
    const server = `${p.url}/token/${p.token!}/raw/clusters/${encodeURIComponent(DEMO)}`;
    // Each kubectl is a connection of its own: four of them reach both workers.
    const runs = await Promise.all(
      [1, 2, 3, 4].map(() =>
        runToExit(
          'kubectl',
          ['--kubeconfig', '/dev/null', '--server', server, 'exec', 'busybox', '-n', 'default', '--', 'echo', 'hi'],
          { ...env, HOME: home },
        ),
      ),
    );
    for (const r of runs) expect(r).toEqual({ code: 0, stdout: 'hi\n', stderr: '' });
  });

  it('loses no context when several are added at once through different workers', async () => {
    const names = Array.from({ length: 6 }, (_, i) => `added-${i}`);
    const results = await Promise.all(
      names.map((n) =>
        call(`${p.url}/api/contexts`, {
          method: 'POST',
          body: upload(n),
          headers: { 'content-type': 'application/yaml' },
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(names.map(() => 201));
    const saved = readFileSync(join(dataDir, 'kubeconfig'), 'utf8');
    for (const n of names) expect(saved).toContain(`name: ${n}`);
    // Every worker sees every one (the others through their file watch).
    for (let i = 0; i < 4; i++) {
      const listed = await until(
        'contexts of a worker',
        async () => (await call(`${p.url}/api/clusters`)).body.contexts as string[],
        (c) => names.every((n) => c.includes(n)),
      );
      expect(listed).toEqual(expect.arrayContaining(names));
    }
  });

  it('answers what the parser refuses with a Status in every worker', async () => {
    const port = Number(new URL(p.url).port);
    for (let i = 0; i < 4; i++) {
      const answer = await exchange(
        () => connect(port, '127.0.0.1'),
        `FOO /api/clusters HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`,
      );
      expect(answer).toMatchObject({ code: 400, body: { kind: 'Status', code: 400 } });
    }
    expect((await call(`${p.url}/api/clusters`)).status).toBe(200);
  });

  it('replaces a worker that dies, and keeps serving', async () => {
    const [victim, survivor] = workerPids(p.child.pid!);
    process.kill(victim!, 'SIGKILL');
    const now = await until(
      'workers',
      () => workerPids(p.child.pid!),
      (c) => c.length === 2 && !c.includes(victim!),
    );
    expect(now).toContain(survivor);
    await until(
      'the new worker serving',
      () =>
        call(`${p.url}/api/clusters`).then(
          (r) => r.status,
          () => 0,
        ),
      (s) => s === 200,
    );
    for (let i = 0; i < 4; i++) expect((await call(`${p.url}/api/clusters`)).status).toBe(200);
  });

  it('on SIGTERM stops every worker and exits 0', async () => {
    const workers = workerPids(p.child.pid!);
    expect(await p.stop('SIGTERM')).toBe(0);
    for (const w of workers) expect(existsSync(`/proc/${w}`)).toBe(false);
  });
});

describe('kore-board --workers 2 that cannot listen', () => {
  it('exits 2, saying why once', async () => {
    await withTakenPort(async (port) => {
      const r = await runToExit(
        process.execPath,
        [...TS, '--demo', '--listen', `127.0.0.1:${port}`, '--workers', '2'],
        env,
      );
      expect(r.code).toBe(2);
      expect(r.stderr.match(/cannot listen/g)).toHaveLength(1);
    });
  });
});
