import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../lib/node/registry';
import type { ClusterRegistry } from '../../lib/clusters/types';
import { createLogger } from '../../lib/log';
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
import { statusOf } from '../helpers/status-of';

const SECRETS = ['tok-alice-0123456789', 'tok-wrong-9876543210', 'hunter2-password'];

let cluster: TestCluster;
let dir: TempDir;
const logLines: string[] = [];
const log = createLogger('debug', (line) => logLines.push(line));
const registries: ClusterRegistry[] = [];

async function open(options: Partial<Parameters<typeof createRegistry>[0]>): Promise<ClusterRegistry> {
  const registry = await createRegistry({
    kubeconfigPaths: [],
    inCluster: false,
    watch: false,
    clock: fakeClock(),
    log,
    ...options,
  });
  registries.push(registry);
  return registry;
}

beforeAll(async () => {
  cluster = await startTestCluster();
  cluster.tokens.add('tok-alice-0123456789');
  cluster.basic.set('bob', 'hunter2-password');
  dir = tempDir();
  dir.write('ca.crt', cluster.caPem);
  dir.write('client.crt', cluster.client.certPem);
  dir.write('client.key', cluster.client.keyPem);
  dir.write('garbage.crt', 'this is not a certificate\n');
});

afterAll(async () => {
  await Promise.all(registries.map((r) => r.close()));
  await cluster.close();
  dir.cleanup();
  // Nothing any registry logged, in any test of this file, carried a credential.
  for (const secret of SECRETS) expect(logLines.join('\n')).not.toContain(secret);
});

