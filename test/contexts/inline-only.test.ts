/**
 * Contexts added through the API (and whatever else sits in kore-board's own kubeconfig) may carry only
 * inline material: an exec plugin would run a command on the kore-board host, a file path would have it read
 * a local file (its service-account token, say) and send it to a server the caller chose.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { readKubeconfigDoc, validateUpload } from '../../lib/contexts/own-kubeconfig';
import { b64 } from '../helpers/b64';
import { startStack, type Stack } from '../helpers/stack';
import { statusOf } from '../helpers/status-of';

interface Reply {
  status: number;
  body: any;
}

/** One stack's view of the API, with what the cases below need to build kubeconfigs for its sim. */
function client(stack: Stack) {
  const call = async (method: string, path: string, body?: string): Promise<Reply> => {
    const res = await fetch(`${stack.url}${path}`, {
      method,
      body,
      headers: body === undefined ? {} : { 'content-type': 'application/yaml' },
    });
    return { status: res.status, body: await res.json() };
  };
  const inlineCluster = () => ({ server: stack.sim.url, 'certificate-authority-data': b64(stack.sim.caPem) });
  /** An exec user whose plugin leaves `marker` behind and would authenticate as the sim's admin. */
  const execUser = (marker: string) => ({
    exec: {
      apiVersion: 'client.authentication.k8s.io/v1',
      interactiveMode: 'Never',
      command: 'sh',
      args: [
        '-c',
        `touch '${marker}'; printf '%s' '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${stack.sim.token}"}}'`,
      ],
    },
  });
  const ownFile = async () => readFile(stack.ownKubeconfig, 'utf8').catch(() => '');
  const listed = async (name: string) =>
    ((await call('GET', '/api/clusters')).body.clusters as Array<{ name: string; error?: string }>).find(
      (c) => c.name === name,
    );
  return { call, inlineCluster, execUser, ownFile, listed };
}

/** A kubeconfig with one context `name` (cluster `c`, user `u`), given as YAML. */
function kubeconfig(
  name: string,
  cluster: Record<string, unknown>,
  user: Record<string, unknown>,
  context: Record<string, unknown> = {},
): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster }],
    users: [{ name: 'u', user }],
    contexts: [{ name, context: { cluster: 'c', user: 'u', ...context } }],
  });
}

