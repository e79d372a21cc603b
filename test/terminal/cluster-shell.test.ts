/**
 * The kubectl cluster shell (lib/node/cluster-shell.ts) on a real PTY against the simulated cluster: kubectl works
 * inside it with the context's credentials, its HOME holds that context alone and is removed when it ends, and
 * closing it kills every process it started. Where node-pty does not load the suite is skipped, except in CI.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../lib/clock';
import type { ClusterRegistry } from '../../lib/clusters/types';
import { silentLogger } from '../../lib/log';
import { openClusterShell, type LocalClusterShell } from '../../lib/node/cluster-shell';
import { loadPty } from '../../lib/node/pty-module';
import { createRegistry } from '../../lib/node/registry';
import { sessionMembers, statOf } from '../../lib/node/session-kill';
import { startSim, type SimCluster } from '../../lib/sim';
import type { TerminalProcess } from '../../lib/terminal/types';
import { kubeconfigYaml } from '../helpers/registry-fixtures';
import { transcript, type Transcript } from './pty-transcript';

const ptyProblem = (await loadPty()).problem;
// In CI node-pty must build: a missing addon fails the suite there instead of skipping it.
const skip = ptyProblem !== undefined && process.env.CI !== 'true';

const OTHER_TOKEN = 'other-context-token-s3cret';
const KORE_SECRET = 'kore-board-own-s3cret';
const SIZE = { columns: 120, rows: 40 };
/** The prompt, matched where the shell prints it (at the end of what is shown, not in an echoed command). */
const promptOf = (context: string) => new RegExp(`kubectl@${context}\\$ $`);
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

let sim: SimCluster;
let dir: string;
let registry: ClusterRegistry;
let shell: LocalClusterShell;
/** Where the shell makes its sessions' HOMEs. */
let homes: string;

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
  shell = await openClusterShell({
    registry,
    listenHost: '127.0.0.1',
    beyondLoopback: false,
    log: silentLogger,
    tmpDir: homes,
    // What the shell must not inherit: kore-board's own secrets and the user's kubeconfig.
    env: { ...process.env, KORE_AUTH_TOKEN: KORE_SECRET, KUBECONFIG: kubeconfig },
  });
});

afterAll(async () => {
  await shell?.close();
  await registry?.close();
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
  await rm(homes, { recursive: true, force: true });
});

/** Types a command and resolves with what it printed, up to a marker the shell computes (the echo cannot match). */
interface Session {
  terminal: TerminalProcess;
  t: Transcript;
  prompt: RegExp;
}

async function run({ terminal, t, prompt }: Session, command: string): Promise<string> {
  terminal.write(`${command}; echo "END-$((6*7))"\r`);
  const shown = await t.next(/END-42\r?\n/);
  await t.next(prompt);
  // The command's echo is the first line; its output follows, up to the marker.
  const lines = shown.replace(ANSI, '').replace(/\r/g, '').split('\n');
  return lines
    .slice(1)
    .join('\n')
    .replace(/\n?END-42\n$/, '');
}

async function openSession(context = 'sim'): Promise<Session> {
  const terminal = await shell.start(context, SIZE);
  const t = transcript(terminal);
  const prompt = promptOf(context);
  await t.next(prompt);
  return { terminal, t, prompt };
}

