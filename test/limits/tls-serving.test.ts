/**
 * kore-board over TLS (`--tls-cert`, `--tls-key`): HTTP/1.1 and h2 by ALPN for a plain route and for `/raw` (the
 * fast path and the Fetch route), the real kubectl with `--certificate-authority` (get, watch, exec), the
 * certificate swapped on disk and served to new connections without a restart, a bad new pair refused with the
 * old one kept, and `kore-board healthcheck` against it.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { connect as h2connect, type ClientHttp2Session } from 'node:http2';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterRegistry } from '../../lib/clusters/types';
import { silentLogger } from '../../lib/log';
import { healthcheck } from '../../lib/node/healthcheck';
import { startKoreServer, type KoreServer } from '../../lib/node/kore-server';
import { readTlsPair, TlsFilesError, type TlsPair } from '../../lib/node/tls-files';
import { startSim, type SimCluster } from '../../lib/sim';
import { createPki, type SimPki } from '../../lib/sim/tls';
import { kubectl, kubectlOk, kubectlStream, type KubeconfigDir } from '../helpers/kubectl';
import { b64, kubeconfigYaml, registryFor, UI_ORIGIN } from '../helpers/raw-stack';

/** Over TLS kubectl sends its bearer token (over plain HTTP it would not): the setup a jump host runs. */
const TOKEN = 'kore-tls-test-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };

type Reload = { ok: true; pair: TlsPair } | { ok: false; reason: string };

let sim: SimCluster;
let registry: ClusterRegistry;
let kore: KoreServer;
let dir: string;
let first: SimPki;
let second: SimPki;
const files = { certPath: '', keyPath: '' };
const reloads: Reload[] = [];
let reloaded: ((r: Reload) => void) | undefined;

