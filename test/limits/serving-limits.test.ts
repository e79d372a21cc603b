/**
 * The serving limits, each answered with a Kubernetes Status while the server keeps serving: header size (431),
 * headers timeout (408), idle keep-alive, connections (503 + close), watches per client address (429), requests in
 * flight per context (429 + Retry-After), body size of /raw writes and apply (413). Small limits, real sockets.
 */
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ClusterRegistry } from '../../lib/clusters/types';
import { silentLogger } from '../../lib/log';
import { startKoreServer, type KoreServer } from '../../lib/node/kore-server';
import { DEFAULT_LIMITS, type LimitsConfig } from '../../lib/node/limits-config';
import { startSim, type SimCluster } from '../../lib/sim';
import { b64, kubeconfigYaml, registryFor, send } from '../helpers/raw-stack';

const LIMITS: LimitsConfig = {
  ...DEFAULT_LIMITS,
  upstreamTimeoutMs: 300,
  maxBodyBytes: 1024,
  maxHeaderBytes: 2048,
  headersTimeoutMs: 400,
  keepAliveTimeoutMs: 300,
  maxConnections: 4,
  maxWatchesPerClient: 2,
  maxUpstreamPerContext: 1,
};
/** Timers beyond the limit: Node checks the headers timeout every 100 ms here, undici ticks at ~500 ms. */
const MARGIN_MS = 1_500;

let sim: SimCluster;
let registry: ClusterRegistry;
let kore: KoreServer;
const port = () => kore.server.port;

beforeAll(async () => {
  sim = await startSim();
  const user = { 'client-certificate-data': b64(sim.client.certPem), 'client-key-data': b64(sim.client.keyPem) };
  registry = await registryFor(kubeconfigYaml([{ name: 'sim', server: sim.url, caPem: sim.caPem, user }]));
  kore = await startKoreServer({
    registry,
    security: { allowedHosts: [], allowOrigins: [], authToken: undefined },
    log: silentLogger,
    limits: LIMITS,
  });
});

afterAll(async () => {
  await kore?.close(100);
  await registry?.close();
  await sim?.close();
});

/** A socket, connected. */
function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port(), '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

/** Everything the server sends until it closes the connection, and how long that took. */
function untilClosed(socket: Socket): Promise<{ text: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('close', () => resolve({ text, ms: performance.now() - started }));
  });
}

/** The JSON body of a raw HTTP/1.1 answer. */
function bodyOf(answer: string): unknown {
  return JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
}

const healthy = async () => expect((await send(port(), 'GET', '/healthz')).status).toBe(200);

