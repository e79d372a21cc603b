/**
 * kore-board's own observability on a real port in front of the simulated cluster: request metrics on every entrance
 * (the Hono app, the Node `/raw` fast path, upgrades) labelled by route pattern, upstream errors by cause, open
 * watches, cache sizes; the access log's lines and `X-Request-Id`.
 */
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterRegistry } from '../../lib/clusters/types';
import { silentLogger } from '../../lib/log';
import { startKoreServer, type KoreServer } from '../../lib/node/kore-server';
import { startSim, type SimCluster } from '../../lib/sim';
import { accessLogTo } from '../../lib/telemetry/access-log';
import { createTelemetryRegistry } from '../../lib/telemetry/registry';
import { freePort } from '../helpers/free-port';
import { metricSamples } from '../helpers/metric-samples';
import { contextsFor, kubeconfigYaml, registryFor, tempDir } from '../helpers/raw-stack';

const SIM = 'sim';
const DOWN = 'down';
const SECRET = 'never-logged-secret-0123456789';

let sim: SimCluster;
let registry: ClusterRegistry;
let kore: KoreServer;
let dir: string;
const lines: string[] = [];

beforeAll(async () => {
  sim = await startSim();
  dir = tempDir('telemetry');
  const [spec] = contextsFor(sim, dir, 'x', 'exec-token').specs;
  const nobody = `https://127.0.0.1:${await freePort()}`; // nothing listens there
  registry = await registryFor(
    kubeconfigYaml([
      { ...spec!, name: SIM },
      { ...spec!, name: DOWN, server: nobody },
    ]),
  );
  kore = await startKoreServer({
    registry,
    security: { allowedHosts: [], allowOrigins: [], authToken: undefined },
    log: silentLogger,
    telemetry: createTelemetryRegistry(),
    accessLog: accessLogTo((line) => lines.push(line)),
  });
});

afterAll(async () => {
  await kore?.close(0);
  await registry?.close();
  await sim?.close();
});

/** The samples of kore-board's exposition, `name{labels}` → value. */
const samples = () => metricSamples(`${kore.server.url}/metrics`);

const requests = (route: string, method: string, code: number) =>
  `kore_board_http_requests_total{route="${route}",method="${method}",code="${code}"}`;

/** The access log's lines for the request with this id. */
const logged = (id: string) =>
  lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((entry) => entry.id === id);

