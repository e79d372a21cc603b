/**
 * The context routes the Kore Board web UI calls, in the shapes it reads: a context's namespaces, its
 * configuration (redacted), and adding one context from the "Add a cluster" form (then using and deleting it).
 * Every answer's raw text is kept, and none may carry a secret the kubeconfigs hold.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { b64 } from '../helpers/b64';
import { startStack, type Stack } from '../helpers/stack';

let stack: Stack;
const answers: string[] = [];
const PASSWORD = 'PW-s3cret-9f2c';
/** `@`, `:` and `/`: a context name as EKS and kubeadm write them, and one that needs %2F. */
const ODD = 'team@prod:eu/west-1';
const enc = encodeURIComponent;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

async function call(
  method: string,
  path: string,
  body?: unknown,
  type = 'application/json',
): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(`${stack.url}${path}`, {
    method,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    headers: body === undefined ? {} : { 'content-type': type },
  });
  const text = await res.text();
  answers.push(text);
  return { status: res.status, body: JSON.parse(text), text };
}

const names = async () => (await call('GET', '/api/contexts')).body.contexts as string[];
const simCluster = () => ({ server: stack.sim.url, 'certificate-authority-data': b64(stack.sim.caPem) });
const addForm = (user: Record<string, unknown> = { token: stack.sim.token }) => ({
  cluster: simCluster(),
  user,
  namespace: 'shop',
});

describe('GET /api/contexts/:cluster/namespaces', () => {
  it("answers the context's namespace names, for the UI's namespace picker", async () => {
    const res = await call('GET', '/api/contexts/sim/namespaces');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['currentContext', 'namespaces']);
    expect(res.body.currentContext).toBe('sim');
    expect(res.body.namespaces).toEqual(expect.arrayContaining(['default', 'kube-system']));
    expect(res.body.namespaces.every((n: unknown) => typeof n === 'string')).toBe(true);
  });

  it('answers 404 Status for an unknown context', async () => {
    const res = await call('GET', '/api/contexts/nope/namespaces');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
  });

  it('answers an unreachable cluster with a Status naming the context, within the bound', async () => {
    const form = { cluster: { ...simCluster(), server: 'https://127.0.0.1:1' }, user: { token: stack.sim.token } };
    expect((await call('POST', '/api/contexts/unreachable', form)).status).toBe(201);
    const started = Date.now();
    const res = await call('GET', '/api/contexts/unreachable/namespaces');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect([502, 503, 504]).toContain(res.status);
    expect(res.body).toMatchObject({ kind: 'Status', status: 'Failure', code: res.status });
    expect(res.body.message).toContain('unreachable');
    expect((await call('DELETE', '/api/contexts/unreachable')).status).toBe(200);
  });
});

describe('GET /api/contexts/:cluster/config', () => {
  it('shows the entries as kubectl config view does: certificate bytes DATA+OMITTED, secrets REDACTED', async () => {
    const res = await call('GET', '/api/contexts/sim/config');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      cluster: { server: stack.sim.url, 'certificate-authority-data': 'DATA+OMITTED' },
      context: { cluster: 'kubernetes', user: 'kubernetes-admin', namespace: 'default' },
      user: { 'client-certificate-data': 'DATA+OMITTED', 'client-key-data': 'DATA+OMITTED' },
    });
    for (const secret of [b64(stack.sim.client.keyPem), b64(stack.sim.client.certPem), b64(stack.sim.caPem)])
      expect(res.text).not.toContain(secret);
  });

  it('refuses redacted=false (403): kore-board never returns credentials', async () => {
    for (const value of ['false', 'False', '0']) {
      const res = await call('GET', `/api/contexts/sim/config?redacted=${value}`);
      expect(res.status, value).toBe(403);
      expect(res.body).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403 });
      expect(res.body.message).toContain('never returns credentials');
    }
    expect((await call('GET', '/api/contexts/sim/config?redacted=true')).status).toBe(200);
    expect((await call('GET', '/api/contexts/sim/config?redacted=maybe')).status).toBe(400);
  });

  it('answers 404 Status for an unknown context', async () => {
    const res = await call('GET', '/api/contexts/nope/config');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ kind: 'Status', reason: 'NotFound' });
  });
});