describe('uploads without --allow-added-context-exec', () => {
  let stack: Stack;
  let api: ReturnType<typeof client>;
  let files: string;
  beforeAll(async () => {
    stack = await startStack();
    api = client(stack);
    files = join(stack.dir, 'host-files');
    await mkdir(files);
    await writeFile(join(files, 'ca.crt'), stack.sim.caPem);
    await writeFile(join(files, 'client.crt'), stack.sim.client.certPem);
    await writeFile(join(files, 'client.key'), stack.sim.client.keyPem);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('refuses an exec plugin (422 naming users[u].user.exec); the plugin never runs, not even on a later request', async () => {
    const marker = join(stack.dir, 'exec-ran');
    const before = await api.ownFile();
    const res = await api.call(
      'POST',
      '/api/contexts',
      kubeconfig('with-exec', api.inlineCluster(), api.execUser(marker)),
    );
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ kind: 'Status', reason: 'Invalid', code: 422 });
    expect(res.body.details.causes).toEqual([
      {
        reason: 'FieldValueForbidden',
        field: 'users[u].user.exec',
        message: expect.stringContaining('--allow-added-context-exec'),
      },
    ]);
    expect(res.body.message).toContain('users[u].user.exec runs a command on the kore-board host');

    expect((await fetch(`${stack.url}/raw/clusters/with-exec/api`)).status).toBe(404);
    expect(existsSync(marker)).toBe(false);
    expect(await api.ownFile()).toBe(before);
    expect(await api.listed('with-exec')).toBeUndefined();
  });

  it('refuses a tokenFile (422); the secret the file holds never reaches the cluster', async () => {
    const secret = 'only-in-the-token-file-0123456789';
    await writeFile(join(files, 'token'), secret);
    // The sim would accept this token: had kore-board read the file and sent it, the request would succeed.
    stack.sim.addToken(secret);
    const before = await api.ownFile();
    const res = await api.call(
      'POST',
      '/api/contexts',
      kubeconfig('with-token-file', api.inlineCluster(), { tokenFile: join(files, 'token') }),
    );
    expect(res.status).toBe(422);
    expect(res.body.details.causes.map((c: { field: string }) => c.field)).toEqual(['users[u].user.tokenFile']);
    expect(res.body.message).toContain('users[u].user.tokenFile reads a file on the kore-board host');
    expect(res.body.message).not.toContain(secret);
    expect((await fetch(`${stack.url}/raw/clusters/with-token-file/api`)).status).toBe(404);
    expect(await api.ownFile()).toBe(before);
  });

  // Each of these would connect (the files hold the sim's real CA and client certificate; the id-token is
  // valid): they are refused for what they make kore-board do, not because they would fail.
  const refused: Array<[string, string, () => [Record<string, unknown>, Record<string, unknown>]]> = [
    [
      'auth-provider',
      'users[u].user.auth-provider',
      () => [api.inlineCluster(), { 'auth-provider': { name: 'oidc', config: { 'id-token': stack.sim.token } } }],
    ],
    [
      'certificate-authority',
      'clusters[c].cluster.certificate-authority',
      () => [{ server: stack.sim.url, 'certificate-authority': join(files, 'ca.crt') }, { token: stack.sim.token }],
    ],
    [
      'client-certificate',
      'users[u].user.client-certificate',
      () => [
        api.inlineCluster(),
        { 'client-certificate': join(files, 'client.crt'), 'client-key-data': b64(stack.sim.client.keyPem) },
      ],
    ],
    [
      'client-key',
      'users[u].user.client-key',
      () => [
        api.inlineCluster(),
        { 'client-certificate-data': b64(stack.sim.client.certPem), 'client-key': join(files, 'client.key') },
      ],
    ],
  ];
  it.each(refused)('refuses %s (422 naming %s), adding nothing', async (field, path, entries) => {
    const [cluster, user] = entries();
    const before = await api.ownFile();
    const res = await api.call('POST', '/api/contexts', kubeconfig(`with-${field}`, cluster, user));
    expect(res.status).toBe(422);
    expect(res.body.reason).toBe('Invalid');
    expect(res.body.details.causes.map((c: { field: string }) => c.field)).toEqual([path]);
    expect(res.body.message).toContain(path);
    expect(await api.ownFile()).toBe(before);
    expect(await api.listed(`with-${field}`)).toBeUndefined();
  });

  it('names every offending field of every context at once', async () => {
    const res = await api.call(
      'POST',
      '/api/contexts',
      kubeconfig(
        'many',
        { server: stack.sim.url, 'certificate-authority': join(files, 'ca.crt') },
        { ...api.execUser(join(stack.dir, 'never')), tokenFile: join(files, 'token') },
      ),
    );
    expect(res.status).toBe(422);
    expect(res.body.details.causes.map((c: { field: string }) => c.field).sort()).toEqual([
      'clusters[c].cluster.certificate-authority',
      'users[u].user.exec',
      'users[u].user.tokenFile',
    ]);
  });

  it('adds an inline-only context (minikube-style extensions and all) that then serves requests', async () => {
    const extensions = [{ name: 'cluster_info', extension: { provider: 'minikube.sigs.k8s.io', version: 'v1.32.0' } }];
    const res = await api.call(
      'POST',
      '/api/contexts',
      kubeconfig(
        'inline',
        { ...api.inlineCluster(), extensions },
        { token: stack.sim.token },
        { namespace: 'shop', extensions },
      ),
    );
    expect(res.status).toBe(201);
    expect(res.body.added).toEqual(['inline']);
    const namespaces = await fetch(`${stack.url}/raw/clusters/inline/api/v1/namespaces`);
    expect(namespaces.status).toBe(200);
    expect(
      ((await namespaces.json()) as { items: Array<{ metadata: { name: string } }> }).items.map((n) => n.metadata.name),
    ).toContain('shop');
    expect(await api.listed('inline')).not.toHaveProperty('error');
  });

  it("loads a hand-written exec or tokenFile context in its own kubeconfig as broken, running and reading nothing; the user's own file still runs its plugin", async () => {
    const marker = join(stack.dir, 'own-file-exec-ran');
    const trustedMarker = join(stack.dir, 'user-file-exec-ran');
    const secret = 'own-file-token-file-secret-0123456789';
    await writeFile(join(files, 'own-token'), secret);
    stack.sim.addToken(secret);
    // The user's file gains an exec user. Any context that mixes it with an entry of kore-board's own file is
    // restricted: its credentials must not go to a server the own file names, nor an own-file user run from a trusted context.
    const user = parse(await readFile(stack.userKubeconfig, 'utf8'));
    user.users.push({ name: 'trusted-exec', user: api.execUser(trustedMarker) });
    user.contexts.push(
      { name: 'trusted', context: { cluster: 'kubernetes', user: 'trusted-exec' } },
      { name: 'to-own-cluster', context: { cluster: 'hand', user: 'trusted-exec' } },
      { name: 'with-own-user', context: { cluster: 'kubernetes', user: 'hand-exec' } },
    );
    await writeFile(stack.userKubeconfig, stringify(user));
    const own = readKubeconfigDoc(await api.ownFile());
    own.clusters.push({ name: 'hand', cluster: api.inlineCluster() });
    own.users.push(
      { name: 'hand-exec', user: api.execUser(marker) },
      { name: 'hand-file', user: { tokenFile: join(files, 'own-token') } },
    );
    own.contexts.push(
      { name: 'hand-exec', context: { cluster: 'hand', user: 'hand-exec' } },
      { name: 'hand-file', context: { cluster: 'hand', user: 'hand-file' } },
      { name: 'borrowed', context: { cluster: 'hand', user: 'trusted-exec' } },
    );
    await writeFile(stack.ownKubeconfig, stringify(own));
    await stack.registry.reload();

    expect((await api.listed('hand-exec'))?.error).toBe(
      `context "hand-exec" may carry only inline material, as it uses kore-board's own kubeconfig: users[hand-exec].user.exec runs a command on the kore-board host (allowed only when kore-board runs with --allow-added-context-exec)`,
    );
    expect((await api.listed('hand-file'))?.error).toContain(
      'users[hand-file].user.tokenFile reads a file on the kore-board host',
    );
    expect((await api.listed('borrowed'))?.error).toContain('users[trusted-exec].user.exec runs a command');
    expect((await api.listed('to-own-cluster'))?.error).toContain('users[trusted-exec].user.exec runs a command');
    expect((await api.listed('with-own-user'))?.error).toContain('users[hand-exec].user.exec runs a command');
    for (const name of ['hand-exec', 'hand-file', 'borrowed', 'to-own-cluster', 'with-own-user']) {
      const res = await fetch(`${stack.url}/raw/clusters/${name}/api`);
      expect(res.status, name).toBe(503);
      expect(((await res.json()) as { message: string }).message, name).toContain('may carry only inline material');
    }
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(trustedMarker)).toBe(false);

    // Trusted as kubectl trusts it: the same kind of plugin, from the user's file, runs and authenticates.
    expect((await fetch(`${stack.url}/raw/clusters/trusted/api`)).status).toBe(200);
    expect(existsSync(trustedMarker)).toBe(true);
  });
});