/** An upgrade request over a raw socket: the head of the answer, up to the blank line. */
function upgrade(path: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(kore.server.port, '127.0.0.1');
    let got = '';
    socket.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (got.includes('\r\n\r\n')) socket.destroy();
    });
    socket.on('close', () => resolve(got.split('\r\n\r\n')[0] ?? ''));
    socket.on('error', reject);
    const extra = Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`,
    );
  });
}

describe('request metrics', () => {
  it('count an app route under its pattern, never the path', async () => {
    const before = (await samples()).get(requests('/api/clusters/:cluster/dashboard', 'GET', 200)) ?? 0;
    expect((await fetch(`${kore.server.url}/api/clusters/${SIM}/dashboard`)).status).toBe(200);
    const after = await samples();
    expect(after.get(requests('/api/clusters/:cluster/dashboard', 'GET', 200))).toBe(before + 1);
    expect(
      after.get(
        `kore_board_http_request_duration_seconds_count{route="/api/clusters/:cluster/dashboard",method="GET"}`,
      ),
    ).toBeGreaterThan(0);
    const routes = [...after.keys()].filter((k) => k.startsWith('kore_board_http_')).join('\n');
    expect(routes).not.toContain(`/${SIM}/`);
    // No route matched: one fixed label, whatever the path.
    expect((await fetch(`${kore.server.url}/no/such/${'x'.repeat(20)}`)).status).toBe(404);
    expect((await samples()).get(requests('unmatched', 'GET', 404))).toBeGreaterThanOrEqual(1);
  });

  it('count a /raw GET served by the Node fast path', async () => {
    const key = requests('/raw/clusters/*', 'GET', 200);
    const before = (await samples()).get(key) ?? 0;
    const res = await fetch(`${kore.server.url}/raw/clusters/${SIM}/api/v1/namespaces`);
    expect(res.status).toBe(200);
    await res.text();
    await expect.poll(async () => (await samples()).get(key)).toBe(before + 1);
  });

  it('count an upgrade under its route and code, and echo X-Request-Id on the refusal', async () => {
    const head = await upgrade('/no-upgrade-here', { 'x-request-id': 'upgrade-1' });
    expect(head).toMatch(/^HTTP\/1\.1 404 /);
    expect(head).toContain('x-request-id: upgrade-1\r\n');
    const exec = await upgrade(
      `/raw/clusters/${SIM}/api/v1/namespaces/default/pods/busybox/exec?command=true&stdout=true`,
      { 'sec-websocket-protocol': 'v5.channel.k8s.io', 'x-request-id': 'upgrade-2' },
    );
    expect(exec).toMatch(/^HTTP\/1\.1 101 /);
    expect(exec).toContain('x-request-id: upgrade-2\r\n');
    const after = await samples();
    expect(after.get(requests('unmatched', 'GET', 404))).toBeGreaterThanOrEqual(1);
    expect(after.get(requests('/raw/clusters/*', 'GET', 101))).toBe(1);
    await expect.poll(() => logged('upgrade-2').length).toBe(1);
    expect(logged('upgrade-2')[0]).toMatchObject({ route: '/raw/clusters/*', status: 101, user: 'owner' });
  });

  it('count and log a /raw request admission refused on the fast path under its route; name who a served one acts as', async () => {
    const key = requests('/raw/clusters/*', 'GET', 403);
    const before = (await samples()).get(key) ?? 0;
    // A page whose DNS name was rebound to 127.0.0.1 arrives with its own name as Host (fetch cannot send one).
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const headers = { host: 'rebound.example', 'x-request-id': 'fast-refused' };
      get(
        { port: kore.server.port, host: '127.0.0.1', path: `/raw/clusters/${SIM}/api/v1/namespaces`, headers },
        (res) => res.resume().on('end', () => resolve(res.statusCode)),
      ).on('error', reject);
    });
    expect(status).toBe(403);
    await expect.poll(async () => (await samples()).get(key)).toBe(before + 1);
    await expect.poll(() => logged('fast-refused').length).toBe(1);
    expect(logged('fast-refused')[0]).toMatchObject({ route: '/raw/clusters/*', status: 403 });
    expect(logged('fast-refused')[0]!.user).toBeUndefined();
    const served = await fetch(`${kore.server.url}/raw/clusters/${SIM}/api/v1/namespaces`, {
      headers: { 'x-request-id': 'fast-served' },
    });
    await served.arrayBuffer();
    await expect.poll(() => logged('fast-served').length).toBe(1);
    expect(logged('fast-served')[0]).toMatchObject({ route: '/raw/clusters/*', status: 200, user: 'owner' });
  });

  it('count an upstream error with its cause when the cluster is down', async () => {
    const res = await fetch(`${kore.server.url}/raw/clusters/${DOWN}/api/v1/namespaces`);
    expect(res.status).toBe(502);
    expect((await samples()).get(`kore_board_upstream_errors_total{context="${DOWN}",cause="ECONNREFUSED"}`)).toBe(1);
  });
});

describe('open watches and caches', () => {
  it('show a kubectl get -w through /raw while it runs, and not after; the views count their own', async () => {
    const watch = spawn(
      'kubectl',
      ['--kubeconfig', '/dev/null', '--server', `${kore.server.url}/raw/clusters/${SIM}`, 'get', 'configmaps', '-w'],
      { env: { ...process.env, HOME: dir, KUBECACHEDIR: `${dir}/cache`, KUBECONFIG: '' } },
    );
    const rawWatches = async () => (await samples()).get(`kore_board_open_watches{context="${SIM}",source="raw"}`);
    try {
      await expect.poll(rawWatches, { timeout: 10_000 }).toBe(1);
    } finally {
      watch.kill('SIGTERM');
      await new Promise((resolve) => watch.once('close', resolve));
    }
    await expect.poll(rawWatches, { timeout: 5_000 }).toBeUndefined();
    // The views watch every kind the dashboard shows, and hold its objects.
    expect((await fetch(`${kore.server.url}/api/clusters/${SIM}/dashboard`)).status).toBe(200);
    const after = await samples();
    expect(after.get(`kore_board_open_watches{context="${SIM}",source="views"}`)).toBeGreaterThan(0);
    expect(after.get(`kore_board_view_cache_objects{context="${SIM}"}`)).toBeGreaterThan(0);
  });

  it('count the contexts whose discovery is cached', async () => {
    const res = await fetch(`${kore.server.url}/raw/clusters/${SIM}`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: telemetry, namespace: default}\n',
    });
    expect(res.status).toBeLessThan(300);
    expect((await samples()).get('kore_board_discovery_cache_entries')).toBe(1);
  });
});

describe('the access log', () => {
  it('writes one line per request with its fields, and echoes the caller id', async () => {
    const res = await fetch(`${kore.server.url}/api/clusters`, { headers: { 'x-request-id': 'caller-id.1:a_b-c' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('caller-id.1:a_b-c');
    const body = await res.arrayBuffer();
    await expect.poll(() => logged('caller-id.1:a_b-c').length).toBe(1);
    const [entry] = logged('caller-id.1:a_b-c');
    expect(entry).toMatchObject({
      level: 'info',
      msg: 'request',
      method: 'GET',
      path: '/api/clusters',
      route: '/api/clusters',
      status: 200,
      remote: '127.0.0.1',
    });
    expect(Date.parse(entry!.time as string)).not.toBeNaN();
    expect(entry!.ms).toBeGreaterThan(0);
    expect(entry!.bytes).toBeGreaterThan(body.byteLength);
  });

  it('makes an id when the caller gave none or an insane one, on the app, the fast path and errors', async () => {
    for (const [path, given] of [
      ['/api/clusters', undefined],
      [`/raw/clusters/${SIM}/api/v1/namespaces`, 'a b'],
      ['/no/such/path', 'x'.repeat(129)],
      [`/raw/clusters/${DOWN}/api`, undefined],
    ] as const) {
      const res = await fetch(
        `${kore.server.url}${path}`,
        given === undefined ? {} : { headers: { 'x-request-id': given } },
      );
      await res.arrayBuffer();
      const id = res.headers.get('x-request-id');
      expect(id, path).toMatch(/^[0-9a-f-]{36}$/);
      await expect.poll(() => logged(id!).length).toBe(1);
      expect(logged(id!)[0]).toMatchObject({ path, status: res.status });
    }
  });

  it('never holds the token of the login link or the path, nor any header', async () => {
    const ids = ['secret-1', 'secret-2', 'secret-3'];
    const headers = (id: string) => ({ 'x-request-id': id, authorization: `Bearer ${SECRET}`, cookie: `c=${SECRET}` });
    await (await fetch(`${kore.server.url}/?token=${SECRET}&x=1`, { headers: headers(ids[0]!) })).arrayBuffer();
    await (
      await fetch(`${kore.server.url}/token/${SECRET}/raw/clusters/${SIM}/api`, { headers: headers(ids[1]!) })
    ).arrayBuffer();
    await (await fetch(`${kore.server.url}/healthz?a=1&TOKEN=${SECRET}`, { headers: headers(ids[2]!) })).arrayBuffer();
    await expect.poll(() => ids.every((id) => logged(id).length === 1)).toBe(true);
    expect(logged('secret-1')[0]!.path).toBe('/?token=REDACTED&x=1');
    expect(logged('secret-2')[0]!.path).toBe(`/raw/clusters/${SIM}/api`);
    expect(logged('secret-3')[0]!.path).toBe('/healthz?a=1&TOKEN=REDACTED');
    expect(lines.join('\n')).not.toContain(SECRET);
    expect(lines.join('\n').toLowerCase()).not.toContain('authorization');
  });
});
