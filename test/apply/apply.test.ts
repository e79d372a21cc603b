import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { kubectlOk, writeKubeconfig, type KubeconfigDir } from '../helpers/kubectl';
import { startStack, type Stack } from '../helpers/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

interface Answer {
  status: number;
  body: any; // eslint-style escape: bodies are Kubernetes objects of many shapes; each test checks what it reads.
}

async function apply(method: 'POST' | 'PUT', body: string, contentType?: string, query = ''): Promise<Answer> {
  const res = await fetch(`${stack.raw}${query}`, {
    method,
    body,
    headers: contentType === undefined ? {} : { 'content-type': contentType },
  });
  return { status: res.status, body: await res.json() };
}

async function get(path: string): Promise<Answer> {
  const res = await fetch(`${stack.raw}${path}`);
  return { status: res.status, body: await res.json() };
}

const yamlStream = (...docs: object[]) => docs.map((d) => stringify(d)).join('---\n');

const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.org' },
  spec: {
    group: 'example.org',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    ],
  },
};

const deployment = (name: string, namespace: string, replicas = 1) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace, labels: { app: name } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
  },
});

describe('apply (POST/PUT /raw/clusters/:cluster)', () => {
  it('creates the spec example namespace, which the raw GET then returns', async () => {
    const created = await apply(
      'POST',
      JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'test-namespace' } }),
      'application/json',
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ kind: 'Namespace', metadata: { name: 'test-namespace' } });
    expect((await get('/api/v1/namespaces/test-namespace')).body.metadata.uid).toBe(created.body.metadata.uid);
    expect(
      (
        await apply(
          'POST',
          JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'test-namespace' } }),
          'application/json',
        )
      ).body.reason,
    ).toBe('AlreadyExists');
  });

  it('applies a stream with a Namespace, a Deployment, a Service, a CRD and a custom resource of it, in order', async () => {
    const body = yamlStream(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'stream' } },
      deployment('web', 'stream'),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'stream' },
        spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
      },
      CRD,
      {
        apiVersion: 'example.org/v1',
        kind: 'Widget',
        metadata: { name: 'w1', namespace: 'stream' },
        spec: { size: 3 },
      },
    );
    const res = await apply('POST', body, 'application/yaml');
    expect(res.status).toBe(201);
    expect(res.body.kind).toBe('List');
    expect(res.body.items.map((i: any) => i.kind)).toEqual([
      'Namespace',
      'Deployment',
      'Service',
      'CustomResourceDefinition',
      'Widget',
    ]);
    expect((await get('/apis/example.org/v1/namespaces/stream/widgets/w1')).body.spec).toEqual({ size: 3 });
    expect((await get('/apis/apps/v1/namespaces/stream/deployments/web')).status).toBe(200);
  });

  it('expands a kind: List and puts namespaced objects in ?namespace=, else the context namespace', async () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'from-list-a' }, data: { a: '1' } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'from-list-b' }, data: { b: '2' } },
      ],
    };
    const res = await apply('POST', JSON.stringify(list), 'application/json', '?namespace=stream');
    expect(res.status).toBe(201);
    expect(res.body.items.map((i: any) => `${i.metadata.namespace}/${i.metadata.name}`)).toEqual([
      'stream/from-list-a',
      'stream/from-list-b',
    ]);
    const plain = await apply(
      'POST',
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'in-context-ns' } }),
      'application/json',
    );
    expect(plain.body.metadata.namespace).toBe('default');
  });

  it("PUT replaces an existing object with the cluster's current resourceVersion, and creates a missing one", async () => {
    const first = await apply('PUT', JSON.stringify(deployment('replace-me', 'default', 1)), 'application/json');
    expect(first.status).toBe(201);
    const changed = deployment('replace-me', 'default', 3);
    const second = await apply('PUT', JSON.stringify(changed), 'application/json');
    expect(second.status).toBe(200);
    expect(second.body.spec.replicas).toBe(3);
    expect(second.body.metadata.uid).toBe(first.body.metadata.uid);
    expect(Number(second.body.metadata.resourceVersion)).toBeGreaterThan(Number(first.body.metadata.resourceVersion));
  });

  it('server-side apply twice: the second is a no-op', async () => {
    const body = JSON.stringify(deployment('ssa', 'default', 2));
    const first = await apply('PUT', body, 'application/json', '?mode=server-side');
    expect(first.status).toBe(201);
    expect(first.body.metadata.managedFields?.[0]?.manager).toBe('kore-board');
    const second = await apply('PUT', body, 'application/json', '?mode=server-side');
    expect(second.status).toBe(200);
    expect(second.body.metadata.resourceVersion).toBe(first.body.metadata.resourceVersion);
  });

  it('dryRun=All answers as if applied and leaves nothing behind', async () => {
    const res = await apply(
      'POST',
      JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dry' } }),
      'application/json',
      '?dryRun=All',
    );
    expect(res.status).toBe(201);
    expect(res.body.metadata.name).toBe('dry');
    expect((await get('/api/v1/namespaces/dry')).status).toBe(404);
  });

  it('applies every document after a bad one in the middle, and reports the bad one by index', async () => {
    const body = [
      stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'before-bad' } }),
      'kind: [ConfigMap\n  broken: yes\n',
      stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-bad' } }),
      stringify({ apiVersion: 'nope.example/v1', kind: 'Ghost', metadata: { name: 'g' } }),
    ].join('---\n');
    const res = await apply('POST', body, 'application/yaml');
    expect(res.status).toBe(400);
    const [a, bad, b, ghost] = res.body.items;
    expect(a.metadata.name).toBe('before-bad');
    expect(bad).toMatchObject({ kind: 'Status', code: 400, details: { index: 1 } });
    expect(bad.message).toMatch(/YAML syntax error in document 1 at line \d+, column \d+/);
    expect(b.metadata.name).toBe('after-bad');
    expect(ghost).toMatchObject({ kind: 'Status', code: 404, reason: 'NotFound', details: { index: 3 } });
    expect(ghost.message).toBe('no matches for kind "Ghost" in version "nope.example/v1"');
    expect((await get('/api/v1/namespaces/default/configmaps/after-bad')).status).toBe(200);
  });

  it('answers bad input with a Status and the right code', async () => {
    const cases: Array<[string, string | undefined, number, RegExp]> = [
      ['', 'application/json', 400, /empty/],
      ['[1, 2]', 'application/json', 400, /expected an object/],
      ['"just a string"', 'application/json', 400, /expected an object/],
      [
        JSON.stringify({ kind: 'Namespace', metadata: { name: 'x' } }),
        'application/json',
        400,
        /'apiVersion' is missing/,
      ],
      [JSON.stringify({ apiVersion: 'v1', metadata: { name: 'x' } }), 'application/json', 400, /'Kind' is missing/],
      [
        JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: {} }),
        'application/json',
        400,
        /metadata.name or metadata.generateName is required/,
      ],
      [
        JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', namespace: 'default' } }),
        'application/json',
        400,
        /cluster-scoped/,
      ],
      [
        '{"apiVersion": "v1",\n "kind": }',
        'application/json',
        400,
        /JSON syntax error in document 0 at line 2, column 10/,
      ],
      [
        'a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n',
        'application/yaml',
        400,
        /Excessive alias count/,
      ],
      ['<xml/>', 'application/xml', 415, /unsupported media type/],
    ];
    for (const [body, type, code, message] of cases) {
      const res = await apply('POST', body, type);
      expect(res.status, body).toBe(code);
      expect(res.body).toMatchObject({ kind: 'Status', status: 'Failure', code });
      expect(res.body.message, body).toMatch(message);
    }
  });

  it('takes only JSON and YAML media types: anything else, or none, is 415 before the body is read', async () => {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'by-form' } });
    const refused: Array<[string | undefined, string]> = [
      ['text/plain', body],
      ['application/x-www-form-urlencoded', `x=${encodeURIComponent(body)}`],
      [
        'multipart/form-data; boundary=b',
        `--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n${body}\r\n--b--\r\n`,
      ],
      [undefined, body],
    ];
    for (const [type, sent] of refused) {
      // fetch labels a string body text/plain unless told otherwise; a Blob with no type sends no Content-Type.
      const res = await fetch(stack.raw, {
        method: 'POST',
        body: type === undefined ? new Blob([sent]) : sent,
        headers: type === undefined ? {} : { 'content-type': type },
      });
      expect(res.status, String(type)).toBe(415);
      const status = (await res.json()) as { reason: string; message: string };
      expect(status.reason).toBe('UnsupportedMediaType');
      expect(status.message).toBe(
        type === undefined
          ? 'the request has no Content-Type: send application/json or application/yaml'
          : `unsupported media type "${type.split(';')[0]}": send application/json or application/yaml`,
      );
    }
    expect((await get('/api/v1/namespaces/by-form')).status).toBe(404);
    for (const type of ['application/json; charset=utf-8', 'application/apply-patch+yaml', 'text/yaml']) {
      expect((await apply('POST', body.replace('by-form', `by-${type.split(/[/;+]/)[1]}`), type)).status, type).toBe(
        201,
      );
    }
  });

  it('refuses names apply would build a path from that are not path segments, and namespaces that are not DNS labels (422)', async () => {
    const configMap = (metadata: Record<string, unknown>) =>
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { from: 'apply' } });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: '.' }, 'metadata.name'],
      [{ name: '..' }, 'metadata.name'],
      [{ name: 'a/b' }, 'metadata.name'],
      [{ name: 'a%2fb' }, 'metadata.name'],
      [{ name: 'x', namespace: '..' }, 'metadata.namespace'],
      [{ generateName: 'g/' }, 'metadata.generateName'],
    ];
    for (const method of ['POST', 'PUT'] as const) {
      for (const [metadata, field] of cases) {
        const res = await apply(method, configMap(metadata), 'application/json');
        expect(res.status, `${method} ${JSON.stringify(metadata)}`).toBe(422);
        expect(res.body).toMatchObject({
          kind: 'Status',
          reason: 'Invalid',
          details: { index: 0, causes: [{ reason: 'FieldValueInvalid', field }] },
        });
      }
    }
    const query = await apply('POST', configMap({ name: 'x' }), 'application/json', '?namespace=..');
    expect(query.status).toBe(422);
    expect(query.body).toMatchObject({ reason: 'Invalid', details: { causes: [{ field: 'namespace' }] } });
    // Nothing was written anywhere, under any of those names.
    const all = (await get('/api/v1/configmaps')).body.items as Array<{ data?: Record<string, string> }>;
    expect(all.filter((c) => c.data?.from === 'apply')).toEqual([]);
  });

  it('refuses a body over 10 MiB with 413, and keeps serving', async () => {
    const big = JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'big' },
      data: { x: 'y'.repeat(11 * 1024 * 1024) },
    });
    const res = await apply('POST', big, 'application/json');
    expect(res.status).toBe(413);
    expect(res.body.reason).toBe('RequestEntityTooLarge');
    expect((await get('/api/v1/namespaces/default')).status).toBe(200);
  });

  it('answers an unknown context with 404', async () => {
    const res = await fetch(`${stack.url}/raw/clusters/nope`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { reason: string }).reason).toBe('NotFound');
  });
});

