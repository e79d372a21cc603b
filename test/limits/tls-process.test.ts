/**
 * The kore-board process with `--tls-cert`/`--tls-key`: a pair that cannot serve stops the start with the reason
 * (exit 2, like a bad flag); a good one is served at the printed https:// URL, which `kore-board healthcheck` checks.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPki } from '../../lib/sim/tls';
import { runToExit, startProcess, type StartedProcess } from '../helpers/process';

const NODE = process.execPath;
const TS = ['--import', 'tsx', join(process.cwd(), 'lib/node/main.ts')];
const home = mkdtempSync(join(tmpdir(), 'kore-tls-home-'));
const env = { ...process.env, HOME: home, KUBECONFIG: '', KORE_LOG_LEVEL: 'warn' };
const [one, other] = [createPki(), createPki()];
const file = (name: string, text: string) => {
  const path = join(home, name);
  writeFileSync(path, text);
  return path;
};
const cert = file('tls.crt', one.server.certPem);
const key = file('tls.key', one.server.keyPem);
const otherKey = file('other.key', other.server.keyPem);

describe('kore-board --tls-cert --tls-key', () => {
  let started: StartedProcess | undefined;
  afterAll(async () => {
    if (started?.child.exitCode === null) await started.stop('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  it.each([
    [
      'a key of another certificate',
      [cert, otherKey],
      /^kore-board: --tls-key .*other\.key: not a private key for --tls-cert/,
    ],
    ['a missing certificate', [join(home, 'absent.crt'), key], /^kore-board: --tls-cert .*absent\.crt: cannot read it/],
  ])('%s: exits 2 with the reason', async (_name, [c, k], reason) => {
    const r = await runToExit(
      NODE,
      [...TS, '--demo', '--listen', '127.0.0.1:0', '--tls-cert', c!, '--tls-key', k!],
      env,
    );
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(reason);
  });

  it('serves at the printed https:// URL, and kore-board healthcheck says so', async () => {
    started = await startProcess(NODE, [...TS, '--demo', '--listen', '127.0.0.1:0'], {
      env: { ...env, KORE_TLS_CERT: cert, KORE_TLS_KEY: key },
    });
    expect(started.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const check = await runToExit(NODE, [...TS, 'healthcheck', `${started.url}/healthz`], env);
    expect(check.code).toBe(0);
    // Plain HTTP to the TLS port is no answer: the check fails, saying why.
    const plain = await runToExit(NODE, [...TS, 'healthcheck', `${started.url.replace('https', 'http')}/healthz`], env);
    expect(plain.code).toBe(1);
    expect(await started.stop('SIGTERM')).toBe(0);
  });

  it('marks the session cookies Secure when serving TLS', async () => {
    started = await startProcess(NODE, [...TS, '--demo', '--listen', '127.0.0.1:0', '--auth', 'token'], {
      env: { ...env, KORE_TLS_CERT: cert, KORE_TLS_KEY: key },
    });
    const body = JSON.stringify({ token: started.token });
    const cookies = await new Promise<string[]>((resolve, reject) => {
      const req = request(
        `${started!.url}/api/auth/login`,
        { method: 'POST', ca: one.ca.certPem, headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          if (res.statusCode === 200) resolve(res.headers['set-cookie'] ?? []);
          else reject(new Error(`sign-in answered ${res.statusCode}`));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(cookies.length).toBeGreaterThanOrEqual(2); // the access and the refresh session
    for (const cookie of cookies) expect(cookie).toMatch(/; HttpOnly; SameSite=Strict; .*; Secure$/);
    expect(await started.stop('SIGTERM')).toBe(0);
  });
});
