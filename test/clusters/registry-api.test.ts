import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../lib/node/registry';
import type { ClusterRegistry } from '../../lib/clusters/types';
import { silentLogger } from '../../lib/log';
import { startKoreServer, type KoreServer } from '../../lib/node/kore-server';
import {
  b64,
  fakeClock,
  kubeconfigYaml,
  startTestCluster,
  tempDir,
  type TempDir,
  type TestCluster,
} from '../helpers/registry-fixtures';

/** GET /api/clusters, its alias /api/contexts, and PATCH /api/v1/config, through the real app on a real socket. */

let cluster: TestCluster;
let dir: TempDir;
let registry: ClusterRegistry;
let kore: KoreServer;
let base: string;
let kubeconfig: string;

const TOKEN = 'api-secret-token-5f2d9c';
const PASSWORD = 'api-secret-password-81b3';

function config(extraContexts: Record<string, unknown> = {}): string {
  return kubeconfigYaml({
    clusters: { prod: { server: cluster.url, 'certificate-authority-data': b64(cluster.caPem) } },
    users: {
      token: { token: TOKEN },
      cert: { 'client-certificate-data': b64(cluster.client.certPem), 'client-key-data': b64(cluster.client.keyPem) },
      basic: { username: 'admin', password: PASSWORD },
    },
    contexts: {
      'arn:aws:eks:eu-west-1:123456789012:cluster/prod': { cluster: 'prod', user: 'token', namespace: 'apps' },
      'kubernetes-admin@kubernetes': { cluster: 'prod', user: 'cert' },
      basic: { cluster: 'prod', user: 'basic' },
      broken: { cluster: 'prod', user: 'nobody' },
      ...extraContexts,
    },
    current: 'kubernetes-admin@kubernetes',
  });
}

beforeAll(async () => {
  cluster = await startTestCluster();
  dir = tempDir();
  kubeconfig = dir.write('config', config());
  registry = await createRegistry({
    kubeconfigPaths: [kubeconfig],
    inCluster: false,
    watch: false,
    clock: fakeClock(),
    log: silentLogger,
  });
  kore = await startKoreServer({
    registry,
    security: { allowedHosts: [], allowOrigins: [], authToken: undefined },
    log: silentLogger,
  });
  base = kore.server.url;
});

afterAll(async () => {
  await kore.close();
  await registry.close();
  await cluster.close();
  dir.cleanup();
});

const expected = () => ({
  contexts: ['arn:aws:eks:eu-west-1:123456789012:cluster/prod', 'basic', 'broken', 'kubernetes-admin@kubernetes'],
  currentContext: 'kubernetes-admin@kubernetes',
  clusters: [
    {
      name: 'arn:aws:eks:eu-west-1:123456789012:cluster/prod',
      cluster: 'prod',
      server: cluster.url,
      user: 'token',
      namespace: 'apps',
      inCluster: false,
    },
    { name: 'basic', cluster: 'prod', server: cluster.url, user: 'basic', namespace: 'default', inCluster: false },
    {
      name: 'broken',
      cluster: 'prod',
      server: cluster.url,
      user: 'nobody',
      namespace: 'default',
      inCluster: false,
      error: 'user "nobody" was not found for context "broken"',
    },
    {
      name: 'kubernetes-admin@kubernetes',
      cluster: 'prod',
      server: cluster.url,
      user: 'cert',
      namespace: 'default',
      inCluster: false,
    },
  ],
});

describe('GET /api/clusters and /api/contexts', () => {
  it.each(['/api/clusters', '/api/contexts'])('%s lists every context, with errors, and no secret', async (path) => {
    const res = await fetch(base + path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual(expected());
    for (const secret of [
      TOKEN,
      PASSWORD,
      b64(cluster.client.keyPem).slice(0, 32),
      'PRIVATE KEY',
      cluster.client.keyPem.split('\n')[1]!,
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('PATCH /api/v1/config reloads the kubeconfig on demand', async () => {
    dir.write('config', config({ added: { cluster: 'prod', user: 'token' } }));
    const res = await fetch(`${base}/api/v1/config`, { method: 'PATCH' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ reloaded: true, changed: ['added'] });
    const listed = (await (await fetch(`${base}/api/clusters`)).json()) as { contexts: string[] };
    expect(listed.contexts).toContain('added');
  });
});