describe('uploads with --allow-added-context-exec', () => {
  let stack: Stack;
  let api: ReturnType<typeof client>;
  beforeAll(async () => {
    stack = await startStack({}, {}, { allowAddedContextExec: true });
    api = client(stack);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('adds an exec-plugin context, whose plugin then authenticates requests', async () => {
    const marker = join(stack.dir, 'allowed-exec-ran');
    const res = await api.call(
      'POST',
      '/api/contexts',
      kubeconfig('exec-allowed', api.inlineCluster(), api.execUser(marker)),
    );
    expect(res.status).toBe(201);
    expect(existsSync(marker)).toBe(false);
    expect((await fetch(`${stack.url}/raw/clusters/exec-allowed/api/v1/namespaces`)).status).toBe(200);
    expect(existsSync(marker)).toBe(true);
  });

  it('still refuses file paths', async () => {
    const tokenFile = join(stack.dir, 'token');
    await writeFile(tokenFile, stack.sim.token);
    const res = await api.call(
      'POST',
      '/api/contexts',
      kubeconfig('file-still-refused', { server: stack.sim.url, 'certificate-authority': tokenFile }, { tokenFile }),
    );
    expect(res.status).toBe(422);
    expect(res.body.details.causes.map((c: { field: string }) => c.field)).toEqual([
      'clusters[c].cluster.certificate-authority',
      'users[u].user.tokenFile',
    ]);
  });

  it('loads a hand-written exec context in its own kubeconfig and runs it', async () => {
    const marker = join(stack.dir, 'hand-exec-ran');
    const own = readKubeconfigDoc(await api.ownFile());
    own.clusters.push({ name: 'hand', cluster: api.inlineCluster() });
    own.users.push({ name: 'hand', user: api.execUser(marker) });
    own.contexts.push({ name: 'hand', context: { cluster: 'hand', user: 'hand' } });
    await writeFile(stack.ownKubeconfig, stringify(own));
    await stack.registry.reload();
    expect(await api.listed('hand')).not.toHaveProperty('error');
    expect((await fetch(`${stack.url}/raw/clusters/hand/api`)).status).toBe(200);
    expect(existsSync(marker)).toBe(true);
  });
});

describe('validateUpload', () => {
  const cluster = { server: 'https://127.0.0.1:6443', 'insecure-skip-tls-verify': true };

  it('accepts basic auth and impersonation, and ignores empty paths as client-go does', () => {
    const user = {
      username: 'bob',
      password: 'pw',
      as: 'alice',
      'as-groups': ['dev'],
      'as-uid': '1',
      'as-user-extra': { scopes: ['x'] },
      tokenFile: '',
      'client-key': '',
    };
    expect(validateUpload(kubeconfig('ok', cluster, user), '/tmp').contexts.map((c) => c.name)).toEqual(['ok']);
  });

  it('refuses exec by default, allows it as an option, and refuses files either way', () => {
    const exec = { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'aws' } };
    expect(statusOf(() => validateUpload(kubeconfig('e', cluster, exec), '/tmp')).code).toBe(422);
    expect(validateUpload(kubeconfig('e', cluster, exec), '/tmp', { allowExec: true }).contexts).toHaveLength(1);
    const relative = statusOf(() =>
      validateUpload(kubeconfig('f', cluster, { ...exec, tokenFile: 'token' }), '/tmp', { allowExec: true }),
    );
    expect(relative.details?.causes?.map((c) => c.field)).toEqual(['users[u].user.tokenFile']);
  });

  it('checks only what the contexts use, since only that is stored', () => {
    const doc = stringify({
      clusters: [{ name: 'c', cluster }],
      users: [{ name: 'unused', user: { tokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token' } }],
      contexts: [{ name: 'anonymous', context: { cluster: 'c' } }],
    });
    expect(validateUpload(doc, '/tmp').contexts.map((c) => c.name)).toEqual(['anonymous']);
  });
});
