import { readFile, stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startStack, type Stack } from '../helpers/stack';
import { b64 } from '../helpers/b64';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

/** A kubeconfig for the same simulated cluster under another context name, with a token user. */
function upload(contexts: Array<{ name: string; cluster?: string; server?: string }>): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'c', cluster: { server: stack.sim.url, 'certificate-authority-data': b64(stack.sim.caPem) } },
      { name: 'down', cluster: { server: 'https://127.0.0.1:1', 'certificate-authority-data': b64(stack.sim.caPem) } },
    ],
    users: [{ name: 'u', user: { token: stack.sim.token } }],
    contexts: contexts.map((c) => ({
      name: c.name,
      context: { cluster: c.cluster ?? 'c', user: 'u', namespace: 'shop' },
    })),
  });
}

async function call(method: string, path: string, body?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${stack.url}${path}`, {
    method,
    body,
    headers: body === undefined ? {} : { 'content-type': 'application/yaml' },
  });
  return { status: res.status, body: await res.json() };
}

const names = async () => ((await call('GET', '/api/clusters')).body.contexts as string[]).sort();

describe('GET /api/contexts/:cluster', () => {
  it('describes a context as the Kore Board web UI reads it: every context name, the details in currentContext', async () => {
    const res = await call('GET', '/api/contexts/sim');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['contexts', 'currentContext']);
    expect(res.body.contexts).toEqual(await names());
    const details = res.body.currentContext;
    expect(Object.keys(details)).toEqual(['name', 'namespaces', 'kubernetesVersion', 'platform', 'resources']);
    expect(details).toMatchObject({ name: 'sim', platform: 'kubernetes' });
    expect(details.kubernetesVersion).toMatch(/^v1\.\d+/);
    expect(details.namespaces).toEqual(expect.arrayContaining(['default', 'kube-system']));
    expect(details.resources[''].pods).toEqual({
      name: 'pods',
      groupVersion: 'v1',
      kind: 'Pod',
      namespaced: true,
      verbs: expect.arrayContaining(['get', 'list', 'watch']),
    });
    expect(details.resources.apps.deployments).toMatchObject({
      groupVersion: 'apps/v1',
      kind: 'Deployment',
      namespaced: true,
    });
    expect(details.resources['autoscaling'].horizontalpodautoscalers.groupVersion).toBe('autoscaling/v2');
    expect(res.body.error).toBeUndefined();
  });

  it('answers 404 for an unknown context', async () => {
    const res = await call('GET', '/api/contexts/nope');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
  });
});

describe('adding and removing contexts', () => {
  it('adds the contexts of an uploaded kubeconfig, usable at once without a restart', async () => {
    const res = await call('POST', '/api/contexts', upload([{ name: 'added' }]));
    expect(res.status).toBe(201);
    expect(res.body.added).toEqual(['added']);
    expect(await names()).toEqual(['added', 'sim']);
    const pods = await fetch(`${stack.url}/raw/clusters/added/api/v1/namespaces/default/pods/busybox`);
    expect(pods.status).toBe(200);
    const info = (await call('GET', '/api/clusters')).body.clusters.find((c: any) => c.name === 'added');
    expect(info).toMatchObject({ namespace: 'shop', server: stack.sim.url });

    // Kept in kore-board's own file, private, never in the user's kubeconfig.
    expect((await stat(stack.ownKubeconfig)).mode & 0o777).toBe(0o600);
    expect(await readFile(stack.ownKubeconfig, 'utf8')).toContain('name: added');
    expect(await readFile(stack.userKubeconfig, 'utf8')).not.toContain('added');
  });

  it('refuses a name that is already served (409), adding nothing', async () => {
    const before = await readFile(stack.ownKubeconfig, 'utf8');
    for (const name of ['sim', 'added']) {
      const res = await call('POST', '/api/contexts', upload([{ name }, { name: `${name}-fresh` }]));
      expect(res.status).toBe(409);
      expect(res.body.reason).toBe('AlreadyExists');
    }
    expect(await readFile(stack.ownKubeconfig, 'utf8')).toBe(before);
  });

  it('rejects an upload whose context cannot load, with the reason, and saves nothing', async () => {
    const before = await readFile(stack.ownKubeconfig, 'utf8');
    const broken = await call('POST', '/api/contexts', upload([{ name: 'broken', cluster: 'missing-cluster' }]));
    expect(broken.status).toBe(422);
    expect(broken.body.message).toMatch(/context broken: .*missing-cluster/);
    for (const bad of ['', 'not: [valid', 'apiVersion: v1\nkind: Config\n']) {
      const res = await call('POST', '/api/contexts', bad);
      expect(res.status, bad).toBe(400);
      expect(res.body.kind).toBe('Status');
    }
    expect(await readFile(stack.ownKubeconfig, 'utf8')).toBe(before);
    expect(await names()).toEqual(['added', 'sim']);
  });

  it('takes a kubeconfig only as JSON or YAML: text/plain, a form, multipart or no type is 415, and nothing is added', async () => {
    const kubeconfig = upload([{ name: 'by-form' }]);
    const bodies: Array<[string | undefined, BodyInit]> = [
      ['text/plain', kubeconfig],
      ['application/x-www-form-urlencoded', `config=${encodeURIComponent(kubeconfig)}`],
      [
        'multipart/form-data; boundary=b',
        `--b\r\nContent-Disposition: form-data; name="config"\r\n\r\n${kubeconfig}\r\n--b--\r\n`,
      ],
      // A Blob with no type sends no Content-Type at all.
      [undefined, new Blob([kubeconfig])],
    ];
    for (const [type, body] of bodies) {
      const res = await fetch(`${stack.url}/api/contexts`, {
        method: 'POST',
        body,
        headers: type === undefined ? {} : { 'content-type': type },
      });
      expect(res.status, String(type)).toBe(415);
      expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType', code: 415 });
    }
    expect(await names()).toEqual(['added', 'sim']);
  });

  it('reads an upload as the registry reads the file it is stored in (go-yaml v2: a date stays a string)', async () => {
    const dated = upload([{ name: 'dated' }]).replace('namespace: shop', 'namespace: 2024-01-01');
    expect(dated).toContain('namespace: 2024-01-01');
    expect((await call('POST', '/api/contexts', dated)).status).toBe(201);
    expect((await call('GET', '/api/clusters')).body.clusters.find((c: any) => c.name === 'dated')).toMatchObject({
      namespace: '2024-01-01',
    });
    expect((await call('DELETE', '/api/contexts/dated')).status).toBe(200);
  });

  it('takes a kubeconfig as JSON too, as client-go reads one', async () => {
    const json = JSON.stringify(parse(upload([{ name: 'as-json' }])));
    const res = await fetch(`${stack.url}/api/contexts`, {
      method: 'POST',
      body: json,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(201);
    expect(await names()).toEqual(['added', 'as-json', 'sim']);
    expect((await call('DELETE', '/api/contexts/as-json')).status).toBe(200);
  });

  it("refuses to delete a context from the user's own kubeconfig (409, saying where it lives)", async () => {
    const res = await call('DELETE', '/api/contexts/sim');
    expect(res.status).toBe(409);
    expect(res.body.message).toContain(stack.userKubeconfig);
    expect(await names()).toEqual(['added', 'sim']);
  });

  it('deletes an added context, and 404s an unknown one', async () => {
    const res = await call('DELETE', '/api/contexts/added');
    expect(res.status).toBe(200);
    expect(await names()).toEqual(['sim']);
    expect(await readFile(stack.ownKubeconfig, 'utf8')).not.toContain('added');
    expect((await call('DELETE', '/api/contexts/added')).status).toBe(404);
  });

  it('gives a partial answer (206, error) for a context whose cluster is down, within the bound', async () => {
    expect((await call('POST', '/api/contexts', upload([{ name: 'down', cluster: 'down' }]))).status).toBe(201);
    const started = Date.now();
    const res = await call('GET', '/api/contexts/down');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(res.status).toBe(206);
    expect(res.body.contexts).toEqual(expect.arrayContaining(['down', 'sim']));
    expect(res.body.currentContext).toMatchObject({ name: 'down', namespaces: [], resources: {} });
    expect(res.body.error).toMatch(/could not be reached|ECONNREFUSED/);
  });
});
