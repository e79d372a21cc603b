import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry, type RegistryOptions } from '../../lib/node/registry';
import type { ClusterRegistry } from '../../lib/clusters/types';
import { StatusError } from '../../lib/errors';
import { createLogger } from '../../lib/log';
import {
  b64,
  fakeClock,
  get,
  kubeconfigYaml,
  startTestCluster,
  tempDir,
  writePlugin,
  type FakeClock,
  type TempDir,
  type TestCluster,
} from '../helpers/registry-fixtures';

const V1 = 'client.authentication.k8s.io/v1';
const V1BETA1 = 'client.authentication.k8s.io/v1beta1';

let cluster: TestCluster;
let dir: TempDir;
const logLines: string[] = [];
const log = createLogger('debug', (line) => logLines.push(line));
const registries: ClusterRegistry[] = [];

beforeAll(async () => {
  cluster = await startTestCluster();
  dir = tempDir();
});

afterAll(async () => {
  await Promise.all(registries.map((r) => r.close()));
  await cluster.close();
  dir.cleanup();
  const logged = logLines.join('\n');
  for (const secret of ['file-token-', 'exec-token-', 'static-token', 'PRIVATE KEY'])
    expect(logged).not.toContain(secret);
});

/** A registry over one kubeconfig whose single context `x` uses `user` against the test cluster. */
async function registryFor(
  name: string,
  user: Record<string, unknown>,
  options: Partial<RegistryOptions> = {},
): Promise<ClusterRegistry> {
  const file = dir.write(
    `${name}.yaml`,
    kubeconfigYaml({
      clusters: { c: { server: cluster.url, 'certificate-authority-data': b64(cluster.caPem) } },
      users: { u: user },
      contexts: { x: { cluster: 'c', user: 'u' } },
    }),
  );
  const registry = await createRegistry({
    kubeconfigPaths: [file],
    inCluster: false,
    watch: false,
    clock: fakeClock(),
    log,
    ...options,
  });
  registries.push(registry);
  return registry;
}

const runsIn = (file: string) => {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
};

async function credentialError(registry: ClusterRegistry): Promise<StatusError> {
  const err = await registry
    .connection('x')
    .credentials()
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  if (!(err instanceof StatusError)) throw new Error(`expected a StatusError, got ${String(err)}`);
  return err;
}

describe('token file', () => {
  it('re-reads a rotated token after the TTL and right after a 401', async () => {
    dir.write('token', 'file-token-1\n');
    cluster.tokens.add('file-token-1');
    const clock = fakeClock();
    const registry = await registryFor('token-file', { tokenFile: 'token' }, { clock, tokenFileTtlMs: 5_000 });
    const conn = registry.connection('x');
    expect((await get(conn)).body.user).toBe('token:file-token-1');

    // Rotation where the old token still works: the new one is used once the TTL has passed.
    dir.write('token', 'file-token-2');
    cluster.tokens.add('file-token-2');
    expect((await get(conn)).body.user).toBe('token:file-token-1');
    clock.advance(5_000);
    expect((await get(conn)).body.user).toBe('token:file-token-2');

    // Rotation where the old token is revoked at once: the 401 makes us read the file again.
    dir.write('token', 'file-token-3');
    cluster.tokens.add('file-token-3');
    cluster.tokens.delete('file-token-2');
    expect(await get(conn)).toMatchObject({ status: 200, body: { user: 'token:file-token-3' } });
    // Same connection throughout: rotation needs no reload and no new agent.
    expect(registry.connection('x')).toBe(conn);
  });

  it("falls back to the kubeconfig's token while the file cannot be read", async () => {
    cluster.tokens.add('static-token');
    const registry = await registryFor('token-fallback', { tokenFile: 'no-such-token', token: 'static-token' });
    expect((await get(registry.connection('x'))).body.user).toBe('token:static-token');
    const none = await registryFor('token-missing', { tokenFile: 'no-such-token' });
    const err = await credentialError(none);
    expect(err.code).toBe(503);
    expect(err.message).toMatch(/^context "x": getting credentials: unable to read token file .*no-such-token: ENOENT/);
  });
});

