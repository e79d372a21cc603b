/**
 * ClusterRegistry.kubeconfigEntries: each context's merged entries, redacted, kept current on reload; and
 * standaloneKubeconfig: one usable context with its real credentials, files read inline.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { systemClock } from '../../lib/clock';
import type { ClusterRegistry } from '../../lib/clusters/types';
import { silentLogger } from '../../lib/log';
import { createRegistry, type RegistryOptions } from '../../lib/node/registry';
import { createPki } from '../../lib/sim/tls';
import { b64, kubeconfigYaml, tempDir, type TempDir } from '../helpers/registry-fixtures';

const dirs: TempDir[] = [];
const registries: ClusterRegistry[] = [];
afterEach(async () => {
  await Promise.all(registries.splice(0).map((r) => r.close()));
  for (const d of dirs.splice(0)) d.cleanup();
});

async function open(options: Partial<RegistryOptions>): Promise<ClusterRegistry> {
  const registry = await createRegistry({
    kubeconfigPaths: [],
    inCluster: false,
    watch: false,
    clock: systemClock,
    log: silentLogger,
    ...options,
  });
  registries.push(registry);
  return registry;
}

function dir(): TempDir {
  const d = tempDir();
  dirs.push(d);
  return d;
}

describe('kubeconfigEntries', () => {
  it('answers the entries the merged kubeconfig resolves (first file wins per name), redacted', async () => {
    const d = dir();
    const first = d.write(
      'first',
      kubeconfigYaml({
        clusters: { c: { server: 'https://first.example' } },
        users: { u: { token: 'FIRST-s3cret' } },
        contexts: { a: { cluster: 'c', user: 'u' } },
      }),
    );
    const second = d.write(
      'second',
      kubeconfigYaml({
        clusters: { c: { server: 'https://second.example' } },
        users: { u: { token: 'SECOND-s3cret' }, v: { tokenFile: 'tok' } },
        contexts: { b: { cluster: 'c', user: 'v', namespace: 'ns' } },
      }),
    );
    const registry = await open({ kubeconfigPaths: [first, second] });
    expect(registry.kubeconfigEntries('a')).toEqual({
      cluster: { server: 'https://first.example' },
      context: { cluster: 'c', user: 'u' },
      user: { token: 'REDACTED' },
    });
    // The cluster of the first file; a relative path resolved against its file, as the connection reads it.
    expect(registry.kubeconfigEntries('b')).toEqual({
      cluster: { server: 'https://first.example' },
      context: { cluster: 'c', user: 'v', namespace: 'ns' },
      user: { tokenFile: d.path('tok') },
    });
    expect(() => registry.kubeconfigEntries('nope')).toThrow(expect.objectContaining({ code: 404 }));

    d.write(
      'first',
      kubeconfigYaml({ clusters: { c: { server: 'https://moved.example' } }, contexts: { a: { cluster: 'c' } } }),
    );
    await registry.reload();
    expect(registry.kubeconfigEntries('a')).toEqual({
      cluster: { server: 'https://moved.example' },
      context: { cluster: 'c' },
      user: {},
    });
  });

  it('shows the in-cluster context as its server and the mounted files, never the token', async () => {
    const sa = dir();
    sa.write('token', 'SA-TOKEN-s3cret');
    sa.write('namespace', 'kore-system');
    const registry = await open({
      inCluster: { tokenPath: sa.path('token'), caPath: sa.path('ca.crt'), namespacePath: sa.path('namespace') },
      env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' },
    });
    expect(registry.kubeconfigEntries('kubernetes@in-cluster')).toEqual({
      cluster: { server: 'https://10.96.0.1', 'certificate-authority': sa.path('ca.crt') },
      context: { cluster: 'in-cluster', user: 'serviceaccount', namespace: 'kore-system' },
      user: { tokenFile: sa.path('token') },
    });
  });
});

describe('standaloneKubeconfig', () => {
  it('answers a usable context alone (files relative to their kubeconfig), 404 an unknown one, 503 a broken one', async () => {
    const d = dir();
    d.write('token', 'FILE-TOKEN');
    const path = d.write(
      'config',
      kubeconfigYaml({
        clusters: { c: { server: 'https://10.0.0.1' } },
        users: { u: { tokenFile: 'token' }, other: { token: 'OTHER-s3cret' } },
        contexts: { a: { cluster: 'c', user: 'u' }, b: { cluster: 'c', user: 'other' }, broken: { cluster: 'nope' } },
      }),
    );
    const registry = await open({ kubeconfigPaths: [path] });
    const yaml = await registry.standaloneKubeconfig('a');
    expect(parse(yaml)).toMatchObject({
      users: [{ name: 'u', user: { token: 'FILE-TOKEN' } }],
      contexts: [{ name: 'a', context: { cluster: 'c', user: 'u' } }],
    });
    expect(yaml).not.toMatch(/OTHER|other|broken/);
    await expect(registry.standaloneKubeconfig('nope')).rejects.toMatchObject({ code: 404 });
    await expect(registry.standaloneKubeconfig('broken')).rejects.toMatchObject({ code: 503 });
  });

  it('gives the in-cluster context its mounted token and CA inline', async () => {
    const sa = dir();
    sa.write('token', 'SA-TOKEN');
    const ca = createPki().ca.certPem;
    sa.write('ca.crt', ca);
    const registry = await open({
      inCluster: { tokenPath: sa.path('token'), caPath: sa.path('ca.crt'), namespacePath: sa.path('namespace') },
      env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' },
    });
    expect(parse(await registry.standaloneKubeconfig('kubernetes@in-cluster'))).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'in-cluster', cluster: { server: 'https://10.96.0.1', 'certificate-authority-data': b64(ca) } },
      ],
      users: [{ name: 'serviceaccount', user: { token: 'SA-TOKEN' } }],
      contexts: [
        {
          name: 'kubernetes@in-cluster',
          context: { cluster: 'in-cluster', user: 'serviceaccount', namespace: 'default' },
        },
      ],
      'current-context': 'kubernetes@in-cluster',
    });
  });
});
