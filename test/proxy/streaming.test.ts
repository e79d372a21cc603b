/**
 * The /raw proxy against a TLS upstream of our own that can do what the simulated cluster cannot do
 * cheaply: 200 MB answers, resets mid-stream, silence, compressed bodies, and exact accounting of the
 * requests and connections it saw.
 */
import { rmSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterRegistry } from '../../lib/clusters/types';
import type { RunningServer } from '../../lib/node/server';
import { createPki } from '../../lib/sim/tls';
import {
  b64,
  execPlugin,
  kubeconfigYaml,
  registryFor,
  send,
  sendRawBytes,
  startProxy,
  tempDir,
  UI_ORIGIN,
  type ContextSpec,
  type RawResponse,
} from '../helpers/raw-stack';

const pki = createPki();
const otherPki = createPki();
const GZIPPED = gzipSync(Buffer.from(JSON.stringify({ kind: 'PodList', items: [] })));
const MB = 1024 * 1024;

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** What the upstream observed; tests read it to prove what reached the "cluster". */
const upstreamState = {
  seen: [] as Seen[],
  openStreams: 0,
  tokens: new Set(['token-1']),
};

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
}

function authorized(req: IncomingMessage): boolean {
  const socket = req.socket as { authorized?: boolean };
  if (socket.authorized === true) return true;
  const auth = req.headers.authorization ?? '';
  return auth.startsWith('Bearer ') && upstreamState.tokens.has(auth.slice(7));
}

/** `/big?mb=N`: a PodList of about N MB, generated as the client reads it. */
function bigList(res: ServerResponse, megabytes: number): void {
  const item = Buffer.from(
    JSON.stringify({
      metadata: { name: 'p'.repeat(900), namespace: 'default' },
      spec: {},
      status: { phase: 'Running' },
    }) + ',',
  );
  const perChunk = 64;
  const items = Math.ceil((megabytes * MB) / item.length / perChunk) * perChunk;
  const chunk = Buffer.concat(Array.from({ length: perChunk }, () => item));
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{"kind":"PodList","apiVersion":"v1","metadata":{},"items":[');
  let sent = 0;
  const pump = () => {
    while (sent + perChunk <= items) {
      sent += perChunk;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    res.end('{"metadata":{"name":"last"}}]}');
  };
  pump();
}

/** `/watch`: an event every `every` ms until the client leaves; counts open streams. */
function watchStream(res: ServerResponse, every: number): void {
  upstreamState.openStreams++;
  res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
  let n = 0;
  const timer = setInterval(
    () => res.write(JSON.stringify({ type: 'ADDED', object: { kind: 'Pod', metadata: { name: `p${n++}` } } }) + '\n'),
    every,
  );
  res.write(JSON.stringify({ type: 'ADDED', object: { kind: 'Pod', metadata: { name: 'first' } } }) + '\n');
  res.once('close', () => {
    clearInterval(timer);
    upstreamState.openStreams--;
  });
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'https://x');
    upstreamState.seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString(),
    });
    if (!authorized(req)) return status(res, 401, 'Unauthorized', 'Unauthorized');
    const q = (k: string) => Number(url.searchParams.get(k));
    switch (url.pathname) {
      case '/big':
        return bigList(res, q('mb'));
      case '/watch':
        return watchStream(res, q('every') || 100);
      case '/silent':
        return; // never answers
      case '/gap': // a plain GET that pauses mid-body
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"part":1');
        setTimeout(() => res.end(',"part2":2}'), q('ms'));
        return;
      case '/reset':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"items":[');
        setTimeout(() => req.socket.destroy(), 50);
        return;
      case '/gzip':
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-encoding': 'gzip',
          'content-length': String(GZIPPED.length),
        });
        return void res.end(GZIPPED);
      default: {
        const body = JSON.stringify({ ok: true });
        const headers = {
          'content-type': 'application/json',
          'content-length': String(body.length),
          connection: 'keep-alive, x-upstream-hop',
          'x-upstream-hop': 'drop me',
          'audit-id': 'a1',
        };
        res.writeHead(200, headers);
        res.end(body);
      }
    }
  });
}