describe('impersonation', () => {
  it('sends Impersonate-* headers, one line per group and per extra value', async () => {
    cluster.tokens.add('static-token');
    const registry = await registryFor('impersonate', {
      token: 'static-token',
      as: 'jane',
      'as-uid': 'uid-42',
      'as-groups': ['dev', 'ops'],
      'as-user-extra': { 'example.com/scopes': ['view', 'edit'], reason: ['on-call'] },
    });
    expect((await get(registry.connection('x'))).body.impersonate).toEqual({
      'impersonate-user': 'jane',
      'impersonate-uid': 'uid-42',
      'impersonate-group': ['dev', 'ops'],
      'impersonate-extra-example.com%2fscopes': ['view', 'edit'],
      'impersonate-extra-reason': 'on-call',
    });
  });
});

describe('exec plugins', () => {
  /** A plugin that answers token `exec-token-<run number>`, optionally slowly and with an expiry. */
  function tokenPlugin(name: string): string {
    return writePlugin(
      dir,
      name,
      `const n = fs.readFileSync(env.RUNS_FILE, 'utf8').split('\\n').filter(Boolean).length;
if (env.INFO_FILE) fs.writeFileSync(env.INFO_FILE, JSON.stringify({ info, args: process.argv.slice(2), color: env.PLUGIN_COLOR }));
setTimeout(() => reply({ token: 'exec-token-' + n, ...(env.EXPIRES_AT ? { expirationTimestamp: env.EXPIRES_AT } : {}) }), Number(env.DELAY_MS || 0));`,
    );
  }

  it('runs a v1 plugin with args, env and KUBERNETES_EXEC_INFO, the command relative to the kubeconfig', async () => {
    tokenPlugin('plugin-v1');
    const runs = dir.path('runs-v1');
    const infoFile = dir.path('info-v1.json');
    cluster.tokens.add('exec-token-1');
    const registry = await registryFor('exec-v1', {
      exec: {
        apiVersion: V1,
        command: './plugin-v1',
        args: ['--cluster', 'prod'],
        env: [
          { name: 'RUNS_FILE', value: runs },
          { name: 'INFO_FILE', value: infoFile },
          { name: 'PLUGIN_COLOR', value: 'blue' },
        ],
        interactiveMode: 'Never',
        provideClusterInfo: true,
      },
    });
    expect((await get(registry.connection('x'))).body.user).toBe('token:exec-token-1');
    expect(JSON.parse(readFileSync(infoFile, 'utf8'))).toEqual({
      info: {
        kind: 'ExecCredential',
        apiVersion: V1,
        spec: {
          interactive: false,
          cluster: { server: cluster.url, 'certificate-authority-data': b64(cluster.caPem) },
        },
      },
      args: ['--cluster', 'prod'],
      color: 'blue',
    });
    expect(runsIn(runs)).toBe(1);
  });

  it('caches the credential until expirationTimestamp, with one run in flight for concurrent callers', async () => {
    tokenPlugin('plugin-expiring');
    const runs = dir.path('runs-expiring');
    const clock: FakeClock = fakeClock();
    const expiresAt = new Date(clock.now() + 60_000).toISOString();
    const registry = await registryFor(
      'exec-expiring',
      {
        exec: {
          apiVersion: V1BETA1,
          command: dir.path('plugin-expiring'),
          env: [
            { name: 'RUNS_FILE', value: runs },
            { name: 'EXPIRES_AT', value: expiresAt },
            { name: 'DELAY_MS', value: '150' },
          ],
        },
      },
      { clock },
    );
    const conn = registry.connection('x');
    const first = await Promise.all(Array.from({ length: 10 }, () => conn.credentials()));
    expect(runsIn(runs)).toBe(1);
    expect(new Set(first).size).toBe(1);
    expect(first[0]).toEqual({ authorization: 'Bearer exec-token-1' });

    clock.advance(59_999);
    expect(await conn.credentials()).toBe(first[0]);
    expect(runsIn(runs)).toBe(1);

    clock.advance(1);
    const second = await Promise.all(Array.from({ length: 10 }, () => conn.credentials()));
    expect(runsIn(runs)).toBe(2);
    expect(second[0]).toEqual({ authorization: 'Bearer exec-token-2' });
  });

  it('runs the plugin again once after a 401, however many requests failed together', async () => {
    tokenPlugin('plugin-401');
    const runs = dir.path('runs-401');
    const registry = await registryFor('exec-401', {
      exec: {
        apiVersion: V1,
        command: dir.path('plugin-401'),
        interactiveMode: 'IfAvailable',
        env: [{ name: 'RUNS_FILE', value: runs }],
      },
    });
    const conn = registry.connection('x');
    cluster.tokens.add('exec-token-1');
    expect((await get(conn)).body.user).toBe('token:exec-token-1');

    cluster.tokens.delete('exec-token-1');
    cluster.tokens.add('exec-token-2');
    const answers = await Promise.all(Array.from({ length: 5 }, () => get(conn)));
    expect(answers.map((a) => a.body.user)).toEqual(Array(5).fill('token:exec-token-2'));
    expect(runsIn(runs)).toBe(2);
  });

  it('fails with the plugin exit status, its stderr and its installHint', async () => {
    writePlugin(dir, 'plugin-fails', `process.stderr.write('SSO session expired\\n'); process.exit(3);`);
    const registry = await registryFor('exec-fails', {
      exec: {
        apiVersion: V1,
        command: dir.path('plugin-fails'),
        interactiveMode: 'Never',
        installHint: 'Run `sso login` first.',
      },
    });
    const err = await credentialError(registry);
    expect(err.code).toBe(503);
    expect(err.message).toBe(
      `context "x": getting credentials: exec: executable ${dir.path('plugin-fails')} failed with exit code 3: SSO session expired\n\nRun \`sso login\` first.`,
    );
    // The context itself loaded fine: it is the plugin that failed, on request.
    expect(registry.contexts()[0]?.error).toBeUndefined();
  });

  it('names a missing plugin with its installHint', async () => {
    const registry = await registryFor('exec-missing', {
      exec: {
        apiVersion: V1BETA1,
        command: 'kore-board-no-such-plugin',
        installHint: 'Install it with: brew install kore-auth',
      },
    });
    expect((await credentialError(registry)).message).toBe(
      'context "x": getting credentials: exec: executable kore-board-no-such-plugin not found\n\nInstall it with: brew install kore-auth',
    );
  });

  it('gives up on a plugin that hangs', async () => {
    writePlugin(dir, 'plugin-hangs', `setTimeout(() => reply({ token: 'late' }), 10_000);`);
    const registry = await registryFor(
      'exec-hangs',
      { exec: { apiVersion: V1, command: dir.path('plugin-hangs'), interactiveMode: 'Never' } },
      { execTimeoutMs: 300 },
    );
    expect((await credentialError(registry)).message).toBe(
      `context "x": getting credentials: exec: executable ${dir.path('plugin-hangs')} did not finish within 300 ms`,
    );
  });

  it('switches the TLS identity when the plugin issues a new client certificate', async () => {
    const first = cluster.pki.issueClient('exec-user-1');
    const second = cluster.pki.issueClient('exec-user-2');
    dir.write('exec-1.crt', first.certPem);
    dir.write('exec-1.key', first.keyPem);
    dir.write('exec-2.crt', second.certPem);
    dir.write('exec-2.key', second.keyPem);
    const runs = dir.path('runs-cert');
    writePlugin(
      dir,
      'plugin-cert',
      `const n = fs.readFileSync(env.RUNS_FILE, 'utf8').split('\\n').filter(Boolean).length;
const base = ${JSON.stringify(dir.dir)} + '/exec-' + Math.min(n, 2);
reply({ clientCertificateData: fs.readFileSync(base + '.crt', 'utf8'), clientKeyData: fs.readFileSync(base + '.key', 'utf8'), expirationTimestamp: env.EXPIRES_AT });`,
    );
    const clock = fakeClock();
    const registry = await registryFor(
      'exec-cert',
      {
        exec: {
          apiVersion: V1,
          command: dir.path('plugin-cert'),
          interactiveMode: 'Never',
          env: [
            { name: 'RUNS_FILE', value: runs },
            { name: 'EXPIRES_AT', value: new Date(clock.now() + 60_000).toISOString() },
          ],
        },
      },
      { clock },
    );
    const conn = registry.connection('x');
    const dispatcher = conn.dispatcher;
    expect(await get(conn)).toMatchObject({ status: 200, body: { user: 'cert:exec-user-1' } });
    clock.advance(60_000);
    expect(await get(conn)).toMatchObject({ status: 200, body: { user: 'cert:exec-user-2' } });
    // Callers keep the same dispatcher object; the identity behind it changed.
    expect(conn.dispatcher).toBe(dispatcher);
    expect(runsIn(runs)).toBe(2);
  });
});
