/**
 * The kubectl cluster shell end to end: the UI's sequence (token GET → {Arguments, AuthToken} → resize → input)
 * against kore-board on a real port, its cluster termtype served by lib/node/cluster-shell.ts on a real PTY, in front
 * of the simulated cluster over TLS. kubectl works inside with the context's credentials, the shell's HOME holds that
 * context alone and is removed when it ends, and a browser that leaves takes every process of the shell with it.
 * Where node-pty does not load these are skipped, except in CI (CI=true), where they must run.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../lib/clock';
import type { ClusterRegistry } from '../../lib/clusters/types';
import { silentLogger } from '../../lib/log';
import { openClusterShell, type ClusterShellOptions, type LocalClusterShell } from '../../lib/node/cluster-shell';
import { startKoreServer, type KoreServer } from '../../lib/node/kore-server';
import { loadPty } from '../../lib/node/pty-module';
import { createRegistry } from '../../lib/node/registry';
import { sessionMembers, statOf } from '../../lib/node/session-kill';
import { startSim, type SimCluster } from '../../lib/sim';
import type { ClusterShell } from '../../lib/terminal/types';
import { kubeconfigYaml, waitFor } from '../helpers/registry-fixtures';
import { fetchToken, openTerminal, type WebttyClient } from './webtty-client';

const ptyProblem = (await loadPty()).problem;
// In CI node-pty must build: a missing addon fails these tests there instead of skipping them.
const skip = ptyProblem !== undefined && process.env.CI !== 'true';

const OTHER_TOKEN = 'other-context-token-s3cret';
const KORE_SECRET = 'kore-board-own-s3cret';
const SECRET = new TextEncoder().encode('cluster-shell-test-secret-of-32-chars');
// Wide enough that no typed command wraps.
const SIZE = { columns: 200, rows: 50 };
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

let sim: SimCluster;
let dir: string;
/** Where the shell makes its sessions' HOMEs. */
let homes: string;
let registry: ClusterRegistry;
let shell: LocalClusterShell;
let kore: KoreServer;

beforeAll(async () => {
  sim = await startSim();
  sim.addToken(OTHER_TOKEN);
  dir = await mkdtemp(join(tmpdir(), 'kore-shell-test-'));
  homes = await mkdtemp(join(tmpdir(), 'kore-shell-homes-'));
  // The `sim` context names its CA, certificate and key by (relative) file path: the shell gets them inline.
  await writeFile(join(dir, 'ca.crt'), sim.caPem);
  await writeFile(join(dir, 'client.crt'), sim.client.certPem);
  await writeFile(join(dir, 'client.key'), sim.client.keyPem);
  const kubeconfig = join(dir, 'config');
  await writeFile(
    kubeconfig,
    kubeconfigYaml({
      clusters: { sim: { server: sim.url, 'certificate-authority': 'ca.crt' } },
      users: {
        admin: { 'client-certificate': 'client.crt', 'client-key': 'client.key' },
        other: { token: OTHER_TOKEN },
      },
      contexts: {
        sim: { cluster: 'sim', user: 'admin', namespace: 'default' },
        'other-context': { cluster: 'sim', user: 'other', namespace: 'kube-system' },
      },
      current: 'other-context',
    }),
  );
  registry = await createRegistry({
    kubeconfigPaths: [kubeconfig],
    inCluster: false,
    watch: false,
    clock: systemClock,
    log: silentLogger,
  });
  shell = await shellWith({
    tmpDir: homes,
    // What the shell must not inherit: kore-board's own secrets and the user's kubeconfig.
    env: { ...process.env, KORE_AUTH_TOKEN: KORE_SECRET, KUBECONFIG: kubeconfig },
  });
  kore = await serveWith(shell);
});

afterAll(async () => {
  await kore?.close(1_000);
  await shell?.close();
  await registry?.close();
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
  await rm(homes, { recursive: true, force: true });
});

/** A cluster shell over this suite's registry, as kore-board on loopback opens it unless `options` say otherwise. */
function shellWith(options: Partial<ClusterShellOptions>): Promise<LocalClusterShell> {
  return openClusterShell({ registry, listenHost: '127.0.0.1', beyondLoopback: false, log: silentLogger, ...options });
}

