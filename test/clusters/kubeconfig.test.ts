import { describe, expect, it } from 'vitest';
import { planContext, planContexts } from '../../lib/clusters/context-plan';
import { mergeKubeconfigs } from '../../lib/clusters/kubeconfig-merge';
import { parseKubeconfig, type KubeconfigFile } from '../../lib/clusters/kubeconfig-parse';
import { kubeconfigYaml as kubeconfig } from '../helpers/registry-fixtures';
import { b64 } from '../helpers/b64';

function plan(file: KubeconfigFile, name: string) {
  return planContext(mergeKubeconfigs([file]), name);
}

function single(
  cluster: Record<string, unknown>,
  user: Record<string, unknown> = {},
  context: Record<string, unknown> = {},
) {
  return parseKubeconfig(
    kubeconfig({
      clusters: { c: cluster },
      users: { u: user },
      contexts: { x: { cluster: 'c', user: 'u', ...context } },
    }),
    '/cfg/config',
    '/cfg',
  );
}

describe('parseKubeconfig', () => {
  it('reads YAML 1.1 as client-go does: yes is true, null is absent, unknown fields are ignored', () => {
    const file = parseKubeconfig(
      [
        'apiVersion: v1',
        'kind: Config',
        'preferences: {colors: true}',
        'clusters:',
        '- name: c',
        '  cluster: {server: "https://h:6443", insecure-skip-tls-verify: yes, future-field: 1, tls-server-name: ~}',
        'contexts:',
        '- name: x',
        '  context: {cluster: c, namespace: null}',
        'current-context: x',
      ].join('\n'),
      '/k/config',
      '/k',
    );
    expect(file.error).toBeUndefined();
    expect(file.clusters[0]).toMatchObject({
      name: 'c',
      origin: '/k/config',
      value: { server: 'https://h:6443', 'insecure-skip-tls-verify': true },
    });
    expect(file.clusters[0]?.value).not.toHaveProperty('future-field');
    expect(file.clusters[0]?.value?.['tls-server-name']).toBeUndefined();
    expect(file.contexts[0]?.value?.namespace).toBeUndefined();
    expect(file.currentContext).toBe('x');
  });

  it('resolves relative file references against the file directory, like client-go ResolveLocalPaths', () => {
    const file = parseKubeconfig(
      kubeconfig({
        clusters: { c: { server: 'https://h', 'certificate-authority': 'pki/ca.crt' } },
        users: {
          rel: { 'client-certificate': 'pki/u.crt', 'client-key': '../keys/u.key', tokenFile: 'tok' },
          abs: {
            'client-certificate': '/etc/u.crt',
            exec: { command: './bin/plugin', apiVersion: 'client.authentication.k8s.io/v1beta1' },
          },
          path: { exec: { command: 'aws', apiVersion: 'client.authentication.k8s.io/v1beta1' } },
        },
      }),
      '/home/me/.kube/config',
      '/home/me/.kube',
    );
    expect(file.clusters[0]?.value?.['certificate-authority']).toBe('/home/me/.kube/pki/ca.crt');
    const users = Object.fromEntries(file.users.map((u) => [u.name, u.value]));
    expect(users.rel).toMatchObject({
      'client-certificate': '/home/me/.kube/pki/u.crt',
      'client-key': '/home/me/keys/u.key',
      tokenFile: '/home/me/.kube/tok',
    });
    expect(users.abs?.['client-certificate']).toBe('/etc/u.crt');
    expect(users.abs?.exec?.command).toBe('/home/me/.kube/bin/plugin');
    // A bare command is looked up on PATH, not next to the file.
    expect(users.path?.exec?.command).toBe('aws');
  });

  it('fails one entry of the wrong type without quoting its value', () => {
    const file = parseKubeconfig(kubeconfig({ users: { bad: { token: 123456789 }, good: { token: 't' } } }), '/k', '/');
    const bad = file.users.find((u) => u.name === 'bad');
    expect(bad?.error).toMatch(/user "bad" in \/k is invalid: field token: expected/);
    expect(bad?.error).not.toContain('123456789');
    expect(file.users.find((u) => u.name === 'good')?.value?.token).toBe('t');
  });

  it('marks a name defined twice in one file as an error, as kubectl refuses such a file', () => {
    const text =
      'clusters:\n- name: c\n  cluster: {server: "https://a"}\n- name: c\n  cluster: {server: "https://b"}\n';
    expect(parseKubeconfig(text, '/k', '/').clusters).toEqual([
      { name: 'c', origin: '/k', error: 'cluster "c" is defined more than once in /k' },
    ]);
  });

  it('fails the contexts a syntactically broken file still names, without echoing its text', () => {
    const text =
      'contexts:\n- name: prod\n  context: {cluster: c, user: u}\nusers:\n  - name: u\n   user: {token: SECRETTOKEN}\n';
    const file = parseKubeconfig(text, '/k/broken', '/k');
    expect(file.error).toMatch(/^\/k\/broken: invalid YAML: .* at line 6, column \d+$/);
    expect(file.error).not.toContain('SECRETTOKEN');
    expect(file.contexts).toEqual([{ name: 'prod', origin: '/k/broken', error: file.error }]);
    expect(file.users).toEqual([]);
  });

  it('treats an empty file as an empty config and a non-mapping as unusable', () => {
    expect(parseKubeconfig('', '/k', '/')).toMatchObject({ contexts: [] });
    expect(parseKubeconfig('', '/k', '/').error).toBeUndefined();
    expect(parseKubeconfig('- a\n- b\n', '/k', '/').error).toBe('/k: not a kubeconfig: the document is not a mapping');
    expect(parseKubeconfig('contexts: {a: 1}\n', '/k', '/').error).toBe('/k: contexts must be a list');
  });

  it('ignores entries without a name, with a warning', () => {
    const file = parseKubeconfig('clusters:\n- cluster: {server: "https://a"}\n', '/k', '/');
    expect(file.clusters).toEqual([]);
    expect(file.warnings).toEqual(['/k: clusters[0] has no name (or one that is not a string) and is ignored']);
    // YAML 1.1, as kubectl reads it: an unquoted `y` is a boolean, not a name.
    expect(parseKubeconfig('contexts:\n- name: y\n  context: {}\n', '/k', '/').contexts).toEqual([]);
  });

  it('keeps dates and base-60 numbers as strings, as go-yaml v2 reads them for client-go', () => {
    const file = parseKubeconfig(
      'users:\n- name: 2024-06-01\n  user: {token: 12:34:56, as: 2001-12-14t21:59:43.10-05:00, as-groups: [1:20, 190:20:30.15]}\n',
      '/k',
      '/',
    );
    expect(file.users).toEqual([
      {
        name: '2024-06-01',
        origin: '/k',
        value: expect.objectContaining({
          token: '12:34:56',
          as: '2001-12-14t21:59:43.10-05:00',
          'as-groups': ['1:20', '190:20:30.15'],
        }),
      },
    ]);
  });

  it('merges `<<` in go-yaml v2 order: merged keys replace those set before them, the first map of a list wins', () => {
    const text = [
      'x-a: &a {server: "https://a", tls-server-name: a}',
      'x-b: &b {server: "https://b", proxy-url: "http://b"}',
      'clusters:',
      '- {name: before, cluster: {server: "https://own", <<: *a}}',
      '- {name: after, cluster: {<<: *a, server: "https://own"}}',
      '- {name: list, cluster: {proxy-url: "http://own", <<: [*a, *b]}}',
    ].join('\n');
    const clusters = Object.fromEntries(parseKubeconfig(text, '/k', '/').clusters.map((c) => [c.name, c.value]));
    expect(clusters.before).toEqual(expect.objectContaining({ server: 'https://a', 'tls-server-name': 'a' }));
    expect(clusters.after).toEqual(expect.objectContaining({ server: 'https://own', 'tls-server-name': 'a' }));
    expect(clusters.list).toEqual(
      expect.objectContaining({ server: 'https://a', 'tls-server-name': 'a', 'proxy-url': 'http://b' }),
    );
    expect(parseKubeconfig('x: &s scalar\nclusters:\n- {name: c, cluster: {<<: *s}}\n', '/k', '/').error).toBe(
      '/k: invalid YAML: merge sources must be maps or map aliases',
    );
  });

  it('refuses a document that is not a v1 Config, as client-go does; an absent or empty apiVersion or kind is v1 Config', () => {
    const text = (header: string) => `${header}\ncontexts:\n- {name: x, context: {}}\n`;
    expect(parseKubeconfig(text('apiVersion: v2\nkind: Config'), '/k', '/')).toMatchObject({
      error: '/k: not a kubeconfig: apiVersion "v2", kind "Config" (want v1 Config)',
      contexts: [{ name: 'x', error: expect.any(String) }],
    });
    expect(parseKubeconfig(text('apiVersion: v1\nkind: Pod'), '/k', '/').error).toBe(
      '/k: not a kubeconfig: apiVersion "v1", kind "Pod" (want v1 Config)',
    );
    expect(parseKubeconfig(text('apiVersion: 1'), '/k', '/').error).toBe(
      '/k: not a kubeconfig: apiVersion that is not a string, kind that is not a string (want v1 Config)',
    );
    for (const header of ['', 'kind: Config', 'apiVersion: v1', 'apiVersion: ""\nkind: ~'])
      expect(parseKubeconfig(text(header), '/k', '/').error).toBeUndefined();
  });

  it('reads an empty string as an absent field, as Go does', () => {
    const file = parseKubeconfig(
      'contexts:\n- {name: x, context: {cluster: c, namespace: ""}}\nusers:\n- {name: u, user: {tokenFile: ""}}\n',
      '/k',
      '/k',
    );
    expect(file.contexts[0]?.value).toEqual({ cluster: 'c', namespace: undefined, extensions: undefined });
    expect(file.users[0]?.value?.tokenFile).toBeUndefined();
  });
});

