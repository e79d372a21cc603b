/**
 * `--ui-dir`: a built single-page app served at `/` by the real kore-board process (lib/node/ui-files.ts behind
 * the CLI flag), with the access token on (the default): the UI's files need none, the API still does.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runToExit, startProcess, type StartedProcess } from '../helpers/process';

const NODE = process.execPath;
const TS = ['--import', 'tsx', join(process.cwd(), 'lib/node/main.ts')];
const home = mkdtempSync(join(tmpdir(), 'kore-home-'));
const env = { ...process.env, HOME: home, KUBECONFIG: '', KORE_LOG_LEVEL: 'warn' };

const SECRET = 'OUTSIDE-THE-UI-FOLDER-7f3a';
const INDEX = '<!doctype html><html><head><script type="module" src="/_nuxt/entry.B4X2kLq9.js"></script></head></html>';
const ABOUT = '<!doctype html><title>about</title>';
const ENTRY = 'console.log("kore board ui entry");\n'.repeat(64); // > 1 KB: worth compressing
const CSS = 'body { margin: 0 }\n';

/** The built app: index.html, a content-hashed entry, a stylesheet, a pre-rendered route, and links that lead out. */
function builtApp(): string {
  const root = mkdtempSync(join(tmpdir(), 'kore-ui-'));
  const app = join(root, 'app');
  mkdirSync(join(app, '_nuxt'), { recursive: true });
  mkdirSync(join(app, 'about'));
  mkdirSync(join(root, 'outside'));
  writeFileSync(join(root, 'outside', 'secret.txt'), SECRET);
  writeFileSync(join(root, 'outside', 'index.html'), SECRET);
  writeFileSync(join(app, 'index.html'), INDEX);
  writeFileSync(join(app, 'about', 'index.html'), ABOUT);
  writeFileSync(join(app, '_nuxt', 'entry.B4X2kLq9.js'), ENTRY);
  writeFileSync(join(app, '_nuxt', 'style.css'), CSS);
  symlinkSync(join(root, 'outside', 'secret.txt'), join(app, 'leak.txt'));
  symlinkSync(join(root, 'outside'), join(app, 'out'));
  return app;
}

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request with the path sent exactly as written (fetch would resolve `..` and `%2e%2e` first) and no decoding. */
function raw(base: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

function expectStatus(res: Raw, code: number, what: string): void {
  expect(res.status, what).toBe(code);
  expect(res.headers['content-type'], what).toMatch(/^application\/json/);
  expect(JSON.parse(res.body.toString()), what).toMatchObject({ kind: 'Status', code });
}

let appDir: string;
let kore: StartedProcess;
let auth: Record<string, string>;

beforeAll(async () => {
  appDir = builtApp();
  // With an access token: the UI's files must load before sign-in, while the API stays guarded.
  kore = await startProcess(NODE, [...TS, '--demo', '--listen', '127.0.0.1:0', '--auth', 'token', '--ui-dir', appDir], {
    env,
  });
  auth = kore.auth;
  expect(kore.token).toBeDefined();
}, 30_000);
afterAll(async () => {
  if (kore?.child.exitCode === null) await kore.stop('SIGKILL');
});

describe('--ui-dir through the CLI', () => {
  it('serves each file with its type; only the content-hashed one is cached for a year', async () => {
    const cases: Array<[string, RegExp, string, string]> = [
      ['/', /^text\/html/, 'no-cache', INDEX],
      ['/index.html', /^text\/html/, 'no-cache', INDEX],
      ['/_nuxt/entry.B4X2kLq9.js', /^(text|application)\/javascript/, 'public, max-age=31536000, immutable', ENTRY],
      ['/_nuxt/style.css', /^text\/css/, 'no-cache', CSS],
      ['/about/', /^text\/html/, 'no-cache', ABOUT],
    ];
    for (const [path, type, cache, body] of cases) {
      const res = await raw(kore.url, path);
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type'], path).toMatch(type);
      expect(res.headers['cache-control'], path).toBe(cache);
      expect(res.headers['x-content-type-options'], path).toBe('nosniff');
      expect(res.headers['x-frame-options'], path).toBe('DENY');
      expect(res.body.toString(), path).toBe(body);
    }
  });

  it('answers a client-side route with index.html, and a missing asset with a 404 Status', async () => {
    for (const path of ['/contexts/x/pods', '/login', '/contexts/kubernetes-admin%40kubernetes/dashboard']) {
      const res = await raw(kore.url, path);
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type'], path).toMatch(/^text\/html/);
      expect(res.body.toString(), path).toBe(INDEX);
    }
    expectStatus(await raw(kore.url, '/_nuxt/gone.js'), 404, '/_nuxt/gone.js');
  });

  it("keeps the API's paths: Status 404s with the token, Status 401s without, never the UI's HTML", async () => {
    for (const path of ['/api/nope', '/raw/nope', '/api/clusters/x/nope', '/API/nope', '//api/clusters']) {
      expectStatus(await raw(kore.url, path, auth), 404, `${path} with the token`);
      expectStatus(await raw(kore.url, path), 401, `${path} without`);
    }
    expect((await raw(kore.url, '/api/clusters', auth)).status).toBe(200);
    expectStatus(await raw(kore.url, '/api/clusters'), 401, '/api/clusters without the token');
    expectStatus(await raw(kore.url, '/_nuxt/entry.B4X2kLq9.js', {}, 'POST'), 401, 'POST of a UI path');
  });

  it('lets the sign-in page and its calls load before sign-in, and the login link land on the UI', async () => {
    const how = await fetch(`${kore.url}/api/auth/login`);
    expect(await how.json()).toEqual({ strategy: 'local', schema: 'token', provider: '' });
    expect((await fetch(`${kore.url}/healthy`)).status).toBe(200);
    const link = await fetch(`${kore.url}/?token=${kore.token}`, { redirect: 'manual' });
    expect(link.status).toBe(303);
    expect(link.headers.get('location')).toBe('/');
    const cookie = link.headers.get('set-cookie')!.split(';')[0]!;
    const page = await fetch(`${kore.url}/`, { headers: { cookie } });
    expect(await page.text()).toBe(INDEX);
    expect((await fetch(`${kore.url}/api/auth/user`, { headers: { cookie } })).status).toBe(200);
  });

  it('never serves a file from outside the folder, however the path is spelled', async () => {
    const attempts = [
      '/../outside/secret.txt',
      '/../../outside/secret.txt',
      '/%2e%2e/outside/secret.txt',
      '/%2E%2E/outside/secret.txt',
      '/..%2foutside%2fsecret.txt',
      '/..%2Foutside/secret.txt',
      '/_nuxt/..%2f..%2foutside%2fsecret.txt',
      '/..%5coutside%5csecret.txt',
      '/%5c..%5coutside%5csecret.txt',
      '/_nuxt%5c..%5c..%5coutside%5csecret.txt',
      '/..\\outside\\secret.txt',
      '/leak.txt',
      '/out/secret.txt',
      '/out/',
      '/out',
      '/%2e%2e%2f',
      '/%00/../outside/secret.txt',
    ];
    for (const path of attempts) {
      for (const headers of [{}, auth]) {
        const res = await raw(kore.url, path, headers);
        expect(res.body.toString(), path).not.toContain(SECRET);
        expect([200, 400, 401, 404], path).toContain(res.status);
        if (res.status === 200) expect(res.body.toString(), path).toBe(INDEX);
      }
    }
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const head = await raw(kore.url, '/_nuxt/entry.B4X2kLq9.js', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-type']).toMatch(/javascript/);
    expect(head.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(Number(head.headers['content-length'])).toBe(Buffer.byteLength(ENTRY));
    const index = await raw(kore.url, '/contexts/x', {}, 'HEAD');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toMatch(/^text\/html/);
  });

  it('compresses with brotli or gzip as the client accepts, each decompressing to the file', async () => {
    const path = '/_nuxt/entry.B4X2kLq9.js';
    const br = await raw(kore.url, path, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toMatch(/Accept-Encoding/);
    expect(br.body.length).toBeLessThan(Buffer.byteLength(ENTRY));
    expect(brotliDecompressSync(br.body).toString()).toBe(ENTRY);
    const gzip = await raw(kore.url, path, { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.body).toString()).toBe(ENTRY);
    const plain = await raw(kore.url, path, { 'accept-encoding': 'br;q=0, gzip;q=0' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(ENTRY);
    // Too small to be worth it.
    const small = await raw(kore.url, '/_nuxt/style.css', { 'accept-encoding': 'br' });
    expect(small.headers['content-encoding']).toBeUndefined();
  });
});

describe('a bad --ui-dir', () => {
  it('exits 2 with one line when the folder is missing or holds no index.html, by flag or KORE_UI_DIR', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'kore-ui-empty-'));
    const missing = join(empty, 'no-such-folder');
    const runs = await Promise.all([
      runToExit(NODE, [...TS, '--demo', '--ui-dir', missing], env),
      runToExit(NODE, [...TS, '--demo', '--ui-dir', empty], env),
      runToExit(NODE, [...TS, '--demo'], { ...env, KORE_UI_DIR: empty }),
    ]);
    for (const [i, r] of runs.entries()) {
      expect(r.code, String(i)).toBe(2);
      const lines = r.stderr.split('\n');
      expect(lines[0], String(i)).toMatch(/^kore-board: --ui-dir .*: not a built app \(/);
      expect(lines[1], String(i)).toMatch(/^Run 'kore-board --help'/);
      expect(r.stdout, String(i)).toBe('');
    }
  });
});