function serveWith(clusterShell: ClusterShell): Promise<KoreServer> {
  return startKoreServer({
    registry,
    security: { allowedHosts: [], allowOrigins: [], authToken: undefined },
    log: silentLogger,
    terminal: { secret: SECRET, idleMs: 180_000, max: 50, clusterShell },
  });
}

interface Shell {
  t: WebttyClient;
  context: string;
}

/** The prompt at the end of what is shown: the shell waits for input. */
const promptAtEnd = (context: string) => new RegExp(`kubectl@${context}\\$ $`);

/** Asks the token route for a cluster terminal and opens it as the UI does, up to the first prompt. */
async function openShell(context = 'sim'): Promise<Shell> {
  const token = await fetchToken(`${kore.server.url}/api/terminal/clusters/${context}/termtype/cluster`);
  const t = await openTerminal(kore.server.url, token, { size: SIZE });
  await t.waitForOutput(promptAtEnd(context));
  return { t, context };
}

let commands = 0;

/** Types a command and resolves with what it printed, up to a marker the shell computes (its echo cannot match). */
async function run({ t, context }: Shell, command: string): Promise<string> {
  const n = ++commands;
  const marker = `END-42-${n}`;
  t.type(`${command}; echo "END-$((6*7))-${n}"\r`);
  await t.waitForOutput(new RegExp(`${marker}\\r\\n[^]*${promptAtEnd(context).source}`));
  const shown = t.output();
  const end = shown.lastIndexOf(marker);
  const echoed = shown.lastIndexOf(`-${n}"`, end);
  return shown
    .slice(shown.indexOf('\n', echoed) + 1, end)
    .replace(ANSI, '')
    .replace(/\r/g, '')
    .replace(/\n$/, '');
}

