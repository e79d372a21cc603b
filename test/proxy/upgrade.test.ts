/**
 * Upgrade passthrough (exec / attach / port-forward) against a TLS upstream of our own that records
 * every request and upgraded socket: subprotocols intact, both sides closed together, and a refused
 * upgrade relayed and closed, never tunnelled (CVE-2018-1002105).
 */
import { rmSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import type { ClusterRegistry } from '../../lib/clusters/types';
import type { RunningServer } from '../../lib/node/server';
import { createPki } from '../../lib/sim/tls';
import { execPlugin, kubeconfigYaml, registryFor, startProxy, tempDir, type ContextSpec } from '../helpers/raw-stack';

const pki = createPki();
const tokens = new Set(['token-1']);
const seen: { method: string; url: string; headers: IncomingMessage['headers'] }[] = [];
const openUpstream = new Set<Duplex>();
let upstream: HttpsServer;
let wss: WebSocketServer;
let registry: ClusterRegistry;
let proxy: RunningServer;
let plugin: ReturnType<typeof execPlugin>;
let dir: string | undefined;

function refuse(socket: Duplex, code: number, reason: string, extraHeaders = ''): void {
  const body = JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `${reason} by the cluster`,
    reason,
    code,
  });
  // keep-alive on purpose: the proxy must close anyway.
  socket.end(
    `HTTP/1.1 ${code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\n${extraHeaders}\r\n${body}`,
  );
}

function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
  seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
  const auth = req.headers.authorization ?? '';
  if (!(auth.startsWith('Bearer ') && tokens.has(auth.slice(7)))) return refuse(socket, 401, 'Unauthorized');
  const path = new URL(req.url ?? '/', 'https://x').pathname;
  if (path.endsWith('/forbidden/exec')) return refuse(socket, 403, 'Forbidden');
  openUpstream.add(socket);
  socket.once('close', () => openUpstream.delete(socket));
  if (req.headers.upgrade?.toLowerCase() === 'spdy/3.1') {
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n',
    );
    socket.pipe(socket); // echo
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.on('message', (data, binary) => ws.send(data, { binary }));
  });
}

beforeAll(async () => {
  upstream = createHttpsServer({ key: pki.server.keyPem, cert: pki.server.certPem });
  // The server picks the first offered subprotocol it knows, as the kubelet does.
  wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => [...offered].find((p) => p.startsWith('v5.') || p.startsWith('v4.')) ?? false,
  });
  upstream.on('upgrade', onUpgrade);
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const url = `https://127.0.0.1:${(upstream.address() as { port: number }).port}`;
  dir = tempDir('raw-upgrade');
  plugin = execPlugin(dir, 'token-1');
  const specs: ContextSpec[] = [
    { name: 'up-token', server: url, caPem: pki.ca.certPem, user: { token: 'token-1' } },
    { name: 'up-exec', server: url, caPem: pki.ca.certPem, user: plugin.user },
  ];
  registry = await registryFor(kubeconfigYaml(specs));
  proxy = await startProxy(registry);
});

