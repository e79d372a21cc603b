import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../lib/node/registry';
import type { ClusterRegistry } from '../../lib/clusters/types';
import { silentLogger } from '../../lib/log';
import {
  b64,
  fakeClock,
  get,
  kubeconfigYaml,
  startTestCluster,
  tempDir,
  type TempDir,
  type TestCluster,
} from '../helpers/registry-fixtures';

let cluster: TestCluster;
let dir: TempDir;
const registries: ClusterRegistry[] = [];

beforeAll(async () => {
  cluster = await startTestCluster();
  cluster.tokens.add('file-token-42');
  dir = tempDir();
  dir.write('token', 'file-token-42');
  dir.write('ca.crt', cluster.caPem);
});

afterAll(async () => {
  await Promise.all(registries.map((r) => r.close()));
  await cluster.close();
  dir.cleanup();
});

/** A file whose context `x` reads its CA and token from files: usable only where files are trusted. */
function fileBacked(name: string): string {
  return dir.write(
    name,
    kubeconfigYaml({
      clusters: { c: { server: cluster.url, 'certificate-authority': 'ca.crt' } },
      users: { u: { tokenFile: 'token' } },
      contexts: { x: { cluster: 'c', user: 'u' } },
    }),
  );
}

async function open(
  kubeconfigPaths: string[],
  inlineOnly?: { paths: string[]; allowExec: boolean },
): Promise<ClusterRegistry> {
  const registry = await createRegistry({
    kubeconfigPaths,
    ...(inlineOnly === undefined ? {} : { inlineOnly }),
    inCluster: false,
    watch: false,
    clock: fakeClock(),
    log: silentLogger,
  });
  registries.push(registry);
  return registry;
}

describe('inline-only kubeconfig sources', () => {
  it('trusts every file by default, as kubectl does', async () => {
    const registry = await open([fileBacked('trusted.yaml')]);
    expect((await get(registry.connection('x'))).body.user).toBe('token:file-token-42');
  });

  it('loads a file-backed context of an inline-only file as broken, however the path is spelled', async () => {
    const file = fileBacked('own.yaml');
    const spellings = [file, relative(process.cwd(), file), join(dir.dir, '.', 'sub', '..', 'own.yaml')];
    for (const spelling of spellings) {
      const registry = await open([file], { paths: [spelling], allowExec: true });
      expect(registry.contexts()[0]?.error, spelling).toBe(
        `context "x" may carry only inline material, as it uses kore-board's own kubeconfig: clusters[c].cluster.certificate-authority reads a file on the kore-board host; embed it as certificate-authority-data (kubectl config view --flatten); users[u].user.tokenFile reads a file on the kore-board host; put the token itself in token`,
      );
      expect(() => registry.connection('x')).toThrow(/may carry only inline material/);
    }
  });

  it('serves an inline context of an inline-only file', async () => {
    const file = dir.write(
      'inline.yaml',
      kubeconfigYaml({
        clusters: { c: { server: cluster.url, 'certificate-authority-data': b64(cluster.caPem) } },
        users: { u: { token: 'file-token-42' } },
        contexts: { x: { cluster: 'c', user: 'u' } },
      }),
    );
    const registry = await open([file], { paths: [file], allowExec: false });
    expect((await get(registry.connection('x'))).body.user).toBe('token:file-token-42');
  });
});
