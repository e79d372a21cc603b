import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runToExit, startProcess, withTakenPort, type StartedProcess } from '../helpers/process';

// One process, not tsx's wrapper plus a child: a SIGKILL in clean-up must not leave a server behind.
const NODE = process.execPath;
const MAIN = join(process.cwd(), 'lib/node/main.ts');
const TS = ['--import', 'tsx', MAIN];
// A HOME with no kubeconfig, so nothing from the machine running the tests leaks in.
const emptyHome = mkdtempSync(join(tmpdir(), 'kore-home-'));
const env = { ...process.env, HOME: emptyHome, KUBECONFIG: '', KORE_LOG_LEVEL: 'warn' };

describe('the kore-board process', () => {
  const started: StartedProcess[] = [];
  afterAll(async () => {
    for (const p of started) if (p.child.exitCode === null) await p.stop('SIGKILL');
  });

  it('exits 2 with a one-line reason on a bad flag', async () => {
    const cases = [['--bogus'], ['--listen', 'nowhere'], ['--log-level', 'loud'], ['--allow-origin', '*']];
    const results = await Promise.all(cases.map((args) => runToExit(NODE, [...TS, ...args], env)));
    results.forEach((r, i) => {
      expect(r.code, cases[i]!.join(' ')).toBe(2);
      expect(r.stderr.split('\n')[0]).toMatch(/^kore-board: /);
    });
  });

  it('exits 2 saying why when the address is taken', async () => {
    await withTakenPort(async (port) => {
      const r = await runToExit(NODE, [...TS, '--demo', '--listen', `127.0.0.1:${port}`], env);
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n')[0]).toMatch(
        new RegExp(`^kore-board: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`),
      );
    });
  });

  it('starts the demo cluster loudly when there is no kubeconfig, serves it, and exits 0 on SIGTERM', async () => {
    const p = await startProcess(NODE, [...TS, '--listen', '127.0.0.1:0'], { env });
    started.push(p);
    expect(p.output()).toMatch(/DEMO MODE/);
    expect(p.output()).toMatch(/contexts loaded \(1\/1\): kubernetes-admin@kubernetes/);
    const body = (await (await fetch(`${p.url}/api/clusters`, { headers: p.auth })).json()) as { contexts: string[] };
    expect(body.contexts).toEqual(['kubernetes-admin@kubernetes']);
    expect(await p.stop('SIGTERM')).toBe(0);
  });

  it('with --auth token, makes an access token at first start, keeps it in the data dir (0600), prints a login URL with it, and refuses callers without it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'kore-home-'));
    const p = await startProcess(NODE, [...TS, '--demo', '--listen', '127.0.0.1:0', '--auth', 'token'], {
      env: { ...env, HOME: home },
    });
    started.push(p);
    const tokenFile = join(home, '.kore-board', 'token');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(p.token).toBe(readFileSync(tokenFile, 'utf8').trim());
    expect(p.token!.length).toBeGreaterThanOrEqual(32);
    expect(p.output()).toContain(`sign in a browser: ${p.url}/?token=${p.token}`);

    for (const path of ['/api/clusters', '/raw/clusters/kubernetes-admin@kubernetes/api/v1/namespaces', '/nowhere']) {
      const res = await fetch(`${p.url}${path}`);
      expect(res.status, path).toBe(401);
      expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
      expect(
        (await fetch(`${p.url}${path}`, { headers: { authorization: 'Bearer not-the-token-at-all-x' } })).status,
        path,
      ).toBe(401);
    }
    expect((await fetch(`${p.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${p.url}/api/clusters`, { headers: p.auth })).status).toBe(200);

    // The login URL trades the token for a cookie and sends the browser on without it in the address.
    const login = await fetch(`${p.url}/api/clusters?token=${p.token}&x=1`, { redirect: 'manual' });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/api/clusters?x=1');
    const cookie = login.headers.get('set-cookie')!;
    // A session token in the cookie, never the access token itself.
    expect(cookie).toMatch(
      new RegExp(`^kore-board-token-${new URL(p.url).port}=[^;]+; Path=/; HttpOnly; SameSite=Strict`),
    );
    expect(cookie).not.toContain(p.token);
    expect((await fetch(`${p.url}/api/clusters`, { headers: { cookie: cookie.split(';')[0]! } })).status).toBe(200);
    expect((await fetch(`${p.url}/api/clusters?token=wrong-token-of-some-length`, { redirect: 'manual' })).status).toBe(
      401,
    );
    // The printed URL itself lands on / , which says where things are.
    const printed = await fetch(`${p.url}/?token=${p.token}`, { redirect: 'manual' });
    expect(printed.headers.get('location')).toBe('/');
    const root = await fetch(`${p.url}/`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(await root.json()).toMatchObject({ name: 'kore-board', contexts: '/api/contexts' });

    // A second start keeps the same token, so a signed-in browser stays signed in.
    expect(await p.stop('SIGTERM')).toBe(0);
    const again = await startProcess(NODE, [...TS, '--demo', '--listen', '127.0.0.1:0', '--auth', 'token'], {
      env: { ...env, HOME: home },
    });
    started.push(again);
    expect(again.token).toBe(p.token);
    expect(await again.stop('SIGTERM')).toBe(0);
  });

  it('with --auth none prints no token and serves anyone on loopback; a token given on the command line is warned about', async () => {
    const open = await startProcess(NODE, [...TS, '--demo', '--auth', 'none', '--listen', '127.0.0.1:0'], { env });
    started.push(open);
    expect(open.token).toBeUndefined();
    expect(open.output()).toContain('access: anyone who can reach this address (--auth none)');
    expect((await fetch(`${open.url}/api/clusters`)).status).toBe(200);
    expect(await open.stop('SIGTERM')).toBe(0);

    const given = await startProcess(
      NODE,
      [...TS, '--demo', '--auth-token', 'a-token-given-on-argv', '--listen', '127.0.0.1:0'],
      { env },
    );
    started.push(given);
    expect(given.output()).toMatch(/visible to every local user/);
    expect(given.output()).not.toContain('a-token-given-on-argv');
    expect(
      (await fetch(`${given.url}/api/clusters`, { headers: { authorization: 'Bearer a-token-given-on-argv' } })).status,
    ).toBe(200);
    expect(await given.stop('SIGTERM')).toBe(0);
  });

  it('on SIGTERM stops accepting, lets an in-flight request finish, then exits 0', async () => {
    const p = await startProcess(NODE, [...TS, '--demo', '--listen', '127.0.0.1:0'], { env });
    started.push(p);
    // A watch that the cluster ends by itself after 2 s: in flight when the signal arrives.
    const inFlight = fetch(
      `${p.url}/raw/clusters/kubernetes-admin@kubernetes/api/v1/namespaces?watch=1&timeoutSeconds=2`,
      { headers: p.auth },
    ).then(async (res) => ({
      status: res.status,
      body: await res.text(),
    }));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const exited = p.stop('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await expect(fetch(`${p.url}/healthz`)).rejects.toThrow();
    const finished = await inFlight;
    expect(finished.status).toBe(200);
    expect(finished.body).toContain('"type":"ADDED"');
    expect(await exited).toBe(0);
  });

  it('lists each context that failed to load, with why, and serves the others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kore-kc-'));
    const kubeconfig = join(dir, 'config');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: c1, cluster: {server: "https://127.0.0.1:1"}}]',
        'users: [{name: u1, user: {token: abc}}]',
        'contexts: [{name: good, context: {cluster: c1, user: u1}}, {name: broken, context: {cluster: missing, user: u1}}]',
        'current-context: good',
      ].join('\n'),
    );
    const p = await startProcess(NODE, [...TS, '--listen', '127.0.0.1:0', '--kubeconfig', kubeconfig], { env });
    started.push(p);
    expect(p.output()).not.toMatch(/DEMO MODE/);
    expect(p.output()).toMatch(/contexts loaded \(1\/2\): good/);
    expect(p.output()).toMatch(/context broken failed: .*missing/);
    expect(p.output()).not.toContain('abc');
    expect(await p.stop('SIGINT')).toBe(0);
  });
});