afterAll(async () => {
  await proxy?.close(100);
  await registry?.close();
  for (const s of openUpstream) s.destroy();
  await new Promise((r) => upstream?.close(r));
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const EXEC = '/api/v1/namespaces/default/pods/busybox/exec?command=sh&stdin=true&stdout=true&tty=false';

function openWebSocket(
  context: string,
  path: string,
  protocols: string[],
  headers: Record<string, string> = {},
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/raw/clusters/${context}${path}`, protocols, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`unexpected ${res.statusCode}`)));
  });
}

/** Writes raw bytes and collects everything until the proxy closes the connection. */
function exchange(bytes: string): Promise<{ text: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = connect(proxy.port, '127.0.0.1', () => socket.write(bytes));
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve({ text, socket }));
  });
}

const upgradeRequest = (context: string, path: string, extra = '') =>
  `GET /raw/clusters/${context}${path} HTTP/1.1\r\nHost: 127.0.0.1:${proxy.port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n${extra}\r\n`;

describe('upgrade passthrough', () => {
  // Each test starts with no upgraded connection left from the one before.
  beforeEach(() => expect.poll(() => openUpstream.size, { timeout: 2_000 }).toBe(0));

  it('negotiates the subprotocol end to end and carries frames both ways, with the context credentials', async () => {
    const ws = await openWebSocket('up-token', EXEC, ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io'], {
      authorization: 'Bearer caller',
    });
    expect(ws.protocol).toBe('v5.channel.k8s.io');
    const last = seen[seen.length - 1]!;
    expect(last.url).toBe(EXEC);
    // The offer arrives exactly as the client wrote it (the ws client joins with ",").
    expect(last.headers['sec-websocket-protocol']).toBe('v5.channel.k8s.io,v4.channel.k8s.io,channel.k8s.io');
    expect(last.headers.authorization).toBe('Bearer token-1');
    const echoed = new Promise<Buffer>((r) => ws.once('message', (d) => r(d as Buffer)));
    ws.send(Buffer.from([0, ...Buffer.from('echo hi\n')]));
    expect([...(await echoed)]).toEqual([0, ...Buffer.from('echo hi\n')]);
    ws.close();
  });

  it('closes the upstream socket when the client goes away', async () => {
    const ws = await openWebSocket('up-token', EXEC, ['v4.channel.k8s.io']);
    expect(ws.protocol).toBe('v4.channel.k8s.io');
    await expect.poll(() => openUpstream.size).toBe(1);
    ws.terminate(); // no close frame: the TCP connection just drops
    await expect.poll(() => openUpstream.size, { timeout: 2_000 }).toBe(0);
  });

  it('closes the client socket when the cluster side goes away', async () => {
    const ws = await openWebSocket('up-token', EXEC, ['v5.channel.k8s.io']);
    const closed = new Promise<void>((r) => ws.once('close', () => r()));
    await expect.poll(() => openUpstream.size).toBe(1);
    for (const s of openUpstream) s.destroy();
    await closed;
  });

  it('passes a SPDY/3.1 upgrade (POST) through as well', async () => {
    const { text } = await new Promise<{ text: string; socket: Socket }>((resolve, reject) => {
      const socket = connect(proxy.port, '127.0.0.1', () =>
        socket.write(
          `POST /raw/clusters/up-token/api/v1/namespaces/default/pods/busybox/portforward HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\nContent-Length: 0\r\n\r\n`,
        ),
      );
      let text = '';
      socket.on('data', (d) => {
        text += d.toString();
        if (text.includes('\r\n\r\n') && !text.includes('ping')) socket.write('ping');
        if (text.endsWith('ping')) {
          socket.destroy();
          resolve({ text, socket });
        }
      });
      socket.on('error', reject);
    });
    expect(text).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    expect(text.toLowerCase()).toContain('upgrade: spdy/3.1');
    expect(text.toLowerCase()).toContain('x-stream-protocol-version: portforward.k8s.io');
    expect(seen[seen.length - 1]).toMatchObject({ method: 'POST' });
  });
});

describe('a refused upgrade (CVE-2018-1002105)', () => {
  it('is relayed with its Status and the connection is closed; bytes sent after it never reach the cluster', async () => {
    const before = seen.length;
    // The upgrade and, right behind it on the same connection, a request the cluster must never see.
    const smuggled = `GET /api/v1/namespaces/kube-system/secrets HTTP/1.1\r\nHost: x\r\n\r\n`;
    const { text } = await exchange(
      upgradeRequest('up-token', '/api/v1/namespaces/forbidden/pods/forbidden/exec') + smuggled,
    );
    expect(text).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(text.toLowerCase()).toContain('connection: close');
    const body = text.slice(text.indexOf('\r\n\r\n') + 4);
    expect(JSON.parse(body)).toMatchObject({ kind: 'Status', code: 403, reason: 'Forbidden' });
    // Exactly one response on the client side, and one request on the cluster side.
    expect(text.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(seen.slice(before).map((s) => s.url)).toEqual(['/api/v1/namespaces/forbidden/pods/forbidden/exec']);
  });

  it.each([
    { name: 'unknown context', context: 'nope', path: EXEC, code: 404, reason: 'NotFound' },
    {
      name: 'path trick',
      context: 'up-token',
      path: '/api/v1/namespaces/default/pods/%2e%2e/exec',
      code: 400,
      reason: 'BadRequest',
    },
  ])('$name → $code $reason, nothing sent upstream', async ({ context, path, code, reason }) => {
    const before = seen.length;
    const { text } = await exchange(upgradeRequest(context, path));
    expect(text).toMatch(new RegExp(`^HTTP/1\\.1 ${code} `));
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toMatchObject({ kind: 'Status', code, reason });
    expect(seen.length).toBe(before);
  });
});

describe('401 on an upgrade', () => {
  it('exec-plugin context: refreshes the credential once and upgrades with the new one', async () => {
    (await openWebSocket('up-exec', EXEC, ['v5.channel.k8s.io'])).close(); // the plugin's token-1 is now cached
    tokens.delete('token-1');
    tokens.add('token-2');
    plugin.setToken('token-2');
    try {
      const before = seen.length;
      const ws = await openWebSocket('up-exec', EXEC, ['v5.channel.k8s.io']);
      expect(ws.protocol).toBe('v5.channel.k8s.io');
      expect(seen.slice(before).map((s) => s.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
      ws.close();
    } finally {
      tokens.add('token-1');
    }
  });

  it('static-token context: the 401 is relayed and the connection closed', async () => {
    tokens.delete('token-1');
    try {
      const { text } = await exchange(upgradeRequest('up-token', EXEC));
      expect(text).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n/);
      expect(text.toLowerCase()).toContain('connection: close');
    } finally {
      tokens.add('token-1');
    }
  });
});