describe('request heads', () => {
  it('headers beyond --max-header-size → 431 Status, and the server keeps serving', async () => {
    const socket = await open();
    const closed = untilClosed(socket);
    socket.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(3000)}\r\n\r\n`);
    const { text } = await closed;
    expect(text).toMatch(/^HTTP\/1\.1 431 /);
    expect(bodyOf(text)).toMatchObject({
      kind: 'Status',
      code: 431,
      reason: 'RequestHeaderFieldsTooLarge',
      message: expect.stringContaining('2 KiB'),
    });
    await healthy();
  });

  it('a head not finished within --headers-timeout → 408 Status', async () => {
    const socket = await open();
    const closed = untilClosed(socket);
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const { text, ms } = await closed;
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(bodyOf(text)).toMatchObject({ kind: 'Status', code: 408, reason: 'RequestTimeout' });
    expect(ms).toBeGreaterThanOrEqual(LIMITS.headersTimeoutMs - 5);
    expect(ms).toBeLessThan(LIMITS.headersTimeoutMs + MARGIN_MS);
    await healthy();
  });

  it('an idle kept-alive connection is closed after --keep-alive-timeout', async () => {
    const socket = await open();
    let answered = 0;
    const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(performance.now())));
    const first = new Promise<void>((resolve) =>
      socket.on('data', () => {
        answered = performance.now();
        resolve();
      }),
    );
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await first;
    const idle = (await closed) - answered;
    expect(idle).toBeGreaterThanOrEqual(LIMITS.keepAliveTimeoutMs - 50);
    expect(idle).toBeLessThan(LIMITS.keepAliveTimeoutMs + MARGIN_MS);
  });
});

describe('connections beyond --max-connections', () => {
  it('are answered 503 Status with Connection: close, not dropped; a freed slot serves again', async () => {
    const held = await Promise.all(Array.from({ length: LIMITS.maxConnections }, open));
    try {
      // Counted once the server has seen them: each asks for /healthz and stays open (keep-alive).
      await Promise.all(
        held.map(
          (socket) =>
            new Promise<void>((resolve) => {
              socket.once('data', () => resolve());
              socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
            }),
        ),
      );
      const extra = await open();
      const closed = untilClosed(extra);
      extra.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      const { text } = await closed;
      expect(text).toMatch(/^HTTP\/1\.1 503 /);
      expect(text).toMatch(/\r\nconnection: close\r\n/i);
      expect(bodyOf(text)).toMatchObject({
        kind: 'Status',
        code: 503,
        message: expect.stringContaining('--max-connections'),
      });
    } finally {
      for (const socket of held) socket.destroy();
    }
    await vi.waitFor(healthy, { timeout: 2_000, interval: 20 });
  });
});

/** Opens a streaming GET and resolves once its response headers arrived; `close` ends it. */
function stream(path: string): Promise<{ status: number; body: () => string; close(): void }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: port(), path, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('error', () => undefined);
      resolve({ status: res.statusCode ?? 0, body: () => body, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('watches beyond --max-watches-per-client', () => {
  it('a third watch or followed log from the same address → 429 Status; a closed one frees its slot', async () => {
    const a = await stream('/raw/clusters/sim/api/v1/namespaces/default/pods?watch=true');
    const b = await stream('/raw/clusters/sim/api/v1/namespaces/default/pods/busybox/log?follow=true');
    try {
      expect([a.status, b.status]).toEqual([200, 200]);
      for (const path of [
        '/raw/clusters/sim/api/v1/pods?watch=1',
        '/raw/clusters/sim/api/v1/watch/namespaces/default/configmaps',
        '/raw/clusters/sim/api/v1/namespaces/default/pods/busybox/log?follow=true',
      ]) {
        const refused = await send(port(), 'GET', path);
        expect(refused.status).toBe(429);
        expect(refused.json()).toMatchObject({
          kind: 'Status',
          code: 429,
          reason: 'TooManyRequests',
          message: expect.stringContaining('--max-watches-per-client'),
        });
      }
      // Not a watch: served.
      expect((await send(port(), 'GET', '/raw/clusters/sim/api/v1/namespaces')).status).toBe(200);
    } finally {
      a.close();
    }
    await vi.waitFor(
      async () => {
        const again = await stream('/raw/clusters/sim/api/v1/namespaces/default/pods?watch=true');
        again.close();
        expect(again.status).toBe(200);
      },
      { timeout: 2_000, interval: 20 },
    );
    b.close();
  });
});

describe('requests beyond --max-upstream-per-context', () => {
  it('→ 429 Status with Retry-After while one is in flight; watches are not counted', async () => {
    const freeze = sim.freeze('/api/v1/namespaces/default/secrets');
    try {
      const stuck = send(port(), 'GET', '/raw/clusters/sim/api/v1/namespaces/default/secrets');
      await vi.waitFor(() => expect(freeze.held()).toBe(1), { timeout: 2_000, interval: 10 });
      const refused = await send(port(), 'GET', '/raw/clusters/sim/api/v1/namespaces');
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toBe('1');
      expect(refused.json()).toMatchObject({
        kind: 'Status',
        code: 429,
        details: { retryAfterSeconds: 1 },
        message: expect.stringMatching(/context "sim".*--max-upstream-per-context/),
      });
      const watch = await stream('/raw/clusters/sim/api/v1/namespaces/default/pods?watch=true');
      expect(watch.status).toBe(200);
      watch.close();
      // The stuck one ends with the upstream timeout, and frees the slot.
      expect((await stuck).status).toBe(504);
    } finally {
      freeze.thaw();
    }
    expect((await send(port(), 'GET', '/raw/clusters/sim/api/v1/namespaces')).status).toBe(200);
  });
});

describe('bodies beyond --max-body', () => {
  const big = JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'too-big', namespace: 'default' },
    data: { x: 'y'.repeat(2048) },
  });
  const json = { 'content-type': 'application/json' };

  it('a /raw write with a declared length → 413 Status, nothing created', async () => {
    const res = await send(port(), 'POST', '/raw/clusters/sim/api/v1/namespaces/default/configmaps', {
      headers: json,
      body: big,
    });
    expect(res.status).toBe(413);
    expect(res.json()).toMatchObject({ kind: 'Status', code: 413, message: expect.stringContaining('--max-body') });
    expect(sim.store.get('configmaps', 'default', 'too-big')).toBeUndefined();
  });

  it('a chunked /raw write → 413 Status once the count passes the limit, nothing created', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: port(),
          method: 'POST',
          path: '/raw/clusters/sim/api/v1/namespaces/default/configmaps',
          headers: json,
        },
        (r) => {
          let body = '';
          r.on('data', (d: Buffer) => (body += d.toString()));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      // No Content-Length: Node sends it chunked, in two pieces.
      req.write(big.slice(0, 600));
      req.end(big.slice(600));
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ kind: 'Status', code: 413 });
    expect(sim.store.get('configmaps', 'default', 'too-big')).toBeUndefined();
  });

  it('apply → 413 Status', async () => {
    const res = await send(port(), 'POST', '/raw/clusters/sim', { headers: json, body: big });
    expect(res.status).toBe(413);
    expect(res.json()).toMatchObject({ kind: 'Status', code: 413 });
    await healthy();
  });
});