let upstream: HttpsServer;
let upstreamUrl: string;
let blackhole: TcpServer;
const blackholeSockets = new Set<Socket>();
let proxy: RunningServer;
let registry: ClusterRegistry;
let plugin: ReturnType<typeof execPlugin>;
let blackholeAnswer: Promise<RawResponse>;
let dir: string | undefined;
const EKS = 'arn:aws:eks:eu-west-1:123456789012:cluster/prod';

function listen(server: HttpsServer | TcpServer): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

beforeAll(async () => {
  upstream = createHttpsServer(
    {
      key: pki.server.keyPem,
      cert: pki.server.certPem,
      ca: pki.ca.certPem,
      requestCert: true,
      rejectUnauthorized: false,
    },
    handle,
  );
  upstreamUrl = `https://127.0.0.1:${await listen(upstream)}`;
  // Accepts TCP and never speaks TLS: the connect (handshake) timeout.
  blackhole = createTcpServer((s) => {
    blackholeSockets.add(s);
    s.on('close', () => blackholeSockets.delete(s));
  });
  const blackholePort = await listen(blackhole);
  const closed = createTcpServer();
  const closedPort = await listen(closed);
  await new Promise((r) => closed.close(r));

  dir = tempDir('raw-streaming');
  plugin = execPlugin(dir, 'token-1');
  const cert = { 'client-certificate-data': b64(pki.client.certPem), 'client-key-data': b64(pki.client.keyPem) };
  const specs: ContextSpec[] = [
    { name: 'up-cert', server: upstreamUrl, caPem: pki.ca.certPem, user: cert },
    { name: 'up-token', server: upstreamUrl, caPem: pki.ca.certPem, user: { token: 'token-1' } },
    { name: 'up-exec', server: upstreamUrl, caPem: pki.ca.certPem, user: plugin.user },
    { name: EKS, server: upstreamUrl, caPem: pki.ca.certPem, user: cert },
    { name: 'refused', server: `https://127.0.0.1:${closedPort}`, caPem: pki.ca.certPem, user: cert },
    { name: 'wrong-ca', server: upstreamUrl, caPem: otherPki.ca.certPem, user: cert },
    { name: 'blackhole', server: `https://127.0.0.1:${blackholePort}`, caPem: pki.ca.certPem, user: cert },
    {
      name: 'broken',
      server: upstreamUrl,
      caPem: pki.ca.certPem,
      user: { 'client-certificate': '/nonexistent/kore-board-test/client.crt', 'client-key': '/nonexistent/k.key' },
    },
  ];
  registry = await registryFor(kubeconfigYaml(specs));
  proxy = await startProxy(registry, { headersTimeout: 1_000, bodyTimeout: 400 });
  // undici's connect timeout is 10 s: started now, checked last, so the wait overlaps the other tests.
  blackholeAnswer = send(proxy.port, 'GET', '/raw/clusters/blackhole/api/v1/pods');
});

