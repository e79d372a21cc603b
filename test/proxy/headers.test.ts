/**
 * Which headers cross the /raw proxy, both ways: the pure functions of lib/proxy/headers.ts, then the same
 * rules over real sockets, through every entrance (fast path, Fetch route, upgrade) against a TLS upstream of
 * our own that records what reached it and answers with every header a hostile cluster or pod could send.
 */
import { rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterRegistry } from '../../lib/clusters/types';
import {
  clientResponseHeaders,
  hasRequestBody,
  SANDBOX_HEADERS,
  upgradedResponseHeaders,
  upstreamRequestHeaders,
} from '../../lib/proxy/headers';
import type { RunningServer } from '../../lib/node/server';
import { createPki } from '../../lib/sim/tls';
import {
  kubeconfigYaml,
  registryFor,
  send,
  startProxy,
  tempDir,
  UI_ORIGIN,
  type ContextSpec,
} from '../helpers/raw-stack';

/** Every response header by which an upstream would act on our origin; none may reach the caller. */
const HOSTILE: Readonly<Record<string, string | string[]>> = {
  'set-cookie': ['session=pod; Path=/; HttpOnly', 'other=1'],
  'access-control-allow-origin': 'http://evil.example',
  'access-control-allow-credentials': 'true',
  'access-control-allow-methods': 'GET, POST',
  'access-control-allow-headers': 'authorization',
  'access-control-expose-headers': '*',
  'access-control-max-age': '86400',
  'access-control-allow-private-network': 'true',
  'content-security-policy': "script-src 'unsafe-inline'",
  'content-security-policy-report-only': "default-src 'none'; report-uri https://evil.example/r",
  'x-content-type-options': 'none',
  'clear-site-data': '"*"',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'alt-svc': 'h3="evil.example:443"',
  nel: '{"report_to":"evil","max_age":86400}',
  'report-to': '{"group":"evil","endpoints":[{"url":"https://evil.example/r"}]}',
  'reporting-endpoints': 'evil="https://evil.example/r"',
  'service-worker-allowed': '/',
  'www-authenticate': 'Basic realm="kore-board"',
};

/** What the caller says about itself that must stay with kore-board (mixed case, as a client may write it). */
const CALLER_CLAIMS: Readonly<Record<string, string>> = {
  'X-Remote-User': 'system:admin',
  'X-REMOTE-GROUP': 'system:masters',
  'x-Remote-Extra-Scopes': 'all',
  Forwarded: 'for=10.0.0.1;host=cluster.internal',
  'X-Forwarded-For': '10.0.0.1',
  'X-Forwarded-Host': 'cluster.internal',
  'X-Forwarded-Proto': 'https',
  'X-Real-IP': '10.0.0.1',
};
const CALLER_ONLY_NAME = /^(?:origin|forwarded|x-real-ip|x-remote-.*|x-forwarded-.*)$/;

const DATA = 'sandbox';
const DOCUMENT = "sandbox; default-src 'none'";

describe('upstreamRequestHeaders', () => {
  it('strips hop-by-hop headers, Connection-named headers and the caller credentials', () => {
    const out = upstreamRequestHeaders(
      {
        host: 'localhost:3001',
        connection: 'keep-alive, X-Hop',
        'x-hop': '1',
        'keep-alive': 'timeout=5',
        te: 'trailers',
        trailer: 'x',
        'transfer-encoding': 'chunked',
        upgrade: 'h2c',
        'proxy-authorization': 'Basic eA==',
        'proxy-connection': 'keep-alive',
        authorization: 'Bearer caller',
        cookie: 'session=1',
        'impersonate-user': 'admin',
        'impersonate-group': ['system:masters', 'x'],
        'impersonate-extra-scopes': 'all',
        accept: 'application/json;as=Table;v=v1;g=meta.k8s.io, application/json',
        'accept-encoding': 'gzip',
        'content-type': 'application/merge-patch+json',
        'content-length': '12',
        'user-agent': 'kubectl/v1.32',
        expect: '100-continue',
        'x-undefined': undefined,
      },
      { authorization: 'Bearer context-token', 'impersonate-group': ['a', 'b'] },
    );
    expect(out).toEqual({
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io, application/json',
      'accept-encoding': 'gzip',
      'content-type': 'application/merge-patch+json',
      'content-length': '12',
      'user-agent': 'kubectl/v1.32',
      authorization: 'Bearer context-token',
      'impersonate-group': ['a', 'b'],
    });
  });

  it("keeps the caller's origin and front-proxy claims from the cluster; look-alike names pass", () => {
    const out = upstreamRequestHeaders(
      {
        origin: 'http://localhost:5173',
        forwarded: 'for=10.0.0.1',
        'x-forwarded-for': '10.0.0.1',
        'x-forwarded-host': 'cluster.internal',
        'x-forwarded-proto': 'https',
        'x-real-ip': '10.0.0.1',
        'x-remote-user': 'system:admin',
        'x-remote-group': ['system:masters', 'x'],
        'x-remote-extra-scopes': 'all',
        'x-remote': 'no dash after it: not a front-proxy header',
        'x-forwarded': 'likewise',
        'x-original-origin': 'kept',
        referer: 'http://localhost:5173/pods',
        accept: 'application/json',
      },
      {},
    );
    expect(out).toEqual({
      'x-remote': 'no dash after it: not a front-proxy header',
      'x-forwarded': 'likewise',
      'x-original-origin': 'kept',
      referer: 'http://localhost:5173/pods',
      accept: 'application/json',
    });
  });

  it("applies the context's credentials over anything the caller sent", () => {
    expect(upstreamRequestHeaders({ 'x-remote-user': 'caller' }, { 'X-Remote-User': 'context' })).toEqual({
      'x-remote-user': 'context',
    });
  });
});