describe('kubeconfig sources', () => {
  it('merges a KUBECONFIG list the kubectl way: first definition wins, missing files skipped, relative paths per file', async () => {
    const first = dir.write(
      'first.yaml',
      kubeconfigYaml({
        clusters: { shared: { server: cluster.url, 'certificate-authority': 'ca.crt' } },
        users: { alice: { token: 'tok-alice-0123456789' } },
        contexts: { one: { cluster: 'shared', user: 'alice' } },
      }),
    );
    const second = dir.write(
      'second.yaml',
      kubeconfigYaml({
        clusters: { shared: { server: 'https://127.0.0.1:1', 'insecure-skip-tls-verify': true } },
        users: { alice: { token: 'tok-wrong-9876543210' } },
        contexts: {
          one: { cluster: 'shared', user: 'alice', namespace: 'from-second' },
          two: { cluster: 'shared', user: 'alice', namespace: 'team' },
        },
        current: 'two',
      }),
    );
    const registry = await open({ kubeconfigPaths: [first, dir.path('missing', 'config'), second] });

    expect(registry.contexts()).toEqual([
      {
        name: 'one',
        cluster: 'shared',
        server: cluster.url,
        user: 'alice',
        namespace: 'default',
        inCluster: false,
        source: first,
      },
      {
        name: 'two',
        cluster: 'shared',
        server: cluster.url,
        user: 'alice',
        namespace: 'team',
        inCluster: false,
        source: second,
      },
    ]);
    expect(registry.currentContext()).toBe('two');
    // "two" comes from the second file but its cluster and user are the first file's: a real call proves it.
    const answer = await get(registry.connection('two'));
    expect(answer).toMatchObject({
      status: 200,
      body: { user: 'token:tok-alice-0123456789', path: '/api/v1/namespaces' },
    });
  });

  it('authenticates with client certificate files relative to the kubeconfig, and with basic auth', async () => {
    dir.write('nested-ca.crt', cluster.caPem);
    const file = dir.write(
      'certs.yaml',
      kubeconfigYaml({
        clusters: { c: { server: cluster.url, 'certificate-authority': './nested-ca.crt' } },
        users: {
          admin: { 'client-certificate': 'client.crt', 'client-key': 'client.key' },
          bob: { username: 'bob', password: 'hunter2-password' },
        },
        contexts: { cert: { cluster: 'c', user: 'admin' }, basic: { cluster: 'c', user: 'bob' } },
      }),
    );
    const registry = await open({ kubeconfigPaths: [file] });
    expect((await get(registry.connection('cert'))).body.user).toBe('cert:kubernetes-admin');
    expect((await get(registry.connection('basic'))).body.user).toBe('basic:bob');
  });

  it('lists contexts that fail to load with why, and keeps serving the good ones', async () => {
    const good = dir.write(
      'mixed.yaml',
      kubeconfigYaml({
        clusters: {
          ok: { server: cluster.url, 'certificate-authority-data': b64(cluster.caPem) },
          badB64: { server: cluster.url, 'certificate-authority-data': 'not-base64!' },
          noFile: { server: cluster.url, 'certificate-authority': 'does-not-exist.crt' },
          garbage: { server: cluster.url, 'certificate-authority': 'garbage.crt' },
          badUrl: { server: 'https://bad host:6443' },
        },
        users: {
          alice: { token: 'tok-alice-0123456789' },
          badKey: { 'client-certificate-data': b64(cluster.client.certPem), 'client-key-data': b64('not a key') },
        },
        contexts: {
          good: { cluster: 'ok', user: 'alice' },
          'no-cluster': { cluster: 'absent', user: 'alice' },
          'no-user': { cluster: 'ok', user: 'absent' },
          'bad-base64': { cluster: 'badB64', user: 'alice' },
          'missing-ca-file': { cluster: 'noFile', user: 'alice' },
          'garbage-ca': { cluster: 'garbage', user: 'alice' },
          'bad-url': { cluster: 'badUrl', user: 'alice' },
          'bad-key': { cluster: 'ok', user: 'badKey' },
        },
      }),
    );
    const broken = dir.write(
      'broken.yaml',
      'contexts:\n- name: yaml-broken\n  context: {cluster: ok}\nusers:\n  - name: x\n   user: {token: tok-wrong-9876543210}\n',
    );
    const registry = await open({ kubeconfigPaths: [good, broken] });
    const errors = Object.fromEntries(registry.contexts().map((c) => [c.name, c.error]));
    expect(errors).toEqual({
      good: undefined,
      'no-cluster': 'cluster "absent" was not found for context "no-cluster"',
      'no-user': 'user "absent" was not found for context "no-user"',
      'bad-base64': 'certificate-authority-data of cluster "badB64" is not valid base64',
      'missing-ca-file': expect.stringMatching(
        new RegExp(
          `^unable to read certificate-authority ${dir.path('does-not-exist.crt').replace(/[.]/g, '\\.')} for cluster "noFile": ENOENT`,
        ),
      ),
      'garbage-ca': 'certificate-authority: no PEM certificate found',
      'bad-url': 'server "https://bad host:6443" of cluster "badUrl" is not a valid URL',
      'bad-key': expect.stringMatching(/^client certificate\/key: /),
      'yaml-broken': expect.stringMatching(/^.*broken\.yaml: invalid YAML: .* at line 6, column \d+$/),
    });
    expect((await get(registry.connection('good'))).status).toBe(200);

    const unusable = statusOf(() => registry.connection('no-user'));
    expect(unusable.code).toBe(503);
    expect(unusable.reason).toBe('ServiceUnavailable');
    expect(unusable.message).toBe('context "no-user" is not usable: user "absent" was not found for context "no-user"');
    const unknown = statusOf(() => registry.connection('arn:aws:eks:eu-west-1:1:cluster/nope'));
    expect(unknown.code).toBe(404);
    expect(unknown.message).toBe('context "arn:aws:eks:eu-west-1:1:cluster/nope" not found');
  });

  it('never puts a secret in ContextInfo', async () => {
    const file = dir.write(
      'secrets.yaml',
      kubeconfigYaml({
        clusters: { c: { server: `https://admin:hunter2-password@127.0.0.1:6443`, 'insecure-skip-tls-verify': true } },
        users: {
          t: { token: 'tok-alice-0123456789' },
          b: { username: 'bob', password: 'hunter2-password' },
          k: { 'client-certificate-data': b64(cluster.client.certPem), 'client-key-data': b64(cluster.client.keyPem) },
          bad: { token: 'tok-wrong-9876543210', username: 'x', password: 'hunter2-password' },
        },
        contexts: {
          t: { cluster: 'c', user: 't' },
          b: { cluster: 'c', user: 'b' },
          k: { cluster: 'c', user: 'k' },
          bad: { cluster: 'c', user: 'bad' },
        },
      }),
    );
    const registry = await open({ kubeconfigPaths: [file] });
    const listed = JSON.stringify(registry.contexts());
    expect(registry.contexts()[0]?.server).toBe('https://127.0.0.1:6443');
    for (const secret of [...SECRETS, b64(cluster.client.keyPem).slice(0, 40), 'PRIVATE KEY'])
      expect(listed).not.toContain(secret);
  });

  it('serves in-memory sources after the files, the file winning a shared name', async () => {
    const inline = kubeconfigYaml({
      clusters: { demo: { server: cluster.url, 'certificate-authority-data': b64(cluster.caPem) } },
      users: {
        admin: {
          'client-certificate-data': b64(cluster.client.certPem),
          'client-key-data': b64(cluster.client.keyPem),
        },
      },
      contexts: {
        demo: { cluster: 'demo', user: 'admin' },
        shared: { cluster: 'demo', user: 'admin', namespace: 'inline' },
      },
      current: 'demo',
    });
    const file = dir.write(
      'shared.yaml',
      kubeconfigYaml({
        clusters: { c: { server: cluster.url } },
        contexts: { shared: { cluster: 'c', namespace: 'file' } },
      }),
    );
    const registry = await open({ kubeconfigPaths: [file], inlineSources: [{ name: 'demo', yaml: inline }] });
    expect(registry.contexts().map((c) => [c.name, c.source, c.namespace])).toEqual([
      ['demo', 'demo', 'default'],
      ['shared', file, 'file'],
    ]);
    expect(registry.currentContext()).toBe('demo');
    expect((await get(registry.connection('demo'))).body.user).toBe('cert:kubernetes-admin');
  });
});

