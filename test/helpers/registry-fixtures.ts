/**
 * Shared pieces of the registry suites: temp kubeconfig files, exec plugins written as small node
 * scripts, a controllable clock, and a tiny HTTPS "cluster" that reports what it received (which
 * user it authenticated, impersonation headers, HTTP version) so the suites can check the wire.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { request } from 'undici';
import { stringify } from 'yaml';
import type { ClusterConnection } from '../../lib/clusters/types';
import { createPki, type Pem, type SimPki } from '../../lib/sim/tls';
import { b64 } from './b64';

export { b64 };

export interface TempDir {
  dir: string;
  path(...parts: string[]): string;
  write(name: string, content: string): string;
  cleanup(): void;
}

export function tempDir(): TempDir {
  const dir = mkdtempSync(join(tmpdir(), 'kore-registry-'));
  return {
    dir,
    path: (...parts) => join(dir, ...parts),
    write(name, content) {
      const file = join(dir, name);
      writeFileSync(file, content);
      return file;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A kubeconfig document from lists of named entries given as objects keyed by name. */
export function kubeconfigYaml(doc: {
  clusters?: Record<string, unknown>;
  users?: Record<string, unknown>;
  contexts?: Record<string, unknown>;
  current?: string;
}): string {
  const list = (key: string, entries: Record<string, unknown> | undefined) =>
    Object.entries(entries ?? {}).map(([name, body]) => ({ name, [key]: body }));
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: list('cluster', doc.clusters),
    users: list('user', doc.users),
    contexts: list('context', doc.contexts),
    ...(doc.current === undefined ? {} : { 'current-context': doc.current }),
  };
  return stringify(config, { version: '1.1' });
}

/** Writes an executable node script; `body` is CommonJS and may use `fs`, `env` and `reply(status)`. */
export function writePlugin(dir: TempDir, name: string, body: string): string {
  const file = dir.write(
    name,
    `#!${process.execPath}
const fs = require('node:fs');
const env = process.env;
const info = JSON.parse(env.KUBERNETES_EXEC_INFO || '{}');
if (env.RUNS_FILE) fs.appendFileSync(env.RUNS_FILE, 'run\\n');
const reply = (status) => process.stdout.write(JSON.stringify({ kind: 'ExecCredential', apiVersion: info.apiVersion, status }));
${body}
`,
  );
  chmodSync(file, 0o755);
  return file;
}

export interface FakeClock {
  now(): number;
  advance(ms: number): void;
}

export function fakeClock(start = Date.parse('2030-01-01T00:00:00Z')): FakeClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Seen {
  path: string;
  /** Who the server authenticated: `token:<t>`, `cert:<CN>`, `basic:<user>`. */
  user: string;
  httpVersion: string;
  impersonate: Record<string, string | string[]>;
}

export interface TestCluster {
  url: string;
  caPem: string;
  client: Pem;
  pki: SimPki;
  tokens: Set<string>;
  basic: Map<string, string>;
  seen: Seen[];
  close(): Promise<void>;
}

/**
 * An HTTPS server (HTTP/2 offered, HTTP/1.1 allowed) that authenticates like an API server: a bearer
 * token from `tokens`, a client certificate signed by the CA, or basic auth from `basic`; else 401.
 * `/slow?ms=N` answers after N ms. Every answer echoes what was seen.
 */
export async function startTestCluster(pki: SimPki = createPki()): Promise<TestCluster> {
  const tokens = new Set<string>();
  const basic = new Map<string, string>();
  const seen: Seen[] = [];
  const authenticate = (req: Http2ServerRequest): string | undefined => {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) return tokens.has(auth.slice(7)) ? `token:${auth.slice(7)}` : undefined;
    if (auth?.startsWith('Basic ')) {
      const [user, password] = Buffer.from(auth.slice(6), 'base64').toString().split(':');
      return user !== undefined && basic.get(user) === password ? `basic:${user}` : undefined;
    }
    const socket = req.socket as unknown as TLSSocket;
    if (socket.authorized) return `cert:${String(socket.getPeerCertificate().subject.CN)}`;
    return undefined;
  };
  const server = createSecureServer(
    {
      allowHTTP1: true,
      key: pki.server.keyPem,
      cert: pki.server.certPem,
      ca: pki.ca.certPem,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req: Http2ServerRequest, res: Http2ServerResponse) => {
      const url = new URL(req.url, 'https://x');
      const user = authenticate(req);
      const json = (code: number, body: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (user === undefined)
        return json(401, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Unauthorized', code: 401 });
      // rawHeaders keeps repeated lines apart (Kubernetes reads each Impersonate-Group line as one group).
      const impersonate: Record<string, string | string[]> = {};
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i]!.toLowerCase();
        const value = req.rawHeaders[i + 1]!;
        if (!name.startsWith('impersonate-')) continue;
        const prior = impersonate[name];
        impersonate[name] = prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
      }
      const entry: Seen = { path: url.pathname, user, httpVersion: req.httpVersion, impersonate };
      seen.push(entry);
      const delay = Number(url.searchParams.get('ms') ?? 0);
      setTimeout(() => json(200, entry), url.pathname === '/slow' ? delay : 0);
    },
  );
  const sockets = new Set<TLSSocket>();
  server.on('secureConnection', (socket: TLSSocket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    caPem: pki.ca.certPem,
    client: pki.client,
    pki,
    tokens,
    basic,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Pooled keep-alive connections (and HTTP/2 sessions) would hold the server open.
        for (const socket of sockets) socket.destroy();
      }),
  };
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** One GET the way kore-board's clients do it: credentials, the pooled dispatcher, one retry after a refreshed 401. */
export async function get(conn: ClusterConnection, path = '/api/v1/namespaces'): Promise<Answer> {
  const send = async (credentials: Awaited<ReturnType<ClusterConnection['credentials']>>) => {
    const res = await request(
      new URL(path.replace(/^\//, ''), conn.server.href.endsWith('/') ? conn.server : `${conn.server.href}/`),
      {
        dispatcher: conn.dispatcher,
        headers: { accept: 'application/json', ...credentials },
      },
    );
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
  };
  const credentials = await conn.credentials();
  const first = await send(credentials);
  if (first.status !== 401 || !(await conn.refreshCredentials(credentials))) return first;
  return send(await conn.credentials());
}