describe('clientResponseHeaders', () => {
  it('drops hop-by-hop and origin-acting headers, keeps the rest, and sandboxes the answer', () => {
    expect(
      clientResponseHeaders({
        ...HOSTILE,
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'content-length': '10',
        'audit-id': 'x',
        'cache-control': 'no-cache, private',
        location: '/api/v1/namespaces/default/pods/p',
        connection: 'close, x-internal',
        'x-internal': '1',
        'transfer-encoding': 'chunked',
        'keep-alive': 'timeout=5',
        'proxy-authenticate': 'Basic',
        'x-undefined': undefined,
      }),
    ).toEqual({
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      'content-length': '10',
      'audit-id': 'x',
      'cache-control': 'no-cache, private',
      location: '/api/v1/namespaces/default/pods/p',
      'content-security-policy': DATA,
      'x-content-type-options': 'nosniff',
    });
  });

  it.each([
    ['application/json', DATA],
    ['application/json;stream=watch', DATA],
    ['application/json;as=Table;v=v1;g=meta.k8s.io', DATA],
    ['application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList', DATA],
    ['Application/JSON; charset=utf-8', DATA],
    ['application/yaml', DATA],
    ['application/vnd.kubernetes.protobuf', DATA],
    ['application/vnd.kubernetes.protobuf;stream=watch', DATA],
    ['text/plain; charset=utf-8', DOCUMENT],
    ['text/html', DOCUMENT],
    ['text/html;charset=utf-8', DOCUMENT],
    ['image/svg+xml', DOCUMENT],
    ['application/xhtml+xml', DOCUMENT],
    ['application/jsonp', DOCUMENT],
    ['application/json-seq', DOCUMENT],
    ['text/json', DOCUMENT],
    ['', DOCUMENT],
    [undefined, DOCUMENT],
    [['application/json', 'text/html'], DOCUMENT],
  ])('Content-Type %j gets %s', (contentType, policy) => {
    const out = clientResponseHeaders(contentType === undefined ? {} : { 'content-type': contentType });
    expect(out['content-security-policy']).toBe(policy);
    expect(out['x-content-type-options']).toBe('nosniff');
  });

  it("gives kore-board's own Status answers the data policy", () => {
    expect(SANDBOX_HEADERS).toEqual({ 'content-security-policy': DATA, 'x-content-type-options': 'nosniff' });
  });
});

describe('upgradedResponseHeaders', () => {
  it("keeps the handshake's own headers, drops the origin-acting ones, adds no policy", () => {
    expect(
      upgradedResponseHeaders({
        ...HOSTILE,
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-accept': 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
        'sec-websocket-protocol': 'v5.channel.k8s.io',
        'x-stream-protocol-version': 'portforward.k8s.io',
      }),
    ).toEqual({
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-accept': 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
      'sec-websocket-protocol': 'v5.channel.k8s.io',
      'x-stream-protocol-version': 'portforward.k8s.io',
    });
  });
});