afterAll(async () => {
  await proxy?.close(100);
  await registry?.close();
  for (const s of blackholeSockets) s.destroy();
  upstream?.closeAllConnections();
  await Promise.all([new Promise((r) => upstream?.close(r)), new Promise((r) => blackhole?.close(r))]);
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const lastSeen = () => upstreamState.seen[upstreamState.seen.length - 1] as Seen;

/** Both ways in: the Node fast path, and the Fetch route (taken by browser requests, which carry Origin). */
const ENTRANCES: [string, Record<string, string>][] = [
  ['fast path', {}],
  ['Fetch route', { origin: UI_ORIGIN }],
];

describe.each(ENTRANCES)('forwarding (%s)', (_entrance, via) => {
  it('sends the path and query byte for byte, and the context credentials instead of the caller headers', async () => {
    const query =
      'labelSelector=app%3Dweb%2Ctier%20in%20(a%2Cb)&x=1&x=2&fieldSelector=metadata.name%3D%25zz&empty=&flag';
    const res = await send(proxy.port, 'GET', `/raw/clusters/up-token/api/v1/namespaces/default/pods?${query}`, {
      headers: {
        ...via,
        authorization: 'Bearer caller-secret',
        cookie: 'session=caller',
        'impersonate-user': 'system:admin',
        'impersonate-group': 'system:masters',
        connection: 'keep-alive, x-caller-hop',
        'x-caller-hop': '1',
        accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
        'x-kept': 'yes',
      },
    });
    expect(res.status).toBe(200);
    const seen = lastSeen();
    expect(seen.url).toBe(`/api/v1/namespaces/default/pods?${query}`);
    expect(seen.headers.authorization).toBe('Bearer token-1');
    expect(seen.headers.cookie).toBeUndefined();
    expect(seen.headers['impersonate-user']).toBeUndefined();
    expect(seen.headers['impersonate-group']).toBeUndefined();
    expect(seen.headers['x-caller-hop']).toBeUndefined();
    expect(seen.headers.accept).toBe('application/json;as=Table;v=v1;g=meta.k8s.io,application/json');
    expect(seen.headers['x-kept']).toBe('yes');
    // Response: hop-by-hop (and Connection-named) headers stripped, the rest passed.
    expect(res.headers['x-upstream-hop']).toBeUndefined();
    expect(res.headers['audit-id']).toBe('a1');
  });

  it('routes an EKS-style context name (":" and "/" encoded in the segment)', async () => {
    const res = await send(proxy.port, 'GET', `/raw/clusters/${encodeURIComponent(EKS)}/api/v1/pods?limit=1`, {
      headers: via,
    });
    expect(res.status).toBe(200);
    expect(lastSeen().url).toBe('/api/v1/pods?limit=1');
    expect(lastSeen().headers.authorization).toBeUndefined(); // a cert context sends no bearer token
  });

  it('streams a chunked request body up and keeps Content-Type', async () => {
    const body = JSON.stringify({ metadata: { labels: { a: 'b' } } });
    const res = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: proxy.port,
          method: 'PATCH',
          path: '/raw/clusters/up-cert/api/v1/namespaces/default/pods/p',
          headers: { ...via, 'content-type': 'application/merge-patch+json' },
        },
        (r) => r.resume().on('end', () => resolve(r.statusCode ?? 0)),
      );
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => req.end(body.slice(10)), 50);
    });
    expect(res).toBe(200);
    expect(lastSeen()).toMatchObject({ method: 'PATCH', body });
    expect(lastSeen().headers['content-type']).toBe('application/merge-patch+json');
  });

  it('passes Content-Encoding through without decompressing', async () => {
    const res = await send(proxy.port, 'GET', '/raw/clusters/up-cert/gzip', {
      headers: { ...via, 'accept-encoding': 'gzip' },
    });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.body.equals(GZIPPED)).toBe(true);
  });

  it('answers HEAD with the headers only', async () => {
    const res = await send(proxy.port, 'HEAD', '/raw/clusters/up-cert/api/v1/pods', { headers: via });
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(0);
    expect(res.headers['content-length']).toBe(String(JSON.stringify({ ok: true }).length));
    expect(lastSeen().method).toBe('HEAD');
  });
});