/** The next reload's outcome, at most `ms` away (the file watch is debounced 200 ms). */
function nextReload(ms = 5_000): Promise<Reload> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no TLS reload within ${ms} ms`)), ms);
    reloaded = (r) => {
      clearTimeout(timer);
      resolve(r);
    };
  });
}

beforeAll(async () => {
  sim = await startSim();
  first = createPki();
  second = createPki();
  dir = mkdtempSync(join(tmpdir(), 'kore-tls-'));
  files.certPath = join(dir, 'tls.crt');
  files.keyPath = join(dir, 'tls.key');
  writeFileSync(files.certPath, first.server.certPem);
  writeFileSync(files.keyPath, first.server.keyPem);
  writeFileSync(join(dir, 'ca-1.pem'), first.ca.certPem);
  writeFileSync(join(dir, 'ca-2.pem'), second.ca.certPem);
  const user = { 'client-certificate-data': b64(sim.client.certPem), 'client-key-data': b64(sim.client.keyPem) };
  registry = await registryFor(kubeconfigYaml([{ name: 'sim', server: sim.url, caPem: sim.caPem, user }]));
  kore = await startKoreServer({
    registry,
    security: { allowedHosts: [], allowOrigins: [UI_ORIGIN], authToken: TOKEN },
    log: silentLogger,
    tls: {
      files,
      pair: await readTlsPair(files),
      onReload: (r) => {
        reloads.push(r);
        reloaded?.(r);
      },
    },
  });
});

afterAll(async () => {
  await kore?.close(100);
  await registry?.close();
  await sim?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const port = () => kore.server.port;

/** A GET over HTTPS/1.1 trusting `ca`: status, body, the protocol ALPN chose. */
function https1(path: string, ca: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string; alpn: string | false | null }>((resolve, reject) => {
    // Offered explicitly, so the answer proves the server negotiates it (Node's client offers no ALPN by default).
    const options: RequestOptions & ConnectionOptions = {
      host: '127.0.0.1',
      port: port(),
      path,
      ca,
      headers,
      agent: false,
      ALPNProtocols: ['http/1.1'],
    };
    const req = httpsRequest(options, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body,
          alpn: (res.socket as { alpnProtocol?: string | false }).alpnProtocol ?? null,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

function h2get(session: ClientHttp2Session, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const stream = session.request({ ':path': path, ...headers });
    let status = 0;
    let body = '';
    stream.on('response', (h) => (status = Number(h[':status'])));
    stream.on('data', (d: Buffer) => (body += d.toString()));
    stream.on('end', () => resolve({ status, body }));
    stream.on('error', reject);
  });
}

/** The certificate a new connection is served. */
function servedCertificate(ca: string): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port: port(), ca, servername: 'localhost' }, () => {
      const raw = socket.getPeerX509Certificate();
      socket.destroy();
      if (raw === undefined) reject(new Error('no certificate'));
      else resolve(raw);
    });
    socket.on('error', reject);
  });
}

describe('HTTPS', () => {
  it('prints and serves an https:// URL; HTTP/1.1 by ALPN answers a plain route and /raw', async () => {
    expect(kore.server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const health = await https1('/healthz', first.ca.certPem);
    expect(health).toMatchObject({ status: 200, alpn: 'http/1.1' });
    const pods = await https1('/raw/clusters/sim/api/v1/namespaces/default/pods', first.ca.certPem, AUTH);
    expect(pods.status).toBe(200);
    expect(JSON.parse(pods.body)).toMatchObject({ kind: 'PodList' });
  });

  it('h2 by ALPN: a plain route, /raw through the fast path and through the Fetch route', async () => {
    const session = h2connect(kore.server.url, { ca: first.ca.certPem });
    try {
      const contexts = await h2get(session, '/api/clusters', AUTH);
      expect(session.alpnProtocol).toBe('h2');
      expect(contexts.status).toBe(200);
      expect(contexts.body).toContain('"sim"');
      const fast = await h2get(session, '/raw/clusters/sim/api/v1/namespaces/default/pods', AUTH);
      expect(fast.status).toBe(200);
      expect(JSON.parse(fast.body)).toMatchObject({ kind: 'PodList' });
      const viaApp = await h2get(session, '/raw/clusters/sim/api/v1/namespaces', { ...AUTH, origin: UI_ORIGIN });
      expect(viaApp.status).toBe(200);
      expect(JSON.parse(viaApp.body)).toMatchObject({ kind: 'NamespaceList' });
      // Refusals are Statuses over h2 too.
      const missing = await h2get(session, '/raw/clusters/no-such/api', AUTH);
      expect(JSON.parse(missing.body)).toMatchObject({ kind: 'Status', code: 404 });
    } finally {
      session.close();
    }
  });

  it('kore-board healthcheck answers 0 against it (loopback: the certificate is not checked)', async () => {
    expect(await healthcheck(`${kore.server.url}/healthz`)).toBe(0);
  });
});

describe('the real kubectl with --certificate-authority', () => {
  /** kubectl's kubeconfig for kore-board itself: its https URL, the CA that signed its certificate, the access token. */
  const config = (): KubeconfigDir => {
    const path = join(dir, 'kubectl.yaml');
    writeFileSync(
      path,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'kore',
            cluster: { server: `${kore.server.url}/raw/clusters/sim`, 'certificate-authority': join(dir, 'ca-1.pem') },
          },
        ],
        users: [{ name: 'kore', user: { token: TOKEN } }],
        contexts: [{ name: 'kore', context: { cluster: 'kore', user: 'kore', namespace: 'default' } }],
        'current-context': 'kore',
      }),
    );
    return { path, dir, remove: () => Promise.resolve() };
  };

  it('get', async () => {
    expect(await kubectlOk(config(), ['get', 'pods', '-o', 'name'])).toContain('pod/busybox');
  });

  it('watch: sees a change made while it watches', async () => {
    const watch = kubectlStream(config(), ['get', 'pods', '--watch', '-o', 'name']);
    try {
      // The list comes first; a pod made after it can only arrive as a watch event.
      await watch.waitFor((out) => out.includes('pod/busybox'));
      sim.store.create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'made-during-watch', namespace: 'default' },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
      });
      await watch.waitFor((out) => out.includes('pod/made-during-watch'));
    } finally {
      await watch.stop();
    }
  });

  it('exec (an upgrade, HTTP/1.1 over TLS)', async () => {
    const r = await kubectl(config(), ['exec', 'busybox', '--', 'echo', 'hi']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('hi');
  });
});

describe('certificate reload', () => {
  it('a new pair on disk is served to new connections, without a restart', async () => {
    const before = await servedCertificate(first.ca.certPem);
    expect(before.checkIssued(new X509Certificate(first.ca.certPem))).toBe(true);
    const next = nextReload();
    writeFileSync(files.keyPath, second.server.keyPem);
    writeFileSync(files.certPath, second.server.certPem);
    const outcome = await next;
    expect(outcome.ok).toBe(true);
    const after = await servedCertificate(second.ca.certPem);
    expect(after.checkIssued(new X509Certificate(second.ca.certPem))).toBe(true);
    expect(after.fingerprint256).not.toBe(before.fingerprint256);
    expect((await https1('/healthz', second.ca.certPem)).status).toBe(200);
  });

  it('a bad pair (key of another certificate) is refused and the previous one kept', async () => {
    const next = nextReload();
    writeFileSync(files.keyPath, first.server.keyPem);
    const outcome = await next;
    expect(outcome).toMatchObject({ ok: false, reason: expect.stringMatching(/not a private key for --tls-cert/) });
    const served = await servedCertificate(second.ca.certPem);
    expect(served.checkIssued(new X509Certificate(second.ca.certPem))).toBe(true);
    // Put right again, for the tests after.
    const fixed = nextReload();
    writeFileSync(files.keyPath, second.server.keyPem);
    expect((await fixed).ok).toBe(true);
  });
});

describe('a pair that cannot serve stops the start, with the reason', () => {
  it.each([
    ['a missing key', { cert: 'tls.crt', key: 'absent.key' }, /--tls-key .*absent\.key: cannot read it/],
    [
      'a certificate that is not PEM',
      { cert: 'garbage.crt', key: 'tls.key' },
      /--tls-cert .*garbage\.crt: not a PEM certificate/,
    ],
    ['a key of another certificate', { cert: 'other.crt', key: 'tls.key' }, /not a private key for --tls-cert/],
  ])('%s', async (_name, names, message) => {
    writeFileSync(join(dir, 'garbage.crt'), 'not a certificate');
    writeFileSync(join(dir, 'other.crt'), first.server.certPem);
    const attempt = readTlsPair({ certPath: join(dir, names.cert), keyPath: join(dir, names.key) });
    await expect(attempt).rejects.toThrow(TlsFilesError);
    await expect(attempt).rejects.toThrow(message);
  });
});
