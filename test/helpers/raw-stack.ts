/**
 * Shared by the test/proxy suites: the server as the Node entry assembles it (fast path, upgrade route, Fetch
 * app behind them), kubeconfigs for the three kinds of credentials, and an HTTP
 * client that sends a request target exactly as written (no URL normalization on the way out).
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { systemClock } from '../../lib/clock';
import { createRegistry } from '../../lib/node/registry';
import type { ClusterRegistry } from '../../lib/clusters/types';
import { silentLogger } from '../../lib/log';
import { startKoreServer } from '../../lib/node/kore-server';
import type { RunningServer } from '../../lib/node/server';
import type { ForwardOptions } from '../../lib/proxy/forward';
import { b64 } from './b64';

export { b64 };

export type UserKind = 'cert' | 'token' | 'exec';

export interface ClusterAccess {
  url: string;
  caPem: string;
  client: { certPem: string; keyPem: string };
  token: string;
}

export interface ContextSpec {
  name: string;
  server: string;
  caPem: string;
  user: Record<string, unknown>;
}

/** A kubeconfig (YAML) with one cluster, one user and one context per spec. */
export function kubeconfigYaml(specs: readonly ContextSpec[]): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: specs.map((s, i) => ({
      name: `cluster-${i}`,
      cluster: { server: s.server, 'certificate-authority-data': b64(s.caPem) },
    })),
    users: specs.map((s, i) => ({ name: `user-${i}`, user: s.user })),
    contexts: specs.map((s, i) => ({
      name: s.name,
      context: { cluster: `cluster-${i}`, user: `user-${i}`, namespace: 'default' },
    })),
    'current-context': specs[0]?.name,
  });
}

/**
 * An exec credential plugin (a node script) that prints the token currently in `tokenFile` and counts
 * its runs in `runsFile`; tests rotate the token by rewriting the file.
 */
export function execPlugin(
  dir: string,
  token: string,
): { user: Record<string, unknown>; setToken(t: string): void; runs(): number } {
  const tokenFile = join(dir, 'exec-token');
  const runsFile = join(dir, 'exec-runs');
  const script = join(dir, 'exec-plugin.mjs');
  writeFileSync(tokenFile, token);
  writeFileSync(runsFile, '');
  writeFileSync(
    script,
    `import { appendFileSync, readFileSync } from 'node:fs';
appendFileSync(${JSON.stringify(runsFile)}, 'x');
const token = readFileSync(${JSON.stringify(tokenFile)}, 'utf8').trim();
process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token } }));
`,
  );
  chmodSync(script, 0o755);
  return {
    user: {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: process.execPath,
        args: [script],
        interactiveMode: 'Never',
      },
    },
    setToken: (t) => writeFileSync(tokenFile, t),
    runs: () => readFileSync(runsFile, 'utf8').length,
  };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `kore-${prefix}-`));
}

/** Contexts for one cluster, one per kind of credential: `<prefix>-cert`, `<prefix>-token`, `<prefix>-exec`. */
export function contextsFor(cluster: ClusterAccess, dir: string, prefix: string, execToken: string) {
  const plugin = execPlugin(dir, execToken);
  const specs: ContextSpec[] = [
    {
      name: `${prefix}-cert`,
      server: cluster.url,
      caPem: cluster.caPem,
      user: { 'client-certificate-data': b64(cluster.client.certPem), 'client-key-data': b64(cluster.client.keyPem) },
    },
    { name: `${prefix}-token`, server: cluster.url, caPem: cluster.caPem, user: { token: cluster.token } },
    { name: `${prefix}-exec`, server: cluster.url, caPem: cluster.caPem, user: plugin.user },
  ];
  return { specs, plugin };
}

export async function registryFor(yaml: string): Promise<ClusterRegistry> {
  return createRegistry({
    kubeconfigPaths: [],
    inlineSources: [{ name: 'test', yaml }],
    inCluster: false,
    watch: false,
    clock: systemClock,
    log: silentLogger,
  });
}

/** A web UI's dev server: the browser whose requests (they carry Origin) the Fetch route serves. */
export const UI_ORIGIN = 'http://localhost:5173';

/** The server as the entry assembles it (startKoreServer), in front of `registry`; closing it leaves the registry open. */
export async function startProxy(registry: ClusterRegistry, forward?: ForwardOptions): Promise<RunningServer> {
  const kore = await startKoreServer({
    registry,
    security: { allowedHosts: [], allowOrigins: [UI_ORIGIN], authToken: undefined },
    log: silentLogger,
    forward,
  });
  return { ...kore.server, close: kore.close };
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json: () => unknown;
}

/** An HTTP request whose target is sent exactly as given. */
export function send(
  port: number,
  method: string,
  target: string,
  options: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method, path: target, headers: { host: `127.0.0.1:${port}`, ...options.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const text = body.toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, json: () => JSON.parse(text) });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Raw bytes on a socket, for request targets Node's client refuses to send (NUL, backslash). */
export function sendRawBytes(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes, 'latin1'));
    let out = '';
    socket.on('data', (d) => (out += d.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve(out));
  });
}