/** Reads a response through the proxy, discarding it; samples this process's RSS meanwhile. */
function streamAndSample(target: string): Promise<{ bytes: number; maxRss: number }> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    let maxRss = process.memoryUsage.rss();
    const timer = setInterval(() => (maxRss = Math.max(maxRss, process.memoryUsage.rss())), 20);
    const req = httpRequest({ host: '127.0.0.1', port: proxy.port, path: target }, (res) => {
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => {
        clearInterval(timer);
        resolve({ bytes, maxRss });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('streaming', () => {
  it('streams a 200 MB list while RSS stays within 64 MB of where it started', async () => {
    globalThis.gc?.();
    const before = process.memoryUsage.rss();
    const { bytes, maxRss } = await streamAndSample('/raw/clusters/up-cert/big?mb=200');
    expect(bytes).toBeGreaterThan(200 * MB);
    expect(maxRss - before).toBeLessThan(64 * MB);
  });

  for (const [name, headers] of ENTRANCES) {
    it(`closes the upstream watch as soon as the client leaves (${name})`, async () => {
      const before = upstreamState.openStreams;
      await new Promise<void>((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port: proxy.port, path: '/raw/clusters/up-cert/watch?watch=true&every=50', headers },
          (res) => {
            expect(res.statusCode).toBe(200);
            res.once('data', () => {
              expect(upstreamState.openStreams).toBe(before + 1);
              req.destroy();
              resolve();
            });
          },
        );
        req.on('error', (e) => (req.destroyed ? undefined : reject(e)));
        req.end();
      });
      await expect.poll(() => upstreamState.openStreams, { timeout: 2_000, interval: 20 }).toBe(before);
    });
  }

  it('keeps a quiet watch open past the body idle timeout (400 ms here), but cuts a quiet plain GET', async () => {
    const events = await new Promise<string[]>((resolve, reject) => {
      const lines: string[] = [];
      const req = httpRequest(
        { host: '127.0.0.1', port: proxy.port, path: '/raw/clusters/up-cert/watch?watch=1&every=700' },
        (res) => {
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            lines.push(...d.split('\n').filter((l) => l !== ''));
            if (lines.length >= 3) {
              req.destroy();
              resolve(lines);
            }
          });
          res.on('error', () => undefined);
        },
      );
      req.on('error', (e) => (req.destroyed ? undefined : reject(e)));
      req.end();
    });
    expect(
      events.map((l) => (JSON.parse(l) as { object: { metadata: { name: string } } }).object.metadata.name),
    ).toEqual(['first', 'p0', 'p1']);

    const cut = await new Promise<string>((resolve) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: proxy.port, path: '/raw/clusters/up-cert/gap?ms=1500' },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => resolve('clean end'));
          res.on('error', (e) => resolve(`error: ${e.message}`));
        },
      );
      req.on('error', (e) => resolve(`error: ${e.message}`));
      req.end();
    });
    expect(cut).toMatch(/^error/);
  });

  it.each(ENTRANCES)(
    'ends the client stream with an error when the upstream resets mid-body (%s)',
    async (_entrance, via) => {
      const outcome = await new Promise<string>((resolve) => {
        const req = httpRequest(
          { host: '127.0.0.1', port: proxy.port, path: '/raw/clusters/up-cert/reset', headers: via },
          (res) => {
            expect(res.statusCode).toBe(200);
            res.on('data', () => undefined);
            res.on('end', () => resolve('clean end'));
            res.on('error', (e) => resolve(`error: ${e.message}`));
          },
        );
        req.on('error', (e) => resolve(`error: ${e.message}`));
        req.end();
      });
      expect(outcome).toMatch(/^error/);
    },
  );
});

interface StatusBody {
  kind: string;
  code: number;
  reason: string;
  message: string;
}

describe('failures', () => {
  const cases: [string, string, number, string, RegExp][] = [
    ['unknown context', '/raw/clusters/no-such-context/api/v1/pods', 404, 'NotFound', /no-such-context/],
    [
      'context that failed to load',
      '/raw/clusters/broken/api/v1/pods',
      503,
      'ServiceUnavailable',
      /broken.*(client\.crt|nonexistent)/s,
    ],
    [
      'connection refused',
      '/raw/clusters/refused/api/v1/pods',
      502,
      'BadGateway',
      /"refused".*connection refused.*ECONNREFUSED/,
    ],
    ['TLS verification failure', '/raw/clusters/wrong-ca/api/v1/pods', 502, 'BadGateway', /"wrong-ca".*TLS/],
    [
      'no response headers in time',
      '/raw/clusters/up-cert/silent',
      504,
      'Timeout',
      /"up-cert".*timed out waiting for the response headers/,
    ],
  ];
  it.each(cases)('%s: %s → %i %s', async (_name, target, code, reason, message) => {
    const res = await send(proxy.port, 'GET', target);
    expect(res.status).toBe(code);
    const body = res.json() as StatusBody;
    expect(body).toMatchObject({ kind: 'Status', code, reason });
    expect(body.message).toMatch(message);
  });

  it('keeps serving after all of that', async () => {
    expect((await send(proxy.port, 'GET', '/raw/clusters/up-cert/api')).status).toBe(200);
  });
});