describe('hasRequestBody', () => {
  it('sees a body when HTTP/1.1 framing says there is one', () => {
    expect(hasRequestBody({})).toBe(false);
    expect(hasRequestBody({ 'content-length': '0' })).toBe(false);
    expect(hasRequestBody({ 'content-length': '5' })).toBe(true);
    expect(hasRequestBody({ 'transfer-encoding': 'chunked' })).toBe(true);
  });
});

// Over real sockets.

const pki = createPki();
const seen: IncomingMessage['headers'][] = [];
const upgraded = new Set<Duplex>();
let upstream: HttpsServer;
let registry: ClusterRegistry;
let proxy: RunningServer;
let dir: string | undefined;

function headerLines(headers: Readonly<Record<string, string | string[]>>): string {
  return Object.entries(headers)
    .flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v) => `${name}: ${v}\r\n`))
    .join('');
}

/** `?status=N&type=T`: that status and Content-Type, with every hostile header. */
function answer(req: IncomingMessage, res: ServerResponse): void {
  seen.push(req.headers);
  const query = new URL(req.url ?? '/', 'https://x').searchParams;
  const status = Number(query.get('status') ?? '200');
  const body = status === 204 || status === 304 ? '' : '{"kind":"Status"}';
  res.writeHead(status, {
    ...HOSTILE,
    'content-type': query.get('type') ?? 'application/json',
    'audit-id': 'a1',
    ...(body === '' ? {} : { 'content-length': body.length }),
  });
  res.end(body);
}