describe('in-cluster service account', () => {
  it('offers kubernetes@in-cluster when the token exists, re-reading the token as it rotates', async () => {
    const sa = tempDir();
    try {
      sa.write('token', 'sa-token-1\n');
      sa.write('ca.crt', cluster.caPem);
      sa.write('namespace', 'kore-system');
      cluster.tokens.add('sa-token-1');
      const clock = fakeClock();
      const port = new URL(cluster.url).port;
      const registry = await open({
        clock,
        inCluster: { tokenPath: sa.path('token'), caPath: sa.path('ca.crt'), namespacePath: sa.path('namespace') },
        env: { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: port },
        tokenFileTtlMs: 5_000,
      });
      expect(registry.contexts()).toEqual([
        {
          name: 'kubernetes@in-cluster',
          cluster: 'in-cluster',
          server: cluster.url,
          user: 'serviceaccount',
          namespace: 'kore-system',
          inCluster: true,
          source: 'in-cluster',
        },
      ]);
      expect(registry.currentContext()).toBe('kubernetes@in-cluster');
      const conn = registry.connection('kubernetes@in-cluster');
      expect((await get(conn)).body.user).toBe('token:sa-token-1');

      // The kubelet rotates the projected token; the old one stays valid for a while, so the TTL decides.
      sa.write('token', 'sa-token-2');
      cluster.tokens.add('sa-token-2');
      expect((await get(conn)).body.user).toBe('token:sa-token-1');
      clock.advance(5_000);
      expect((await get(conn)).body.user).toBe('token:sa-token-2');
    } finally {
      sa.cleanup();
    }
  });

  it('is absent without a token file, and fails clearly without KUBERNETES_SERVICE_HOST', async () => {
    const sa = tempDir();
    try {
      const paths = { tokenPath: sa.path('token'), caPath: sa.path('ca.crt'), namespacePath: sa.path('namespace') };
      expect((await open({ inCluster: paths, env: {} })).contexts()).toEqual([]);
      sa.write('token', 'sa-token-1');
      const [info] = (await open({ inCluster: paths, env: {} })).contexts();
      expect(info?.error).toBe(
        'unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined',
      );
    } finally {
      sa.cleanup();
    }
  });
});