describe('path tricks', () => {
  const tricks = [
    '/raw/clusters/up-cert/api/v1/namespaces/default/../../../secrets',
    '/raw/clusters/up-cert/api/v1/namespaces/%2e%2e/secrets',
    '/raw/clusters/up-cert/api/v1/namespaces/.%2E/secrets',
    '/raw/clusters/up-cert/api/v1/namespaces/default%2fsecrets',
    '/raw/clusters/up-cert/api/v1/namespaces/default%2Fsecrets',
    '/raw/clusters/up-cert/api/v1/pods%00',
    '/raw/clusters/up-cert/api/v1/pods%5c..%5csecrets',
    '/raw/clusters/up-cert/api//v1/secrets',
    '/raw/clusters/up-cert/./api/v1/pods',
    '/raw/foo/../clusters/up-cert/api/v1/secrets',
    '/x/../raw/clusters/up-cert/api/v1/secrets',
    `/raw/clusters/up-cert/api/v1/namespaces/${'a'.repeat(9000)}`,
  ];
  const label = (t: string) => (t.length > 120 ? `${t.slice(0, 60)}… (${t.length} bytes)` : t);
  it.each(tricks.map((t) => [label(t), t]))('%s → 400 BadRequest, nothing sent upstream', async (_label, target) => {
    const seenBefore = upstreamState.seen.length;
    for (const headers of [{}, { origin: UI_ORIGIN }] as Record<string, string>[]) {
      const res = await send(proxy.port, 'GET', target, { headers });
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ kind: 'Status', code: 400, reason: 'BadRequest' });
    }
    expect(upstreamState.seen.length).toBe(seenBefore);
  });

  it('refuses a raw backslash or NUL in the target before anything is sent', async () => {
    const seenBefore = upstreamState.seen.length;
    for (const target of [
      '/raw/clusters/up-cert/api/v1/pods\\..\\secrets',
      '/raw/clusters/up-cert/api/v1/pods\u0000',
    ]) {
      const answer = await sendRawBytes(
        proxy.port,
        `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
      );
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    }
    expect(upstreamState.seen.length).toBe(seenBefore);
  });
});

describe('connect timeout', () => {
  it('a cluster that accepts TCP but never completes TLS → 504 Timeout', { timeout: 20_000 }, async () => {
    const res = await blackholeAnswer;
    expect(res.status).toBe(504);
    expect(res.json()).toMatchObject({
      kind: 'Status',
      code: 504,
      reason: 'Timeout',
      message: expect.stringMatching(/"blackhole".*timed out connecting/),
    });
  });
});

describe('401 from the cluster', () => {
  it('exec-plugin context: refreshes once and retries GET and a body-carrying PATCH', async () => {
    expect((await send(proxy.port, 'GET', '/raw/clusters/up-exec/api')).status).toBe(200);
    const runsBefore = plugin.runs();
    // The cluster stops accepting the cached token; the plugin now hands out a new one.
    upstreamState.tokens.delete('token-1');
    upstreamState.tokens.add('token-2');
    plugin.setToken('token-2');
    try {
      const get = await send(proxy.port, 'GET', '/raw/clusters/up-exec/api/v1/pods');
      expect(get.status).toBe(200);
      expect(plugin.runs()).toBe(runsBefore + 1);
      upstreamState.tokens.delete('token-2');
      upstreamState.tokens.add('token-3');
      plugin.setToken('token-3');
      const seenBefore = upstreamState.seen.length;
      const body = JSON.stringify({ metadata: { labels: { retried: 'yes' } } });
      const patch = await send(proxy.port, 'PATCH', '/raw/clusters/up-exec/api/v1/namespaces/default/pods/p', {
        headers: { 'content-type': 'application/merge-patch+json' },
        body,
      });
      expect(patch.status).toBe(200);
      const attempts = upstreamState.seen.slice(seenBefore);
      expect(attempts.map((s) => [s.headers.authorization, s.body])).toEqual([
        ['Bearer token-2', body],
        ['Bearer token-3', body],
      ]);
    } finally {
      upstreamState.tokens.add('token-1');
    }
  });

  it('static-token context: the 401 Status is relayed as is, without a retry', async () => {
    upstreamState.tokens.delete('token-1');
    try {
      const seenBefore = upstreamState.seen.length;
      const res = await send(proxy.port, 'GET', '/raw/clusters/up-token/api/v1/pods');
      expect(res.status).toBe(401);
      expect(res.json()).toMatchObject({ kind: 'Status', code: 401, reason: 'Unauthorized' });
      expect(upstreamState.seen.length).toBe(seenBefore + 1);
    } finally {
      upstreamState.tokens.add('token-1');
    }
  });
});