/** Every file under a directory, recursively. */
function filesUnder(root: string): string[] {
  return readdirSync(root, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe.skipIf(skip)('the kubectl cluster shell, through the terminal websocket', () => {
  it('runs kubectl as the context under the title kubectl@<context>: `kubectl get nodes` lists the cluster’s nodes', async () => {
    const s = await openShell();
    expect(s.t.title()).toBe('kubectl@sim');
    const nodes = sim.store.list('nodes').map((n) => `node/${n.metadata.name}`);
    expect(nodes.length).toBeGreaterThan(0);
    expect((await run(s, 'kubectl get nodes -o name')).split('\n').sort()).toEqual(nodes.sort());
    s.t.type('exit\r');
    expect((await s.t.closed).code).toBe(1000);
  });

  it('holds that context alone in a private HOME, removed when the shell exits, whose status is shown', async () => {
    const s = await openShell();
    expect(await run(s, 'kubectl config get-contexts -o name')).toBe('sim');
    expect(await run(s, 'kubectl config current-context')).toBe('sim');
    const home = await run(s, 'echo "$HOME"');
    const kubeconfig = await run(s, 'echo "$KUBECONFIG"');
    expect(kubeconfig).toBe(join(home, '.kube', 'config'));
    expect(await run(s, 'env | grep -c "^KORE_"')).toBe('0');

    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(statSync(kubeconfig).mode & 0o777).toBe(0o600);
    // The files the user's kubeconfig names were read inline; the other context's credentials are nowhere.
    const written = filesUnder(home)
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    expect(written).toContain('client-certificate-data');
    expect(written).not.toMatch(/other-context|s3cret|client\.crt|ca\.crt/);

    s.t.type('exit 3\r');
    expect(await s.t.closed).toEqual({ code: 1000, reason: 'command terminated with exit code 3' });
    expect(existsSync(home)).toBe(false);
  });

  it('uses the context’s own credentials: a token user reaches the cluster as itself', async () => {
    const s = await openShell('other-context');
    expect(await run(s, 'kubectl config view --raw -o jsonpath="{.users[0].user.token}"')).toBe(OTHER_TOKEN);
    expect(await run(s, 'kubectl get namespace kube-system -o name')).toBe('namespace/kube-system');
    s.t.type('exit\r');
    await s.t.closed;
  });

  it('kills every process of the shell when the browser leaves, jobs in their own groups too, and removes HOME', async () => {
    const s = await openShell();
    const home = await run(s, 'echo "$HOME"');
    // Interactive bash prints `[1] PID` for a job put in the background, then the echo prints it again.
    const background = Number((await run(s, 'sleep 1001 & echo $!')).split('\n').pop());
    const detached = Number((await run(s, 'nohup sleep 1002 >/dev/null 2>&1 & echo $!')).split('\n').pop());
    // A foreground job: under job control, in a process group of its own. It says its pid, then becomes sleep.
    s.t.type(`sh -c 'echo "FG-$((1+1))-$$"; exec sleep 1003'\r`);
    await s.t.waitForOutput(/FG-2-\d+\r\n/);
    const foreground = Number(/FG-2-(\d+)\r\n/.exec(s.t.output())?.[1]);
    const session = statOf(readFileSync(`/proc/${background}/stat`, 'utf8'))?.session ?? -1;
    expect(await sessionMembers(session)).toEqual(expect.arrayContaining([session, background, detached, foreground]));

    s.t.ws.close();
    await waitFor(async () => (await sessionMembers(session)).length === 0, 10_000, 'the shell’s processes to end');
    await waitFor(() => !existsSync(home), 10_000, 'the shell’s HOME to be removed');
  });

  it('ends its open shells when kore-board shuts down, and starts none after', async () => {
    const own = await shellWith({ tmpDir: homes });
    const terminal = await own.start('sim', SIZE);
    let shown = '';
    terminal.onOutput((chunk) => (shown += Buffer.from(chunk).toString()));
    const exit = new Promise((resolve) => terminal.onExit(resolve));
    terminal.write('echo "PID-$$ HOME-$HOME"\r');
    await waitFor(() => /PID-\d+ HOME-\S+\r\n/.test(shown), 10_000, 'the shell to say its pid');
    const [, pid, home] = /PID-(\d+) HOME-(\S+)\r\n/.exec(shown)!;
    const shellPid = Number(pid);
    expect(await sessionMembers(shellPid)).toContain(shellPid);

    await own.close();
    expect(existsSync(home!)).toBe(false);
    expect(await sessionMembers(shellPid)).toEqual([]);
    await exit;
    await expect(own.start('sim', SIZE)).rejects.toMatchObject({ code: 503 });
  });

  it('refuses an unknown context (404); no HOME of this suite is left', async () => {
    await expect(shell.start('nope', SIZE)).rejects.toMatchObject({ code: 404 });
    await waitFor(() => readdirSync(homes).length === 0, 10_000, 'every HOME to be removed');
  });
});

describe('when the cluster shell is not offered', () => {
  it.skipIf(skip)('beyond loopback without --terminal-shell: the token route says how to enable it (501)', async () => {
    const remote = await shellWith({ listenHost: '0.0.0.0' });
    const server = await serveWith(remote);
    try {
      const res = await fetch(`${server.server.url}/api/terminal/clusters/sim/termtype/cluster`);
      expect(res.status).toBe(501);
      expect(((await res.json()) as { message: string }).message).toMatch(
        /offered only while kore-board listens on loopback.*--terminal-shell \(KORE_TERMINAL_SHELL=1\)/,
      );
      await expect(remote.start('sim', SIZE)).rejects.toMatchObject({ code: 501 });
    } finally {
      await server.close(1_000);
      await remote.close();
    }
  });

  it.skipIf(skip)('beyond loopback with --terminal-shell: offered', async () => {
    const remote = await shellWith({ listenHost: '10.0.0.1', beyondLoopback: true });
    expect(remote.unavailable()).toBeUndefined();
  });

  it('without node-pty: says to install it, and refuses to start (501)', async () => {
    const name = 'node-pty-not-installed';
    const missing = await shellWith({ ptyModule: { name, load: () => import(name) } });
    expect(missing.unavailable()).toMatch(
      /needs node-pty-not-installed.*not installed.*npm install node-pty-not-installed/,
    );
    await expect(missing.start('sim', SIZE)).rejects.toMatchObject({ code: 501 });
  });

  it.skipIf(skip)('without kubectl on the PATH: says so', async () => {
    const bin = await mkdtemp(join(tmpdir(), 'kore-shell-path-'));
    await symlink('/bin/sh', join(bin, 'sh'));
    const bare = await shellWith({ env: { PATH: bin } });
    expect(bare.unavailable()).toMatch(/needs kubectl on kore-board's PATH/);
    await rm(bin, { recursive: true });
  });
});