/** Every file under a directory, recursively. */
function filesUnder(root: string): string[] {
  return readdirSync(root, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe.skipIf(skip)('the kubectl cluster shell', () => {
  it('is offered on loopback with node-pty, bash and kubectl at hand', () => {
    expect(shell.unavailable()).toBeUndefined();
  });

  it('runs kubectl as the context: `kubectl get nodes` lists the simulated cluster’s nodes', async () => {
    const session = await openSession();
    const nodes = sim.store.list('nodes').map((n) => `node/${n.metadata.name}`);
    expect(nodes.length).toBeGreaterThan(0);
    expect((await run(session, 'kubectl get nodes -o name')).split('\n').sort()).toEqual(nodes.sort());
    session.terminal.write('exit\r');
    expect((await session.t.exit).code).toBe(0);
  });

  it('holds that context alone in a private HOME, removed when the shell exits with its status', async () => {
    const session = await openSession();
    expect(await run(session, 'kubectl config get-contexts -o name')).toBe('sim');
    expect(await run(session, 'kubectl config current-context')).toBe('sim');
    const home = await run(session, 'echo "$HOME"');
    const kubeconfig = await run(session, 'echo "$KUBECONFIG"');
    expect(kubeconfig).toBe(join(home, '.kube', 'config'));
    expect(await run(session, 'env | grep -c "^KORE_"')).toBe('0');

    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(statSync(kubeconfig).mode & 0o777).toBe(0o600);
    // The files the user's kubeconfig names were read inline; the other context's credentials are nowhere.
    const written = filesUnder(home).map((f) => readFileSync(f, 'utf8'));
    expect(written.join('\n')).toContain('client-certificate-data');
    expect(written.join('\n')).not.toMatch(/other-context|s3cret|client\.crt|ca\.crt/);

    session.terminal.write('exit 3\r');
    expect((await session.t.exit).code).toBe(3);
    expect(existsSync(home)).toBe(false);
  });

  it('uses the context’s own credentials: a token user reaches the cluster as itself', async () => {
    const session = await openSession('other-context');
    expect(await run(session, 'kubectl config view --raw -o jsonpath="{.users[0].user.token}"')).toBe(OTHER_TOKEN);
    expect(await run(session, 'kubectl get namespace kube-system -o name')).toBe('namespace/kube-system');
    session.terminal.close();
    await session.t.exit;
  });

  it('kills every process it started when the browser leaves, jobs in other groups included, and removes HOME', async () => {
    const session = await openSession();
    const home = await run(session, 'echo "$HOME"');
    const background = Number((await run(session, 'sleep 1001 & echo $!')).split('\n').pop());
    const detached = Number((await run(session, 'nohup sleep 1002 >/dev/null 2>&1 & echo $!')).split('\n').pop());
    // A foreground job: under job control, in a process group of its own. It says its pid, then becomes sleep.
    session.terminal.write(`sh -c 'echo "FG-$((1+1))-$$"; exec sleep 1003'\r`);
    const foreground = Number(/FG-2-(\d+)/.exec(await session.t.next(/FG-2-\d+\r?\n/))?.[1]);
    const shellPid = statOf(readFileSync(`/proc/${background}/stat`, 'utf8'))?.session ?? -1;
    const members = await sessionMembers(shellPid);
    expect(members).toEqual(expect.arrayContaining([shellPid, background, detached, foreground]));

    session.terminal.close();
    await session.t.exit;
    expect(await sessionMembers(shellPid)).toEqual([]);
    expect(existsSync(home)).toBe(false);
  });

  it('refuses an unknown context (404) and leaves nothing behind', async () => {
    await expect(shell.start('nope', SIZE)).rejects.toMatchObject({ code: 404 });
    // Every session of this suite has ended: not one HOME is left.
    expect(readdirSync(homes)).toEqual([]);
  });
});

describe('when the cluster shell is not offered', () => {
  it.skipIf(skip)(
    'beyond loopback without --terminal-shell: says how to enable it, and refuses to start (501)',
    async () => {
      const remote = await openClusterShell({
        registry,
        listenHost: '0.0.0.0',
        beyondLoopback: false,
        log: silentLogger,
      });
      expect(remote.unavailable()).toMatch(/listens on loopback.*--terminal-shell \(KORE_TERMINAL_SHELL=1\)/);
      await expect(remote.start('sim', SIZE)).rejects.toMatchObject({ code: 501 });
      await remote.close();
    },
  );

  it.skipIf(skip)('beyond loopback with --terminal-shell: offered', async () => {
    const remote = await openClusterShell({
      registry,
      listenHost: '10.0.0.1',
      beyondLoopback: true,
      log: silentLogger,
    });
    expect(remote.unavailable()).toBeUndefined();
    await remote.close();
  });

  it('without node-pty: says to install it, and the rest of kore-board is unaffected', async () => {
    const missing = await openClusterShell({
      registry,
      listenHost: '127.0.0.1',
      beyondLoopback: false,
      log: silentLogger,
      ptyModule: 'node-pty-not-installed',
    });
    expect(missing.unavailable()).toMatch(
      /needs node-pty-not-installed.*not installed.*npm install node-pty-not-installed/,
    );
    await expect(missing.start('sim', SIZE)).rejects.toMatchObject({ code: 501 });
  });

  it.skipIf(skip)('without kubectl on the PATH: says so', async () => {
    const bin = await mkdtemp(join(tmpdir(), 'kore-shell-path-'));
    await symlink('/bin/sh', join(bin, 'sh'));
    const bare = await openClusterShell({
      registry,
      listenHost: '127.0.0.1',
      beyondLoopback: false,
      log: silentLogger,
      env: { PATH: bin },
    });
    expect(bare.unavailable()).toMatch(/needs kubectl on kore-board's PATH/);
    await rm(bin, { recursive: true });
  });
});