describe('mergeKubeconfigs', () => {
  it('lets the first file that defines a name win whole, and takes current-context from the first that sets it', () => {
    const first = parseKubeconfig(
      kubeconfig({
        clusters: { shared: { server: 'https://first' } },
        users: { u: { token: 'a' } },
        contexts: { x: { cluster: 'shared', user: 'u' } },
      }),
      '/1',
      '/',
    );
    const second = parseKubeconfig(
      kubeconfig({
        clusters: {
          shared: { server: 'https://second', 'tls-server-name': 'extra' },
          only2: { server: 'https://two' },
        },
        users: { u: { token: 'b', as: 'someone' } },
        contexts: { x: { cluster: 'only2' }, y: { cluster: 'shared' } },
        current: 'y',
      }),
      '/2',
      '/',
    );
    const third = parseKubeconfig(kubeconfig({ current: 'x' }), '/3', '/');
    const merged = mergeKubeconfigs([first, second, third]);
    expect(merged.clusters.get('shared')).toEqual({
      name: 'shared',
      origin: '/1',
      value: expect.objectContaining({ server: 'https://first' }),
    });
    expect(merged.clusters.get('shared')?.value?.['tls-server-name']).toBeUndefined();
    expect(merged.users.get('u')?.value).toMatchObject({ token: 'a' });
    expect(merged.users.get('u')?.value?.as).toBeUndefined();
    expect(merged.contexts.get('x')?.origin).toBe('/1');
    expect(merged.contexts.get('y')?.origin).toBe('/2');
    expect(merged.clusters.get('only2')?.origin).toBe('/2');
    expect(merged.currentContext).toBe('y');
    expect(planContexts(merged).map((p) => [p.info.name, p.info.server])).toEqual([
      ['x', 'https://first'],
      ['y', 'https://first'],
    ]);
  });
});