describe('POST /api/contexts/:cluster (the "Add a cluster" form)', () => {
  it('adds one context named after the path, answering every name and the current context', async () => {
    const res = await call('POST', `/api/contexts/${enc(ODD)}`, addForm());
    expect(res.status).toBe(201);
    expect(Object.keys(res.body)).toEqual(['contexts', 'currentContext']);
    expect(res.body.contexts).toEqual(expect.arrayContaining([ODD, 'sim']));
    expect(res.body.currentContext).toBe('sim');
    expect(await names()).toContain(ODD);
    // Kept in kore-board's own file, its entries named after it.
    const own = await readFile(stack.ownKubeconfig, 'utf8');
    expect(own).toContain(`kore-board/${ODD}`);
  });

  it('makes a usable context: its details, namespaces and configuration are served under its name', async () => {
    const details = await call('GET', `/api/contexts/${enc(ODD)}`);
    expect(details.status).toBe(200);
    expect(details.body.currentContext.name).toBe(ODD);
    expect(details.body.currentContext.namespaces).toContain('default');
    expect(details.body.contexts).toContain(ODD);
    const namespaces = await call('GET', `/api/contexts/${enc(ODD)}/namespaces`);
    expect(namespaces.body).toEqual({ currentContext: ODD, namespaces: details.body.currentContext.namespaces });
    const config = await call('GET', `/api/contexts/${enc(ODD)}/config`);
    expect(config.body).toEqual({
      cluster: { server: stack.sim.url, 'certificate-authority-data': 'DATA+OMITTED' },
      context: { cluster: `kore-board/${ODD}`, user: `kore-board/${ODD}`, namespace: 'shop' },
      user: { token: 'REDACTED' },
    });
  });

  it('refuses a name already served, in the user files or added (409), changing nothing', async () => {
    const before = await readFile(stack.ownKubeconfig, 'utf8');
    for (const name of ['sim', ODD]) {
      const res = await call('POST', `/api/contexts/${enc(name)}`, addForm());
      expect(res.status, name).toBe(409);
      expect(res.body).toMatchObject({ kind: 'Status', reason: 'AlreadyExists', code: 409 });
    }
    expect(await readFile(stack.ownKubeconfig, 'utf8')).toBe(before);
  });

  it('refuses a body not of the form (400), naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ user: { token: 'x' } }, 'cluster'],
      [{ cluster: { server: 42 } }, 'cluster.server'],
      [{ cluster: { server: '' } }, 'cluster.server'],
      [{ cluster: simCluster(), user: { token: 7 } }, 'user.token'],
      [{ cluster: { ...simCluster(), 'insecure-skip-tls-verify': 'yes please' } }, 'cluster.insecure-skip-tls-verify'],
      [{ cluster: simCluster(), namespace: ['a'] }, 'namespace'],
      [{ cluster: simCluster(), contexts: [] }, 'contexts'],
    ];
    for (const [body, field] of cases) {
      const res = await call('POST', '/api/contexts/malformed', body);
      expect(res.status, field).toBe(400);
      expect(res.body).toMatchObject({ kind: 'Status', reason: 'BadRequest' });
      expect(res.body.message, field).toContain(`field ${field}: `);
      expect(res.body.details.causes[0].field).toBe(field);
    }
    for (const body of ['', '[1, 2]', 'not: [valid']) {
      const res = await call('POST', '/api/contexts/malformed', body, 'application/yaml');
      expect(res.status, body).toBe(400);
      expect(res.body.kind).toBe('Status');
      expect(res.body.message, body).toMatch(
        /^the context: (the body: expected Object|field cluster: expected|invalid YAML)/,
      );
    }
    expect(await names()).not.toContain('malformed');
  });

  it('refuses exec plugins and file paths as every added context does (422, one cause per field)', async () => {
    const cases: Array<[Record<string, unknown>, Record<string, unknown>, string]> = [
      [
        simCluster(),
        { exec: { command: 'sh', apiVersion: 'client.authentication.k8s.io/v1' } },
        'users[refused].user.exec',
      ],
      [simCluster(), { tokenFile: '/etc/passwd' }, 'users[refused].user.tokenFile'],
      [simCluster(), { 'client-certificate': '/c', 'client-key': '/k' }, 'users[refused].user.client-certificate'],
      [
        { server: stack.sim.url, 'certificate-authority': '/etc/ca.crt' },
        { token: 'x' },
        'clusters[refused].cluster.certificate-authority',
      ],
    ];
    for (const [cluster, user, field] of cases) {
      const res = await call('POST', '/api/contexts/refused', { cluster, user });
      expect(res.status, field).toBe(422);
      expect(res.body).toMatchObject({ kind: 'Status', reason: 'Invalid' });
      expect(res.body.details.causes.map((c: { field: string }) => c.field)).toContain(field);
    }
    expect(await names()).not.toContain('refused');
  });

  it('takes the form as YAML too, and basic auth, whose password is never shown', async () => {
    const yaml = stringify({
      cluster: { server: stack.sim.url, 'insecure-skip-tls-verify': true },
      user: { username: 'bob', password: PASSWORD },
    });
    const res = await call('POST', '/api/contexts/basic%3Ayaml', yaml, 'application/yaml');
    expect(res.status).toBe(201);
    expect(res.body.contexts).toContain('basic:yaml');
    const config = await call('GET', '/api/contexts/basic:yaml/config');
    expect(config.body).toEqual({
      cluster: { server: stack.sim.url, 'insecure-skip-tls-verify': true },
      context: { cluster: 'kore-board/basic:yaml', user: 'kore-board/basic:yaml' },
      user: { username: 'bob', password: 'REDACTED' },
    });
    expect((await call('DELETE', '/api/contexts/basic%3Ayaml')).status).toBe(200);
  });

  it('takes only JSON or YAML media types (415)', async () => {
    const res = await call('POST', '/api/contexts/typed', addForm(), 'text/plain');
    expect(res.status).toBe(415);
    expect(await names()).not.toContain('typed');
  });

  it('deletes the added context by its encoded name, then 404s it', async () => {
    const res = await call('DELETE', `/api/contexts/${enc(ODD)}`);
    expect(res.status).toBe(200);
    expect(res.body.details).toEqual({ name: ODD, kind: 'Context' });
    expect(await names()).not.toContain(ODD);
    expect(await readFile(stack.ownKubeconfig, 'utf8')).not.toContain(ODD);
    expect((await call('GET', `/api/contexts/${enc(ODD)}`)).status).toBe(404);
    expect((await call('DELETE', `/api/contexts/${enc(ODD)}`)).status).toBe(404);
  });

  it('never answered a secret: tokens, passwords, keys and certificate bytes stay out of every body', () => {
    const all = answers.join('\n');
    const secrets = [
      stack.sim.token,
      PASSWORD,
      b64(stack.sim.client.keyPem),
      b64(stack.sim.client.certPem),
      b64(stack.sim.caPem),
      stack.sim.client.keyPem.split('\n')[1]!,
    ];
    for (const secret of secrets) expect(all).not.toContain(secret);
    expect(answers.length).toBeGreaterThan(30);
  });
});
