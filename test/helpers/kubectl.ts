/**
 * Runs the real kubectl against a simulated cluster: writes a kubeconfig in a temp folder for one of three
 * credential kinds — a client certificate, a bearer token, or an exec plugin (a tiny node script printing an
 * ExecCredential with a token the sim accepts) — and runs kubectl with its own HOME and cache there.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll } from 'vitest';
import { startSim, type SimCluster } from '../../lib/sim';
import { b64 } from './b64';

export type AuthKind = 'cert' | 'token' | 'exec';
export const AUTH_KINDS: readonly AuthKind[] = ['cert', 'token', 'exec'];

export interface KubeconfigDir {
  /** Path of the kubeconfig file. */
  path: string;
  dir: string;
  remove(): Promise<void>;
}

/** Writes a kubeconfig for `sim` using `auth`; context `sim`, namespace `default`. */
export async function writeKubeconfig(sim: SimCluster, auth: AuthKind): Promise<KubeconfigDir> {
  const dir = await mkdtemp(join(tmpdir(), `kore-sim-kubectl-${auth}-`));
  let user: Record<string, unknown>;
  switch (auth) {
    case 'cert':
      user = { 'client-certificate-data': b64(sim.client.certPem), 'client-key-data': b64(sim.client.keyPem) };
      break;
    case 'token':
      user = { token: sim.token };
      break;
    case 'exec': {
      // A token of its own, so a passing test proves the plugin's credential was used.
      const token = `exec-${randomBytes(16).toString('hex')}`;
      sim.addToken(token);
      const plugin = join(dir, 'credential-plugin.mjs');
      const credential = { apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token } };
      await writeFile(plugin, `process.stdout.write(${JSON.stringify(JSON.stringify(credential))});\n`);
      user = {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: process.execPath,
          args: [plugin],
          interactiveMode: 'Never',
        },
      };
      break;
    }
  }
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'sim', cluster: { server: sim.url, 'certificate-authority-data': b64(sim.caPem) } }],
    users: [{ name: `sim-${auth}`, user }],
    contexts: [{ name: 'sim', context: { cluster: 'sim', user: `sim-${auth}`, namespace: 'default' } }],
    'current-context': 'sim',
  };
  const path = join(dir, 'kubeconfig');
  await writeFile(path, stringify(config), { mode: 0o600 });
  return { path, dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface KubectlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function spawnKubectl(
  config: KubeconfigDir,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): ChildProcessWithoutNullStreams {
  return spawn('kubectl', ['--kubeconfig', config.path, '--cache-dir', join(config.dir, 'cache'), ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: config.dir, ...env },
  });
}

/**
 * client-go's exec/attach client starts reading its websocket before it registers its streams, so the ready frame a
 * kubelet writes on open (as the simulator does) is now and then discarded with this log line — seen only under load.
 * It is kubectl's race, not an answer of ours; every other stderr line stays for the tests to see.
 */
const STREAM_RACE = /^E\d{4} [\d:.]+ +\d+ websocket\.go:\d+\] Unknown stream id \d+, discarding message\n/gm;

/** Runs kubectl to completion. */
export function kubectl(
  config: KubeconfigDir,
  args: readonly string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawnKubectl(config, args);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kubectl ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr: stderr.replace(STREAM_RACE, '') });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Runs kubectl and fails with its output unless it exits 0; resolves to stdout. */
export async function kubectlOk(
  config: KubeconfigDir,
  args: readonly string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<string> {
  const result = await kubectl(config, args, options);
  if (result.code !== 0)
    throw new Error(
      `kubectl ${args.join(' ')} exited ${String(result.code)}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
    );
  return result.stdout;
}

/** A long-running kubectl (get -w, logs -f) whose output can be awaited line by line. */
export interface KubectlStream {
  /** Resolves with all output so far once `predicate` holds for it. */
  waitFor(predicate: (stdout: string) => boolean, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

export function kubectlStream(
  config: KubeconfigDir,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): KubectlStream {
  const child = spawnKubectl(config, args, env);
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    for (const w of waiters) w();
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return {
    waitFor: (predicate, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(stdout)) return;
          cleanup();
          resolve(stdout);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `kubectl ${args.join(' ')}: expected output did not arrive\nstdout: ${stdout}\nstderr: ${stderr}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A simulated cluster and a kubeconfig for it, set up around the enclosing suite; read both inside its tests. */
export function simWithKubeconfig(auth: AuthKind = 'cert'): {
  readonly sim: SimCluster;
  readonly config: KubeconfigDir;
} {
  const fixture = {} as { sim: SimCluster; config: KubeconfigDir };
  beforeAll(async () => {
    fixture.sim = await startSim();
    fixture.config = await writeKubeconfig(fixture.sim, auth);
  });
  afterAll(async () => {
    await fixture.config?.remove();
    await fixture.sim?.close();
  });
  return fixture;
}