describe('planContext', () => {
  it('builds a connection plan with CA data, client cert files, token and namespace', () => {
    const file = single(
      { server: 'https://10.0.0.1:6443', 'certificate-authority-data': b64('CA'), 'tls-server-name': 'kubernetes' },
      { 'client-certificate': 'u.crt', 'client-key': 'u.key', token: 'tok' },
      { namespace: 'team-a' },
    );
    const p = plan(file, 'x');
    expect(p.info).toEqual({
      name: 'x',
      cluster: 'c',
      server: 'https://10.0.0.1:6443',
      user: 'u',
      namespace: 'team-a',
      inCluster: false,
      source: '/cfg/config',
    });
    expect(p.plan?.server.href).toBe('https://10.0.0.1:6443/');
    expect(Buffer.from(p.plan!.tls.ca!.data!).toString()).toBe('CA');
    expect(p.plan?.tls).toMatchObject({
      insecure: false,
      servername: 'kubernetes',
      cert: { path: '/cfg/u.crt' },
      key: { path: '/cfg/u.key' },
    });
    expect(p.plan?.auth).toEqual({ kind: 'token', token: 'tok' });
  });

  it('defaults the namespace to "default" and accepts a context without a user (anonymous)', () => {
    const file = parseKubeconfig(
      kubeconfig({ clusters: { c: { server: 'https://h' } }, contexts: { x: { cluster: 'c' } } }),
      '/k',
      '/',
    );
    expect(plan(file, 'x')).toMatchObject({
      info: { namespace: 'default', user: '' },
      plan: { auth: { kind: 'none' } },
    });
  });

  it.each([
    [
      'a missing cluster',
      { contexts: { x: { cluster: 'nope', user: 'u' } }, users: { u: {} } },
      'cluster "nope" was not found for context "x"',
    ],
    [
      'a missing user',
      { clusters: { c: { server: 'https://h' } }, contexts: { x: { cluster: 'c', user: 'ghost' } } },
      'user "ghost" was not found for context "x"',
    ],
    [
      'no cluster at all',
      { contexts: { x: { user: 'u' } }, users: { u: {} } },
      'cluster was not specified for context "x"',
    ],
    [
      'a cluster without server',
      { clusters: { c: {} }, contexts: { x: { cluster: 'c' } } },
      'no server found for cluster "c"',
    ],
  ])('fails a context with %s', (_what, doc, error) => {
    expect(plan(parseKubeconfig(kubeconfig(doc), '/k', '/'), 'x').info.error).toBe(error);
  });

  it.each([
    [
      { server: 'https://h', 'certificate-authority-data': 'not base64!' },
      {},
      'certificate-authority-data of cluster "c" is not valid base64',
    ],
    [
      { server: 'https://h', 'certificate-authority-data': 'QUJD' + 'RA' },
      {},
      'certificate-authority-data of cluster "c" is not valid base64',
    ],
    [
      { server: 'https://h', 'insecure-skip-tls-verify': true, 'certificate-authority': '/ca' },
      {},
      'cluster "c": specifying a root certificates file with the insecure flag is not allowed',
    ],
    [
      { server: 'https://h', 'certificate-authority': '/ca', 'certificate-authority-data': b64('x') },
      {},
      'certificate-authority-data and certificate-authority are both specified for cluster "c"',
    ],
    [
      { server: 'https://h' },
      { 'client-certificate-data': b64('x') },
      'client-key-data or client-key must be specified for user "u" to use the clientCert authentication method',
    ],
    [
      { server: 'https://h' },
      { token: 't', username: 'a', password: 'b' },
      'more than one authentication method found for user "u"; found [token basicAuth], only one is allowed',
    ],
    [
      { server: 'https://h' },
      { 'as-groups': ['g'] },
      'requesting uid, groups or user-extra for user "u" without impersonating a user',
    ],
    [
      { server: 'https://h', 'proxy-url': 'ftp://p:21' },
      {},
      'invalid proxy-url for cluster "c": unsupported scheme "ftp", must be http, https, or socks5',
    ],
    [{ server: 'https://bad host' }, {}, 'server "https://bad host" of cluster "c" is not a valid URL'],
    [
      { server: 'h:6443/with/path' },
      {},
      'server "h:6443/with/path" of cluster "c": host must be a URL or a host:port pair',
    ],
    [
      { server: 'https://h' },
      { 'auth-provider': { name: 'gcp' } },
      'auth-provider "gcp" of user "u" is not supported (kubectl removed it); use its exec plugin instead',
    ],
  ])('rejects %j / %j', (cluster, user, error) => {
    expect(plan(single(cluster, user), 'x').info.error).toBe(error);
  });

  it('rejects a namespace that is not a DNS label', () => {
    expect(plan(single({ server: 'https://h' }, {}, { namespace: 'Bad_NS' }), 'x').info.error).toBe(
      'namespace "Bad_NS" for context "x" does not conform to the kubernetes DNS_LABEL rules',
    );
  });

  it('adds http:// to a bare host even with TLS configured, as kubectl decides before applying the CA', () => {
    expect(plan(single({ server: '10.0.0.1:6443', 'insecure-skip-tls-verify': true }), 'x').plan?.server.href).toBe(
      'http://10.0.0.1:6443/',
    );
    expect(plan(single({ server: 'localhost:8080' }), 'x').plan?.server.href).toBe('http://localhost:8080/');
    // A full URL keeps its path prefix (Rancher-style), and never its credentials.
    const p = plan(single({ server: 'https://admin:pw@rancher.example/k8s/clusters/c-1' }), 'x');
    expect(p.plan?.server.href).toBe('https://rancher.example/k8s/clusters/c-1');
    expect(p.info.server).toBe('https://rancher.example/k8s/clusters/c-1');
  });

  it('sends no credentials and applies no TLS settings over http, as kubectl; impersonation and the proxy stay', () => {
    const user = { token: 't', 'client-certificate-data': b64('C'), 'client-key-data': b64('K'), as: 'jane' };
    const cluster = { 'certificate-authority-data': b64('CA'), 'tls-server-name': 'n', 'proxy-url': 'http://p:3128' };
    for (const server of ['http://h:8080', 'h:6443']) {
      const p = plan(single({ ...cluster, server }, user), 'x').plan;
      expect(p?.tls).toEqual({ insecure: false });
      expect(p).toMatchObject({
        auth: { kind: 'none' },
        impersonate: { user: 'jane' },
        proxyUrl: new URL('http://p:3128'),
      });
    }
    expect(plan(single({ ...cluster, server: 'https://h' }, user), 'x').plan).toMatchObject({
      tls: { servername: 'n', ca: { field: 'certificate-authority-data' } },
      auth: { kind: 'token' },
    });
    // The checks still apply, as kubectl makes them before it looks at the scheme.
    expect(
      plan(
        single({ server: 'http://h', 'insecure-skip-tls-verify': true, 'certificate-authority-data': b64('CA') }),
        'x',
      ).info.error,
    ).toMatch(/insecure flag is not allowed/);
  });

  it('accepts proxy-url schemes http, https and socks5', () => {
    for (const proxy of ['http://p:3128', 'https://p:443', 'socks5://p:1080']) {
      expect(plan(single({ server: 'https://h', 'proxy-url': proxy }), 'x').plan?.proxyUrl?.href).toBe(
        new URL(proxy).href,
      );
    }
  });

  it('plans basic auth and impersonation', () => {
    const p = plan(
      single(
        { server: 'https://h' },
        {
          username: 'admin',
          password: 'pw',
          as: 'jane',
          'as-uid': '42',
          'as-groups': ['dev', 'ops'],
          'as-user-extra': { 'example.com/scopes': ['a', 'b'] },
        },
      ),
      'x',
    );
    expect(p.plan?.auth).toEqual({ kind: 'basic', username: 'admin', password: 'pw' });
    expect(p.plan?.impersonate).toEqual({
      user: 'jane',
      uid: '42',
      groups: ['dev', 'ops'],
      extra: { 'example.com/scopes': ['a', 'b'] },
    });
  });

  describe('exec plugins', () => {
    const exec = (e: Record<string, unknown>, user: Record<string, unknown> = {}) =>
      plan(
        single(
          {
            server: 'https://h',
            'certificate-authority-data': b64('CA'),
            extensions: [{ name: 'client.authentication.k8s.io/exec', extension: { audience: 'k' } }],
          },
          { exec: e, ...user },
        ),
        'x',
      );

    it('plans a v1beta1 plugin, defaulting interactiveMode to IfAvailable, with cluster info for KUBERNETES_EXEC_INFO', () => {
      const p = exec({
        command: 'get-token',
        args: ['--x'],
        env: [{ name: 'A', value: '1' }, { name: 'B' }],
        apiVersion: 'client.authentication.k8s.io/v1beta1',
        installHint: 'install it',
        provideClusterInfo: true,
      });
      expect(p.plan?.auth).toEqual({
        kind: 'exec',
        exec: {
          user: 'u',
          command: 'get-token',
          args: ['--x'],
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '' },
          ],
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          installHint: 'install it',
          provideClusterInfo: true,
          cluster: { server: 'https://h', config: { audience: 'k' } },
        },
      });
    });

    it.each([
      [
        { command: 'p', apiVersion: 'client.authentication.k8s.io/v1' },
        'interactiveMode must be specified for user "u" to use exec authentication plugin',
      ],
      [
        { command: 'p', apiVersion: 'client.authentication.k8s.io/v1', interactiveMode: 'Always' },
        'exec plugin of user "u" requires an interactive terminal (interactiveMode: Always); kore-board never runs plugins interactively',
      ],
      [
        { command: 'p', apiVersion: 'client.authentication.k8s.io/v1', interactiveMode: 'Sometimes' },
        'invalid interactiveMode for user "u": "Sometimes"',
      ],
      [
        { command: 'p', apiVersion: 'client.authentication.k8s.io/v1alpha1' },
        'exec plugin of user "u": unsupported apiVersion "client.authentication.k8s.io/v1alpha1" (supported: client.authentication.k8s.io/v1, client.authentication.k8s.io/v1beta1)',
      ],
      [
        { apiVersion: 'client.authentication.k8s.io/v1' },
        'command must be specified for user "u" to use exec authentication plugin',
      ],
      [{ command: 'p' }, 'apiVersion must be specified for user "u" to use exec authentication plugin'],
      [
        { command: 'p', apiVersion: 'client.authentication.k8s.io/v1beta1', env: [{ value: 'x' }] },
        'env variable name must be specified for user "u" to use exec authentication plugin',
      ],
    ])('rejects %j', (e, error) => {
      expect(exec(e).info.error).toBe(error);
    });

    it('is skipped when the user already has a token or a client certificate (client-go precedence)', () => {
      const e = { command: 'p', apiVersion: 'client.authentication.k8s.io/v1', interactiveMode: 'Never' };
      expect(exec(e, { token: 't' }).plan?.auth).toEqual({ kind: 'token', token: 't' });
      expect(exec(e, { 'client-certificate': '/c', 'client-key': '/k' }).plan?.auth).toEqual({ kind: 'none' });
    });
  });
});