describe('apply matches kubectl apply -f through the proxy', () => {
  let kubeconfig: KubeconfigDir;
  afterAll(async () => kubeconfig?.remove());

  it('gives the same objects', async () => {
    kubeconfig = await writeKubeconfig(stack.sim, 'token');
    const manifest = (suffix: string) =>
      yamlStream(deployment(`same-${suffix}`, 'default', 2), {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `same-${suffix}`, namespace: 'default', labels: { tier: 'x' } },
        data: { k: 'v' },
      });
    const path = `${kubeconfig.dir}/m.yaml`;
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path, manifest('kubectl'));
    await kubectlOk(kubeconfig, ['--server', stack.raw, 'apply', '-f', path]);
    expect((await apply('POST', manifest('route'), 'application/yaml')).status).toBe(201);

    const strip = (o: any) => ({ labels: o.metadata.labels, spec: o.spec, data: o.data });
    for (const [kind, path] of [
      ['Deployment', '/apis/apps/v1/namespaces/default/deployments/'],
      ['ConfigMap', '/api/v1/namespaces/default/configmaps/'],
    ] as const) {
      const viaKubectl = (await get(`${path}same-kubectl`)).body;
      const viaRoute = (await get(`${path}same-route`)).body;
      expect(viaRoute.kind).toBe(kind);
      const normalize = (o: any) => JSON.parse(JSON.stringify(strip(o)).replaceAll('same-kubectl', 'same-route'));
      expect(normalize(viaKubectl)).toEqual(strip(viaRoute));
    }
  });
});
