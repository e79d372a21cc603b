import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../lib/node/registry';
import type { ClusterRegistry, RegistryChange } from '../../lib/clusters/types';
import { silentLogger } from '../../lib/log';
import {
  b64,
  fakeClock,
  get,
  kubeconfigYaml,
  startTestCluster,
  tempDir,
  waitFor,
  type TempDir,
  type TestCluster,
} from '../helpers/registry-fixtures';

let cluster: TestCluster;
let dir: TempDir;
let registry: ClusterRegistry | undefined;

beforeAll(async () => {
  cluster = await startTestCluster();
  cluster.tokens.add('watch-token');
});

afterEach(async () => {
  await registry?.close();
  registry = undefined;
  dir.cleanup();
});

afterAll(async () => {
  await cluster.close();
});

/** A kubeconfig with one context per entry of `contexts` (name → namespace), all on the test cluster. */
function config(contexts: Record<string, string>, user: Record<string, unknown> = { token: 'watch-token' }): string {
  return kubeconfigYaml({
    clusters: { c: { server: cluster.url, 'certificate-authority-data': b64(cluster.caPem) } },
    users: { u: user },
    contexts: Object.fromEntries(
      Object.entries(contexts).map(([name, namespace]) => [name, { cluster: 'c', user: 'u', namespace }]),
    ),
  });
}

async function watched(path: string): Promise<{ registry: ClusterRegistry; changes: RegistryChange[] }> {
  const changes: RegistryChange[] = [];
  registry = await createRegistry({
    kubeconfigPaths: [path],
    inCluster: false,
    watch: true,
    watchDebounceMs: 50,
    clock: fakeClock(),
    log: silentLogger,
  });
  registry.onChange((change) => changes.push(change));
  return { registry, changes };
}

const names = (r: ClusterRegistry) => r.contexts().map((c) => c.name);

describe('file watch', () => {
  it('reloads when the file is edited, deleted and created again', async () => {
    dir = tempDir();
    const path = dir.write('config', config({ a: 'default' }));
    const { registry: r, changes } = await watched(path);
    expect(names(r)).toEqual(['a']);

    writeFileSync(path, config({ a: 'default', b: 'team-b' }));
    await waitFor(() => names(r).includes('b'), 5_000, 'the edit');
    expect(changes).toEqual([{ changed: ['b'] }]);

    rmSync(path);
    await waitFor(() => names(r).length === 0, 5_000, 'the delete');
    expect(changes.at(-1)).toEqual({ changed: ['a', 'b'] });

    writeFileSync(path, config({ c: 'default' }));
    await waitFor(() => names(r).includes('c'), 5_000, 'the re-create');
    expect((await get(r.connection('c'))).status).toBe(200);
  });

  it('reloads after an editor-style save (write a temp file, rename it over)', async () => {
    dir = tempDir();
    const path = dir.write('config', config({ a: 'default' }));
    const { registry: r } = await watched(path);
    const temp = dir.write('.config.swp', config({ a: 'renamed-ns' }));
    renameSync(temp, path);
    await waitFor(() => r.contexts()[0]?.namespace === 'renamed-ns', 5_000, 'the rename');
    // The watch survives the inode change: a second save is seen too.
    writeFileSync(path, config({ a: 'second-save' }));
    await waitFor(() => r.contexts()[0]?.namespace === 'second-save', 5_000, 'the second save');
  });

  it('fails the contexts of a file while it is broken, and recovers when it is fixed', async () => {
    dir = tempDir();
    const path = dir.write('config', config({ a: 'default', b: 'default' }));
    const { registry: r } = await watched(path);
    writeFileSync(path, 'clusters: [\n');
    await waitFor(
      () => r.contexts().every((c) => c.error !== undefined) && names(r).length === 2,
      5_000,
      'the broken file',
    );
    expect(r.contexts()[0]?.error).toMatch(/invalid YAML/);
    writeFileSync(path, config({ a: 'default', b: 'default' }));
    await waitFor(() => r.contexts().every((c) => c.error === undefined), 5_000, 'the fix');
    expect((await get(r.connection('a'))).status).toBe(200);
  });

  it('replaces the connection of a changed context after its in-flight request, and keeps unchanged ones', async () => {
    dir = tempDir();
    const path = dir.write('config', config({ stay: 'default', move: 'before' }));
    const { registry: r, changes } = await watched(path);
    const stay = r.connection('stay');
    const old = r.connection('move');
    const inFlight = get(old, '/slow?ms=600');
    await waitFor(() => cluster.seen.some((s) => s.path === '/slow'), 5_000, 'the slow request to start');

    writeFileSync(path, config({ stay: 'default', move: 'after' }));
    await waitFor(() => changes.length > 0, 5_000, 'the reload');
    expect(changes).toEqual([{ changed: ['move'] }]);
    expect(r.connection('stay')).toBe(stay);
    const replacement = r.connection('move');
    expect(replacement).not.toBe(old);
    expect(replacement.context.namespace).toBe('after');

    // The request that was running when the context changed still gets its answer…
    expect((await inFlight).status).toBe(200);
    // …and then the old agents are closed, not leaked.
    await expect(get(old)).rejects.toMatchObject({ code: 'UND_ERR_CLOSED' });
    expect((await get(replacement)).status).toBe(200);
  });

  it('reloads when a client certificate file it names is renewed', async () => {
    dir = tempDir();
    dir.write('client.crt', cluster.client.certPem);
    dir.write('client.key', cluster.client.keyPem);
    const path = dir.write(
      'config',
      config({ a: 'default' }, { 'client-certificate': 'client.crt', 'client-key': 'client.key' }),
    );
    const { registry: r } = await watched(path);
    expect((await get(r.connection('a'))).body.user).toBe('cert:kubernetes-admin');

    const renewed = cluster.pki.issueClient('renewed-admin');
    dir.write('client.key', renewed.keyPem);
    dir.write('client.crt', renewed.certPem);
    await waitFor(
      async () => (await get(r.connection('a'))).body.user === 'cert:renewed-admin',
      5_000,
      'the renewed certificate',
    );
  });
});