/** `.../refuse`: a refused upgrade; anything else: switched, with the hostile headers on the 101. */
function answerUpgrade(req: IncomingMessage, socket: Duplex): void {
  seen.push(req.headers);
  if (req.url?.endsWith('/refuse') === true) {
    const body = '{"kind":"Status","code":403}';
    socket.end(
      `HTTP/1.1 403 Forbidden\r\n${headerLines(HOSTILE)}content-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
    );
    return;
  }
  upgraded.add(socket);
  socket.once('close', () => upgraded.delete(socket));
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n${headerLines(HOSTILE)}\r\n`,
  );
}

beforeAll(async () => {
  upstream = createHttpsServer({ key: pki.server.keyPem, cert: pki.server.certPem }, answer);
  upstream.on('upgrade', answerUpgrade);
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const url = `https://127.0.0.1:${(upstream.address() as { port: number }).port}`;
  const closed = createHttpsServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const closedUrl = `https://127.0.0.1:${(closed.address() as { port: number }).port}`;
  await new Promise((r) => closed.close(r));
  dir = tempDir('raw-headers');
  const specs: ContextSpec[] = [
    { name: 'up', server: url, caPem: pki.ca.certPem, user: { token: 'token-1' } },
    { name: 'refused', server: closedUrl, caPem: pki.ca.certPem, user: { token: 'token-1' } },
  ];
  registry = await registryFor(kubeconfigYaml(specs));
  proxy = await startProxy(registry);
});

afterAll(async () => {
  await proxy?.close(100);
  await registry?.close();
  for (const s of upgraded) s.destroy();
  upstream?.closeAllConnections();
  await new Promise((r) => upstream?.close(r));
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const lastSeen = () => seen[seen.length - 1] ?? {};
/** The answer's headers named like a hostile one (the two that kore-board sets itself aside). */
function hostileNamed(headers: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(headers).filter(
      ([name]) => name in HOSTILE && name !== 'content-security-policy' && name !== 'x-content-type-options',
    ),
  );
}
const actingOnOurOrigin = (headers: Readonly<Record<string, unknown>>) => Object.keys(hostileNamed(headers));

/**
 * Both ways in: the Node fast path, and the Fetch route (taken by browser requests, which carry Origin),
 * where kore-board's own CORS answers a trusted origin.
 */
const ENTRANCES: [string, Record<string, string>, Record<string, string>][] = [
  ['fast path', {}, {}],
  [
    'Fetch route',
    { Origin: UI_ORIGIN },
    { 'access-control-allow-origin': UI_ORIGIN, 'access-control-allow-credentials': 'true' },
  ],
];

describe.each(ENTRANCES)('through the %s', (_entrance, via, ownCors) => {
  it.each([
    [200, 'GET', 'application/json', DATA],
    [200, 'GET', 'application/json;stream=watch', DATA],
    [200, 'GET', 'text/html; charset=utf-8', DOCUMENT],
    [200, 'GET', 'text/plain', DOCUMENT],
    [200, 'HEAD', 'text/html', DOCUMENT],
    [204, 'DELETE', 'text/html', DOCUMENT],
    [304, 'GET', 'text/html', DOCUMENT],
    [401, 'GET', 'text/html', DOCUMENT],
    [404, 'GET', 'application/json', DATA],
    [500, 'GET', 'text/html', DOCUMENT],
  ])(
    'a %i answer to %s (%s) is sandboxed and carries nothing that acts on our origin',
    async (status, method, type, policy) => {
      const res = await send(
        proxy.port,
        method,
        `/raw/clusters/up/api/v1/namespaces/default/services/web/proxy/?status=${status}&type=${encodeURIComponent(type)}`,
        { headers: via },
      );
      expect(res.status).toBe(status);
      expect(res.headers['content-security-policy']).toBe(policy);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(hostileNamed(res.headers)).toEqual(ownCors);
      expect(res.headers['audit-id']).toBe('a1');
    },
  );

  it("keeps the caller's origin and front-proxy claims from the cluster", async () => {
    const res = await send(proxy.port, 'GET', '/raw/clusters/up/api/v1/pods', {
      headers: { ...via, ...CALLER_CLAIMS, 'X-Kept': 'yes' },
    });
    expect(res.status).toBe(200);
    expect(Object.keys(lastSeen()).filter((name) => CALLER_ONLY_NAME.test(name))).toEqual([]);
    expect(lastSeen()['x-kept']).toBe('yes');
  });

  it("sandboxes kore-board's own Status when the cluster cannot be reached", async () => {
    const res = await send(proxy.port, 'GET', '/raw/clusters/refused/api/v1/pods', { headers: via });
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(res.json()).toMatchObject({ kind: 'Status', code: res.status });
    expect(res.headers['content-security-policy']).toBe(DATA);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});

it('the fast path sandboxes its own Status for a target it refuses', async () => {
  const res = await send(proxy.port, 'GET', '/raw/clusters/nowhere/api/v1/pods');
  expect(res.status).toBe(404);
  expect(res.headers['content-security-policy']).toBe(DATA);
  expect(res.headers['x-content-type-options']).toBe('nosniff');
});

/** An upgrade request on a raw socket; resolves with the response head (and closes the connection). */
function upgradeHead(
  path: string,
  extra: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string[]> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(proxy.port, '127.0.0.1', () =>
      socket.write(
        `POST /raw/clusters/up${path} HTTP/1.1\r\nHost: 127.0.0.1:${proxy.port}\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n${headerLines(extra)}\r\n`,
      ),
    );
    let text = '';
    socket.on('error', reject);
    socket.on('data', (d) => {
      text += d.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.destroy();
      const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
      const headers: Record<string, string[]> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        (headers[line.slice(0, colon).toLowerCase()] ??= []).push(line.slice(colon + 1).trim());
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers });
    });
  });
}

describe('through the upgrade passthrough', () => {
  const PORT_FORWARD = '/api/v1/namespaces/default/pods/web/portforward';

  it('relays a refused upgrade sandboxed, without what acts on our origin', async () => {
    const { status, headers } = await upgradeHead(`${PORT_FORWARD}/refuse`);
    expect(status).toBe(403);
    expect(headers['content-security-policy']).toEqual([DATA]);
    expect(headers['x-content-type-options']).toEqual(['nosniff']);
    expect(actingOnOurOrigin(headers)).toEqual([]);
    expect(headers['connection']).toEqual(['close']);
  });

  it('passes a 101 with its handshake headers only, and keeps the caller claims from the cluster', async () => {
    const { status, headers } = await upgradeHead(PORT_FORWARD, CALLER_CLAIMS);
    expect(status).toBe(101);
    expect(headers['upgrade']).toEqual(['SPDY/3.1']);
    expect(headers['x-stream-protocol-version']).toEqual(['portforward.k8s.io']);
    expect(actingOnOurOrigin(headers)).toEqual([]);
    expect(headers['content-security-policy']).toBeUndefined();
    expect(headers['x-content-type-options']).toBeUndefined();
    expect(Object.keys(lastSeen()).filter((name) => CALLER_ONLY_NAME.test(name))).toEqual([]);
    expect(lastSeen()['x-stream-protocol-version']).toBe('portforward.k8s.io');
  });
});
