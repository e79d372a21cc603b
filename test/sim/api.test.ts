/**
 * The simulated API server over real HTTPS, at the HTTP level: authentication, discovery, lists with
 * selectors and pagination, Tables, writes and their error shapes, patches, server-side apply, subresources,
 * logs, watches and metrics — checked against what a real kube-apiserver answers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { WebSocket } from 'ws';
import { startSim, type SimCluster } from '../../lib/sim';

let sim: SimCluster;
let agent: Agent;

beforeAll(async () => {
  // A small watch window so "too old" resource versions are easy to reach.
  sim = await startSim({ watchWindow: 50 });
  agent = new Agent({ connect: { ca: sim.caPem }, pipelining: 0 });
});

afterAll(async () => {
  await agent.close();
  await sim.close();
});

interface Reply {
  status: number;
  type: string;
  text: string;
  // any: tests read loosely typed JSON bodies and assert on their shape.
  json: <T = any>() => T;
}

async function call(
  method: string,
  path: string,
  options: { body?: unknown; type?: string; accept?: string; token?: string | null } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (options.token !== null) headers.authorization = `Bearer ${options.token ?? sim.token}`;
  if (options.accept) headers.accept = options.accept;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] = options.type ?? 'application/json';
  }
  const res = await request(`${sim.url}${path}`, { method: method as 'GET', headers, body, dispatcher: agent });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    type: String(res.headers['content-type'] ?? ''),
    text,
    json: () => JSON.parse(text),
  };
}

const get = (path: string, accept?: string) => call('GET', path, accept ? { accept } : {});
const names = (list: { items: { metadata: { name: string } }[] }) => list.items.map((i) => i.metadata.name);
/**
 * Documents a real kube-apiserver produced, kept in the repository: the simulator's own copies (lib/sim/discovery,
 * copied unchanged), and what it does not carry (the legacy /apis group list) under test/fixtures.
 */
const reference = (file: string) => {
  const simCopy = new URL(`../../lib/sim/discovery/${file}`, import.meta.url);
  return readFileSync(
    existsSync(simCopy) ? simCopy : new URL(`../fixtures/k8s-reference/${file}`, import.meta.url),
    'utf8',
  );
};

describe('authentication', () => {
  it('answers 401 Unauthorized as a Status without credentials or with an unknown token', async () => {
    for (const token of [null, 'not-a-token']) {
      const r = await call('GET', '/api/v1/pods', { token });
      expect(r.status).toBe(401);
      expect(r.json()).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Unauthorized',
        reason: 'Unauthorized',
        code: 401,
      });
    }
  });

  it('accepts a client certificate signed by its CA, and tokens added and revoked at run time', async () => {
    const certAgent = new Agent({ connect: { ca: sim.caPem, cert: sim.client.certPem, key: sim.client.keyPem } });
    // Twice, the second time on a resumed TLS session, which must still carry the certificate.
    for (let i = 0; i < 2; i++) {
      const res = await request(`${sim.url}/api/v1/namespaces`, { dispatcher: certAgent, reset: true });
      expect(res.statusCode).toBe(200);
      await res.body.dump();
    }
    await certAgent.close();

    sim.addToken('rotated-token');
    expect((await call('GET', '/version', { token: 'rotated-token' })).status).toBe(200);
    sim.revokeToken('rotated-token');
    expect((await call('GET', '/version', { token: 'rotated-token' })).status).toBe(401);
  });
});

describe('discovery', () => {
  it('serves /version as Kubernetes v1.32', async () => {
    expect((await get('/version')).json()).toMatchObject({ major: '1', minor: '32', gitVersion: 'v1.32.4' });
  });

  it('serves the reference /api/v1 list as it is, key order included', async () => {
    const r = await get('/api/v1');
    expect(r.text).toBe(JSON.stringify(JSON.parse(reference('api__v1.json'))));
  });

  it('serves reference group/version lists minus what the aggregated snapshot does not serve', async () => {
    expect((await get('/apis/apps/v1')).text).toBe(JSON.stringify(JSON.parse(reference('apis__apps__v1.json'))));
    const storage = (await get('/apis/storage.k8s.io/v1')).json<{ resources: { name: string }[] }>();
    expect(storage.resources.map((r) => r.name)).not.toContain('volumeattributesclasses');
    expect(storage.resources.map((r) => r.name)).toContain('storageclasses');
  });

  it('lists only stable group versions, plus metrics.k8s.io and the CRD group', async () => {
    const groups = (await get('/apis')).json<{
      kind: string;
      groups: { name: string; versions: { version: string }[]; preferredVersion: { version: string } }[];
    }>();
    expect(groups.kind).toBe('APIGroupList');
    const versions = groups.groups.flatMap((g) => g.versions.map((v) => v.version));
    expect(versions.filter((v) => /alpha|beta/.test(v))).toEqual(['v1beta1']); // metrics.k8s.io only
    expect(groups.groups.map((g) => g.name)).toEqual(
      expect.arrayContaining([
        'apps',
        'batch',
        'networking.k8s.io',
        'rbac.authorization.k8s.io',
        'apiextensions.k8s.io',
        'metrics.k8s.io',
        'stable.example.com',
      ]),
    );
    expect(groups.groups.find((g) => g.name === 'autoscaling')?.preferredVersion.version).toBe('v2');
    expect(groups.groups.map((g) => g.name)).not.toContain('resource.k8s.io');
    expect((await get('/apis/apps')).json()).toEqual({
      apiVersion: 'v1',
      kind: 'APIGroup',
      name: 'apps',
      preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
      versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
    });
  });

  it('answers aggregated discovery (what kubectl 1.32 asks first) with its media type', async () => {
    const accept =
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
    const apis = await get('/apis', accept);
    expect(apis.type).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const list = apis.json<{
      kind: string;
      items: {
        metadata: { name: string };
        versions: { version: string; resources: { resource: string; shortNames?: string[] }[] }[];
      }[];
    }>();
    expect(list.kind).toBe('APIGroupDiscoveryList');
    expect(list.items.flatMap((g) => g.versions.map((v) => v.version)).filter((v) => /alpha|beta/.test(v))).toEqual([
      'v1beta1',
    ]);
    const crd = list.items.find((g) => g.metadata.name === 'stable.example.com');
    expect(crd?.versions[0]?.resources[0]).toMatchObject({
      resource: 'crontabs',
      shortNames: ['ct'],
      scope: 'Namespaced',
    });

    const core = (await get('/api', accept)).json<{
      items: { versions: { resources: { resource: string; subresources?: { subresource: string }[] }[] }[] }[];
    }>();
    const pods = core.items[0]?.versions[0]?.resources.find((r) => r.resource === 'pods');
    expect(pods?.subresources?.map((s) => s.subresource)).toEqual(
      expect.arrayContaining(['log', 'exec', 'attach', 'status', 'eviction']),
    );
    // Without the aggregated media type: the legacy documents.
    expect((await get('/api')).json()).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
  });

  it('serves exactly the reference documents with non-stable versions filtered out, key order kept', async () => {
    const stable = (v: { version: string }) => /^v\d+$/.test(v.version);
    type Group = {
      metadata?: { name: string };
      name?: string;
      versions: { version: string }[];
      preferredVersion?: { version: string };
    };
    const aggregated = JSON.parse(reference('aggregated_v2.json')) as { items: Group[] };
    const expectedItems = aggregated.items.flatMap((g) =>
      g.versions.some(stable) ? [{ ...g, versions: g.versions.filter(stable) }] : [],
    );
    const served = (await get('/apis', 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList')).json<{
      items: Group[];
    }>();
    expect(JSON.stringify(served.items.slice(0, expectedItems.length))).toBe(JSON.stringify(expectedItems));

    const legacy = JSON.parse(reference('apis.json')) as { groups: Group[] };
    const expectedGroups = legacy.groups.flatMap((g) => {
      const versions = g.versions.filter(stable);
      return versions.length === 0
        ? []
        : [
            {
              name: g.name,
              preferredVersion: g.preferredVersion && stable(g.preferredVersion) ? g.preferredVersion : versions[0],
              versions,
            },
          ];
    });
    const groups = (await get('/apis')).json<{ groups: Group[] }>().groups;
    expect(JSON.stringify(groups.slice(0, expectedGroups.length))).toBe(JSON.stringify(expectedGroups));
    // By APIService priority: CRD groups are registered at 1000, metrics-server's APIService at 100.
    expect(groups.slice(expectedGroups.length).map((g) => g.name)).toEqual(['stable.example.com', 'metrics.k8s.io']);
  });

  it('describes metrics.k8s.io and the CRD group as their servers do', async () => {
    const metrics = (await get('/apis/metrics.k8s.io/v1beta1')).json<{
      resources: { name: string; kind: string; verbs: string[]; namespaced: boolean }[];
    }>();
    expect(metrics.resources.map((r) => [r.name, r.kind, r.namespaced, r.verbs])).toEqual([
      ['nodes', 'NodeMetrics', false, ['get', 'list']],
      ['pods', 'PodMetrics', true, ['get', 'list']],
    ]);
    const crontabs = (await get('/apis/stable.example.com/v1')).json<{
      resources: { name: string; shortNames?: string[] }[];
    }>();
    expect(crontabs.resources.map((r) => r.name)).toEqual(['crontabs', 'crontabs/status']);
    const crd = (
      await get('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com')
    ).json();
    expect(crd.spec.names).toMatchObject({ plural: 'crontabs', kind: 'CronTab', shortNames: ['ct'] });
  });

  it('serves an OpenAPI v3 index whose documents declare fieldValidation on PATCH (so kubectl validates server-side)', async () => {
    const root = (await get('/openapi/v3')).json<{ paths: Record<string, { serverRelativeURL: string }> }>();
    const apps = root.paths['apis/apps/v1'];
    expect(apps?.serverRelativeURL).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]+$/);
    const doc = (await get(apps?.serverRelativeURL ?? '')).json<{
      paths: Record<string, { patch?: { parameters: { name: string }[]; 'x-kubernetes-group-version-kind': object } }>;
    }>();
    const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']?.patch;
    expect(patch?.['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(patch?.parameters.map((p) => p.name)).toContain('fieldValidation');
  });
});

describe('lists', () => {
  it('lists a kind as <Kind>List with the current resourceVersion', async () => {
    const list = (await get('/api/v1/namespaces/default/pods')).json();
    expect(list).toMatchObject({
      kind: 'PodList',
      apiVersion: 'v1',
      metadata: { resourceVersion: sim.store.resourceVersion },
    });
    expect(names(list)).toEqual(expect.arrayContaining(['busybox']));
    expect(list.items[0].metadata).toMatchObject({
      uid: expect.any(String),
      resourceVersion: expect.any(String),
      creationTimestamp: expect.any(String),
    });
  });

  it.each([
    ['app=web', ['web-7d4b9c8f6d-b8w3n', 'web-7d4b9c8f6d-m4q9z', 'web-7d4b9c8f6d-x7k2p']],
    ['app==redis', ['redis-0']],
    ['app in (redis, flaky-api)', ['flaky-api', 'redis-0']],
    ['app notin (web),app', ['batch-worker', 'flaky-api', 'redis-0', 'web-with-sidecar']],
    ['app!=web,app', ['batch-worker', 'flaky-api', 'redis-0', 'web-with-sidecar']],
    ['!app', ['db-migrate-q7w2k', 'report-28930115-q7w2k']],
    ['job-name', ['db-migrate-q7w2k', 'report-28930115-q7w2k']],
  ])('selects by label %s', async (selector, expected) => {
    const list = (await get(`/api/v1/namespaces/shop/pods?labelSelector=${encodeURIComponent(selector)}`)).json();
    expect(names(list)).toEqual(expected);
  });

  it('selects by field: spec.nodeName, status.phase, metadata.name, metadata.namespace, with = and !=', async () => {
    const onNode = names((await get('/api/v1/pods?fieldSelector=spec.nodeName%3Dvm-live-03')).json());
    expect(onNode).toEqual(['kube-proxy-z7c5q', 'node-exporter-z7c5q']);
    expect(names((await get('/api/v1/pods?fieldSelector=status.phase%3DPending')).json())).toEqual(['batch-worker']);
    const notRunning = names((await get('/api/v1/namespaces/shop/pods?fieldSelector=status.phase!%3DRunning')).json());
    expect(notRunning).toEqual(['batch-worker', 'db-migrate-q7w2k', 'report-28930115-q7w2k']);
    expect(
      names((await get('/api/v1/pods?fieldSelector=metadata.name%3Dbusybox,metadata.namespace%3Ddefault')).json()),
    ).toEqual(['busybox']);
  });

  it('rejects a field label the resource does not support with 400 BadRequest', async () => {
    const r = await get('/api/v1/pods?fieldSelector=spec.bogus%3Dx');
    expect(r.status).toBe(400);
    expect(r.json()).toMatchObject({
      kind: 'Status',
      reason: 'BadRequest',
      message: expect.stringContaining('field label not supported: spec.bogus'),
    });
    expect((await get('/api/v1/pods?labelSelector=a%20in%20(b')).status).toBe(400);
  });

  it('pages with limit and an opaque continue token, in key order, and reports remainingItemCount', async () => {
    const all = names((await get('/api/v1/pods')).json());
    const paged: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const page = (await get(`/api/v1/pods?limit=7${token ? `&continue=${encodeURIComponent(token)}` : ''}`)).json();
      paged.push(...names(page));
      token = page.metadata.continue ?? '';
      if (token) expect(page.metadata.remainingItemCount).toBe(all.length - paged.length);
      pages++;
    } while (token);
    expect(paged).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 7));
    const keys = (await get('/api/v1/pods'))
      .json()
      .items.map(
        (p: { metadata: { namespace: string; name: string } }) => `${p.metadata.namespace}/${p.metadata.name}`,
      );
    expect(keys).toEqual([...keys].sort());
  });

  it('answers a malformed continue token with 400 and an expired one with 410 Expired', async () => {
    expect((await get('/api/v1/pods?limit=2&continue=garbage!!')).status).toBe(400);
    const first = (await get('/api/v1/pods?limit=2')).json();
    // Push the token's resourceVersion out of the (50-change) window.
    for (let i = 0; i < 60; i++)
      sim.store.create({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `expire-${i}`, namespace: 'default' },
      });
    const r = await get(`/api/v1/pods?limit=2&continue=${encodeURIComponent(first.metadata.continue)}`);
    expect(r.status).toBe(410);
    expect(r.json()).toMatchObject({ reason: 'Expired', code: 410 });
  });

  it('answers Table requests (kubectl get) with the printer columns', async () => {
    const accept =
      'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
    const r = await get('/api/v1/namespaces/shop/pods?labelSelector=app%3Dflaky-api', accept);
    expect(r.type).toContain('as=Table');
    const table = r.json();
    expect(table.kind).toBe('Table');
    expect(table.columnDefinitions.map((c: { name: string }) => c.name)).toEqual([
      'Name',
      'Ready',
      'Status',
      'Restarts',
      'Age',
      'IP',
      'Node',
      'Nominated Node',
      'Readiness Gates',
    ]);
    expect(table.rows[0].cells.slice(0, 3)).toEqual(['flaky-api', '0/1', 'CrashLoopBackOff']);
    expect(table.rows[0].object).toMatchObject({
      kind: 'PartialObjectMetadata',
      metadata: { name: 'flaky-api', namespace: 'shop' },
    });
    const full = (await get('/api/v1/namespaces/default/pods/busybox?includeObject=Object', accept)).json();
    expect(full.rows[0].object.spec.containers[0].name).toBe('busybox');
    const nodes = (await get('/api/v1/nodes', accept)).json();
    expect(nodes.rows.map((row: { cells: unknown[] }) => row.cells.slice(0, 3))).toEqual([
      ['vm-live-01', 'Ready', 'control-plane'],
      ['vm-live-02', 'Ready', '<none>'],
      ['vm-live-03', 'NotReady', '<none>'],
    ]);
  });
});

describe('writes and their errors', () => {
  const cm = (name: string, extra: Record<string, unknown> = {}) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, ...extra },
    data: { a: '1' },
  });

  it('creates with uid, resourceVersion from one counter, creationTimestamp; AlreadyExists on a second create', async () => {
    const before = Number(sim.store.resourceVersion);
    const created = await call('POST', '/api/v1/namespaces/default/configmaps', { body: cm('w-create') });
    expect(created.status).toBe(201);
    expect(created.json().metadata).toMatchObject({
      name: 'w-create',
      namespace: 'default',
      uid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      resourceVersion: String(before + 1),
    });
    const again = await call('POST', '/api/v1/namespaces/default/configmaps', { body: cm('w-create') });
    expect(again.status).toBe(409);
    expect(again.json()).toMatchObject({
      reason: 'AlreadyExists',
      message: 'configmaps "w-create" already exists',
      details: { name: 'w-create', kind: 'configmaps' },
    });
  });

  it('answers NotFound with details.name/kind, and group for non-core resources', async () => {
    const pod = await get('/api/v1/namespaces/default/pods/nope');
    expect(pod.status).toBe(404);
    expect(pod.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', kind: 'pods' },
      code: 404,
    });
    expect((await get('/apis/apps/v1/namespaces/shop/deployments/nope')).json()).toMatchObject({
      message: 'deployments.apps "nope" not found',
      details: { name: 'nope', group: 'apps', kind: 'deployments' },
    });
    expect((await get('/api/v1/namespaces/default/frobs')).json()).toMatchObject({
      reason: 'NotFound',
      message: 'the server could not find the requested resource',
    });
  });

  it('rejects invalid objects with 422 Invalid and causes', async () => {
    const noName = (await call('POST', '/api/v1/namespaces/default/configmaps', { body: cm('') })).json();
    expect(noName).toMatchObject({
      reason: 'Invalid',
      code: 422,
      details: { kind: 'ConfigMap', causes: [{ reason: 'FieldValueRequired', field: 'metadata.name' }] },
    });
    const badName = (await call('POST', '/api/v1/namespaces/default/configmaps', { body: cm('Bad_Name') })).json();
    expect(badName.message).toMatch(
      /^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
    );
    expect(badName.details.causes[0]).toMatchObject({ reason: 'FieldValueInvalid', field: 'metadata.name' });
    const noContainers = (
      await call('POST', '/api/v1/namespaces/default/pods', {
        body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'empty' }, spec: {} },
      })
    ).json();
    expect(noContainers.details.causes).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' },
    ]);
  });

  it('rejects a namespace mismatch between URL and body with 400, and unsupported verbs with 405', async () => {
    const mismatch = await call('POST', '/api/v1/namespaces/default/configmaps', {
      body: cm('w-mismatch', { namespace: 'shop' }),
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.json().message).toBe(
      'the namespace of the provided object does not match the namespace sent on the request',
    );
    const list = await get('/api/v1/namespaces/default/bindings');
    expect(list.status).toBe(405);
    expect(list.json()).toMatchObject({ reason: 'MethodNotAllowed', code: 405 });
    expect((await call('DELETE', '/api/v1/namespaces/default/pods/busybox/log')).status).toBe(405);
  });

  it('answers Conflict for a stale resourceVersion on replace, and bumps generation only on spec changes', async () => {
    const d = (await get('/apis/apps/v1/namespaces/shop/deployments/web')).json();
    const labelled = (
      await call('PUT', '/apis/apps/v1/namespaces/shop/deployments/web', {
        body: { ...d, metadata: { ...d.metadata, labels: { ...d.metadata.labels, tier: 'front' } } },
      })
    ).json();
    expect(labelled.metadata.generation).toBe(d.metadata.generation);
    const stale = await call('PUT', '/apis/apps/v1/namespaces/shop/deployments/web', { body: d });
    expect(stale.status).toBe(409);
    expect(stale.json()).toMatchObject({
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
      details: { name: 'web', group: 'apps', kind: 'deployments' },
    });
    const respec = (
      await call('PUT', '/apis/apps/v1/namespaces/shop/deployments/web', {
        body: { ...labelled, spec: { ...labelled.spec, minReadySeconds: 5 } },
      })
    ).json();
    expect(respec.metadata.generation).toBe(d.metadata.generation + 1);
  });

  it('dryRun=All validates and answers without storing', async () => {
    const rv = sim.store.resourceVersion;
    const r = await call('POST', '/api/v1/namespaces/default/configmaps?dryRun=All', { body: cm('w-dry') });
    expect(r.status).toBe(201);
    expect(r.json().metadata.name).toBe('w-dry');
    expect(sim.store.get('configmaps', 'default', 'w-dry')).toBeUndefined();
    expect((await call('DELETE', '/api/v1/namespaces/default/pods/busybox?dryRun=All')).status).toBe(200);
    expect(sim.store.get('pods', 'default', 'busybox')).toBeDefined();
    expect(sim.store.resourceVersion).toBe(rv);
  });

  it("decodes Kubernetes protobuf bodies (what kubectl's typed clients send), and refuses malformed or unknown ones", async () => {
    // runtime.Unknown{typeMeta{apiVersion "v1", kind "ConfigMap"}, raw: ConfigMap{metadata{name "pb"}, data{"k": "v"}}}
    const field = (n: number, bytes: Buffer) => Buffer.concat([Buffer.from([(n << 3) | 2, bytes.length]), bytes]);
    const str = (n: number, s: string) => field(n, Buffer.from(s));
    const configMap = Buffer.concat([field(1, str(1, 'pb')), field(2, Buffer.concat([str(1, 'k'), str(2, 'v')]))]);
    const unknown = Buffer.concat([field(1, Buffer.concat([str(1, 'v1'), str(2, 'ConfigMap')])), field(2, configMap)]);
    const body = Buffer.concat([Buffer.from('k8s\0'), unknown]);
    const res = await request(`${sim.url}/api/v1/namespaces/default/configmaps`, {
      method: 'POST',
      body,
      headers: { authorization: `Bearer ${sim.token}`, 'content-type': 'application/vnd.kubernetes.protobuf' },
      dispatcher: agent,
    });
    expect(res.statusCode).toBe(201);
    expect(await res.body.json()).toMatchObject({
      kind: 'ConfigMap',
      metadata: { name: 'pb', namespace: 'default' },
      data: { k: 'v' },
    });
    expect(
      (
        await call('POST', '/api/v1/namespaces/default/configmaps', {
          type: 'application/vnd.kubernetes.protobuf',
          body: 'k8s\u0000\u000a\u00ff',
        })
      ).status,
    ).toBe(400);
    expect(
      (await call('POST', '/api/v1/namespaces/default/configmaps', { type: 'text/plain', body: 'x' })).status,
    ).toBe(415);
  });

  it('fills generateName', async () => {
    const r = (
      await call('POST', '/api/v1/namespaces/default/configmaps', {
        body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } },
      })
    ).json();
    expect(r.metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
  });

  it('deletes with cascade (Background) or leaves dependents (Orphan); a namespace takes its contents', async () => {
    const del = await call('DELETE', '/apis/apps/v1/namespaces/kube-system/deployments/coredns', {
      body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Orphan' },
    });
    expect(del.json()).toMatchObject({
      kind: 'Status',
      status: 'Success',
      details: { name: 'coredns', group: 'apps', kind: 'deployments' },
    });
    expect(sim.store.list('replicasets', { namespace: 'kube-system' })).toHaveLength(1);
    await call(
      'DELETE',
      '/apis/apps/v1/namespaces/kube-system/replicasets/coredns-668d6bf9bc?propagationPolicy=Background',
    );
    expect(sim.store.list('pods', { namespace: 'kube-system' }).map((p) => p.metadata.name)).not.toContain(
      'coredns-668d6bf9bc-x7k2p',
    );

    const ns = await call('DELETE', '/api/v1/namespaces/monitoring');
    expect(ns.status).toBe(200);
    expect(ns.json().kind).toBe('Namespace');
    expect(sim.store.list('pods', { namespace: 'monitoring' })).toEqual([]);
    expect(sim.store.list('daemonsets', { namespace: 'monitoring' })).toEqual([]);
    const inGone = await call('POST', '/api/v1/namespaces/monitoring/configmaps', { body: cm('w-orphan') });
    expect(inGone.json()).toMatchObject({ reason: 'NotFound', message: 'namespaces "monitoring" not found' });
  });
});

describe('patch', () => {
  const path = '/api/v1/namespaces/default/pods/busybox';

  it('applies merge, JSON and strategic merge patches by Content-Type', async () => {
    const merged = (
      await call('PATCH', path, {
        type: 'application/merge-patch+json',
        body: { metadata: { labels: { merged: 'yes' } } },
      })
    ).json();
    expect(merged.metadata.labels).toMatchObject({ run: 'busybox', merged: 'yes' });
    const json = (
      await call('PATCH', path, {
        type: 'application/json-patch+json',
        body: [{ op: 'add', path: '/metadata/annotations', value: { jp: '1' } }],
      })
    ).json();
    expect(json.metadata.annotations).toEqual({ jp: '1' });
    const smp = (
      await call('PATCH', path, {
        type: 'application/strategic-merge-patch+json',
        body: { spec: { containers: [{ name: 'busybox', env: [{ name: 'A', value: '1' }] }] } },
      })
    ).json();
    expect(smp.spec.containers).toHaveLength(1);
    expect(smp.spec.containers[0]).toMatchObject({
      name: 'busybox',
      image: 'busybox:1.36',
      env: [{ name: 'A', value: '1' }],
    });
  });

  it('answers 422 for a failed JSON patch test, 415 for other types, and 415 for strategic patches of custom resources', async () => {
    const failed = await call('PATCH', path, {
      type: 'application/json-patch+json',
      body: [{ op: 'test', path: '/metadata/name', value: 'other' }],
    });
    expect(failed.status).toBe(422);
    expect(failed.json().reason).toBe('Invalid');
    expect((await call('PATCH', path, { type: 'text/plain', body: 'x' })).status).toBe(415);
    const cr = await call('PATCH', '/apis/stable.example.com/v1/namespaces/default/crontabs/my-new-cron-object', {
      type: 'application/strategic-merge-patch+json',
      body: { spec: { replicas: 2 } },
    });
    expect(cr.status).toBe(415);
    const crMerge = await call('PATCH', '/apis/stable.example.com/v1/namespaces/default/crontabs/my-new-cron-object', {
      type: 'application/merge-patch+json',
      body: { spec: { replicas: 2 } },
    });
    expect(crMerge.json().spec).toMatchObject({ replicas: 2, cronSpec: '* * * * */5' });
  });

  it('server-side apply: needs a fieldManager, creates, is a no-op when repeated, and reports conflicts unless forced', async () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: "1"\n';
    const url = '/api/v1/namespaces/default/configmaps/ssa';
    const type = 'application/apply-patch+yaml';
    expect((await call('PATCH', url, { type, body: yaml })).status).toBe(400);
    const created = await call('PATCH', `${url}?fieldManager=alice`, { type, body: yaml });
    expect(created.status).toBe(201);
    const again = (await call('PATCH', `${url}?fieldManager=alice`, { type, body: yaml })).json();
    expect(again.metadata.resourceVersion).toBe(created.json().metadata.resourceVersion);
    expect(again.metadata.managedFields[0]).toMatchObject({
      manager: 'alice',
      operation: 'Apply',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:data': { 'f:a': {} } },
    });

    const bob = yaml.replace('"1"', '"2"');
    const conflict = await call('PATCH', `${url}?fieldManager=bob`, { type, body: bob });
    expect(conflict.status).toBe(409);
    expect(conflict.json()).toMatchObject({
      reason: 'Conflict',
      details: { causes: [{ reason: 'FieldManagerConflict', field: '.data.a' }] },
    });
    const forced = (await call('PATCH', `${url}?fieldManager=bob&force=true`, { type, body: bob })).json();
    expect(forced.data).toEqual({ a: '2' });
    expect(forced.metadata.managedFields.map((m: { manager: string }) => m.manager)).toEqual(['bob']);

    // A field the manager stops applying is removed.
    const dropped = (
      await call('PATCH', `${url}?fieldManager=bob`, {
        type,
        body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  labels: {x: y}\n',
      })
    ).json();
    expect(dropped.data).toBeUndefined();
    expect(dropped.metadata.labels).toEqual({ x: 'y' });
  });
});

describe('subresources', () => {
  it('serves scale as autoscaling/v1 Scale for get, put and patch', async () => {
    const url = '/apis/apps/v1/namespaces/shop/statefulsets/redis/scale';
    const scale = (await get(url)).json();
    expect(scale).toMatchObject({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name: 'redis', namespace: 'shop' },
      spec: { replicas: 1 },
      status: { replicas: 1, selector: 'app=redis' },
    });
    const put = (await call('PUT', url, { body: { ...scale, spec: { replicas: 3 } } })).json();
    expect(put.spec.replicas).toBe(3);
    const patched = (
      await call('PATCH', url, { type: 'application/merge-patch+json', body: { spec: { replicas: 2 } } })
    ).json();
    expect(patched).toMatchObject({ kind: 'Scale', spec: { replicas: 2 } });
    expect(sim.store.get('statefulsets', 'shop', 'redis')?.spec).toMatchObject({ replicas: 2 });
    expect((await call('PUT', url, { body: { ...scale, spec: { replicas: 1 } } })).status).toBe(409); // stale resourceVersion
  });

  it('status writes change only status; main-resource writes keep the stored status', async () => {
    const pod = (await get('/api/v1/namespaces/shop/pods/redis-0')).json();
    const viaStatus = (
      await call('PUT', '/api/v1/namespaces/shop/pods/redis-0/status', {
        body: {
          ...pod,
          metadata: { ...pod.metadata, labels: { changed: 'no' } },
          status: { ...pod.status, phase: 'Failed' },
        },
      })
    ).json();
    expect(viaStatus.status.phase).toBe('Failed');
    expect(viaStatus.metadata.labels).toEqual(pod.metadata.labels);
    const viaMain = (
      await call('PATCH', '/api/v1/namespaces/shop/pods/redis-0', {
        type: 'application/merge-patch+json',
        body: { status: { phase: 'Running' } },
      })
    ).json();
    expect(viaMain.status.phase).toBe('Failed');
  });

  it('evicts a pod', async () => {
    const r = await call('POST', '/api/v1/namespaces/shop/pods/web-7d4b9c8f6d-b8w3n/eviction', {
      body: {
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name: 'web-7d4b9c8f6d-b8w3n', namespace: 'shop' },
      },
    });
    expect(r.status).toBe(201);
    expect(sim.store.get('pods', 'shop', 'web-7d4b9c8f6d-b8w3n')).toBeUndefined();
  });
});

describe('pod logs', () => {
  it('requires a container name for multi-container pods, like the API server', async () => {
    const r = await get('/api/v1/namespaces/shop/pods/web-with-sidecar/log');
    expect(r.status).toBe(400);
    expect(r.json().message).toBe(
      'a container name must be specified for pod web-with-sidecar, choose one of: [app log-shipper]',
    );
    expect((await get('/api/v1/namespaces/shop/pods/web-with-sidecar/log?container=nope')).json().message).toBe(
      'container nope is not valid for pod web-with-sidecar',
    );
    expect(
      (await get('/api/v1/namespaces/shop/pods/web-with-sidecar/log?container=app&tailLines=2')).text.split('\n'),
    ).toHaveLength(3);
  });

  it('honours tailLines and timestamps, and says why a waiting container has no log', async () => {
    sim.store.logs.append('default', 'busybox', 'busybox', 'the very last line');
    // The simulated busybox prints a line of its own every few seconds, which may land after ours.
    const r = await get('/api/v1/namespaces/default/pods/busybox/log?tailLines=3&timestamps=true');
    expect(r.type).toBe('text/plain');
    const lines = r.text.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines.at(-1)).toBe('');
    for (const line of lines.slice(0, 3)) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z \S/);
    expect(lines.some((l) => /^\S+Z the very last line$/.test(l))).toBe(true);
    expect((await get('/api/v1/namespaces/shop/pods/batch-worker/log')).json().message).toBe(
      'container "worker" in pod "batch-worker" is waiting to start: ContainerCreating',
    );
  });

  it('follows: lines appear as they are appended, and the follower is released when the client leaves', async () => {
    const baseline = sim.store.subscriberCount;
    const controller = new AbortController();
    const res = await request(`${sim.url}/api/v1/namespaces/default/pods/busybox/log?follow=true&tailLines=0`, {
      headers: { authorization: `Bearer ${sim.token}` },
      dispatcher: agent,
      signal: controller.signal,
    });
    let seen = '';
    const arrived = new Promise<void>((resolve) => {
      res.body.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('followed line')) resolve();
      });
    });
    await new Promise((r) => setTimeout(r, 50));
    sim.store.logs.append('default', 'busybox', 'busybox', 'followed line');
    await arrived;
    expect(sim.store.subscriberCount).toBe(baseline + 1);
    controller.abort();
    res.body.on('error', () => undefined);
    await expect.poll(() => sim.store.subscriberCount).toBe(baseline);
  });
});

describe('watch', () => {
  async function watchLines(
    path: string,
    until: (events: { type: string; object: any }[]) => boolean,
  ): Promise<{ type: string; object: any }[]> {
    const controller = new AbortController();
    const res = await request(`${sim.url}${path}`, {
      headers: { authorization: `Bearer ${sim.token}` },
      dispatcher: agent,
      signal: controller.signal,
    });
    const events: { type: string; object: any }[] = [];
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        buffer += chunk.toString();
        let nl: number;
        while ((nl = buffer.indexOf('\n')) !== -1) {
          events.push(JSON.parse(buffer.slice(0, nl)));
          buffer = buffer.slice(nl + 1);
        }
        if (until(events)) break;
      }
    } finally {
      controller.abort();
    }
    return events;
  }

  it('replays changes after a resourceVersion as ADDED/MODIFIED/DELETED lines', async () => {
    const from = sim.store.resourceVersion;
    sim.store.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'wr', namespace: 'default' } });
    sim.store.mutate('configmaps', 'default', 'wr', (c) => void (c.data = { x: '1' }));
    sim.store.delete('configmaps', 'default', 'wr');
    const events = await watchLines(
      `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${from}`,
      (e) => e.length >= 3,
    );
    expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([
      ['ADDED', 'wr'],
      ['MODIFIED', 'wr'],
      ['DELETED', 'wr'],
    ]);
    expect(Number(events[2]?.object.metadata.resourceVersion)).toBe(Number(from) + 3);
  });

  it('follows live changes, turning label changes in and out of a selector into ADDED and DELETED', async () => {
    const pending = watchLines(
      `/api/v1/namespaces/default/pods?watch=true&resourceVersion=${sim.store.resourceVersion}&labelSelector=watched%3Dyes`,
      (e) => e.length >= 2,
    );
    await new Promise((r) => setTimeout(r, 100));
    sim.store.mutate(
      'pods',
      'default',
      'busybox',
      (p) => void (p.metadata.labels = { ...p.metadata.labels, watched: 'yes' }),
    );
    sim.store.mutate(
      'pods',
      'default',
      'busybox',
      (p) => void (p.metadata.labels = { ...p.metadata.labels, watched: 'no' }),
    );
    expect((await pending).map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
  });

  it('sends the current state first when no resourceVersion is given, then an initial-events-end bookmark if asked', async () => {
    const events = await watchLines(
      '/api/v1/namespaces?watch=1&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan',
      (e) => e.some((x) => x.type === 'BOOKMARK'),
    );
    const added = events.filter((e) => e.type === 'ADDED').map((e) => e.object.metadata.name);
    expect(added).toEqual(expect.arrayContaining(['default', 'kube-system', 'shop']));
    expect(events.at(-1)).toMatchObject({
      type: 'BOOKMARK',
      object: { kind: 'Namespace', metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } } },
    });
  });

  it('reports a resourceVersion older than the window as an ERROR event with 410 Expired', async () => {
    const events = await watchLines('/api/v1/pods?watch=1&resourceVersion=1', (e) => e.length >= 1);
    expect(events[0]).toMatchObject({
      type: 'ERROR',
      object: {
        kind: 'Status',
        code: 410,
        reason: 'Expired',
        message: expect.stringContaining('too old resource version: 1'),
      },
    });
  });

  it('ends at timeoutSeconds, and releases its subscription when the client leaves', async () => {
    const baseline = sim.store.subscriberCount;
    const started = Date.now();
    const res = await request(
      `${sim.url}/api/v1/nodes?watch=1&resourceVersion=${sim.store.resourceVersion}&timeoutSeconds=1`,
      { headers: { authorization: `Bearer ${sim.token}` }, dispatcher: agent },
    );
    expect(await res.body.text()).toBe('');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const controller = new AbortController();
    const open = await request(`${sim.url}/api/v1/pods?watch=1`, {
      headers: { authorization: `Bearer ${sim.token}` },
      dispatcher: agent,
      signal: controller.signal,
    });
    open.body.on('error', () => undefined);
    await expect.poll(() => sim.store.subscriberCount).toBe(baseline + 1);
    controller.abort();
    await expect.poll(() => sim.store.subscriberCount).toBe(baseline);
  });
});

describe('exec and attach upgrades', () => {
  type Outcome = { status: number; body: string } | { protocol: string };
  const upgrade = (path: string, protocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io']): Promise<Outcome> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`${sim.url.replace('https', 'wss')}${path}`, protocols, {
        ca: sim.caPem,
        headers: { authorization: `Bearer ${sim.token}` },
      });
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.on('open', () => {
        resolve({ protocol: ws.protocol });
        ws.terminate();
      });
      ws.on('error', (err) => {
        if (!/Unexpected server response/.test(err.message)) reject(err);
      });
    });

  it('refuses before upgrading, with the Status a real server sends', async () => {
    const missing = await upgrade('/api/v1/namespaces/default/pods/nope/exec?command=sh&stdout=1');
    expect(missing).toMatchObject({ status: 404 });
    expect(JSON.parse((missing as { body: string }).body)).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      details: { name: 'nope', kind: 'pods' },
    });
    const badContainer = await upgrade(
      '/api/v1/namespaces/shop/pods/web-with-sidecar/exec?command=sh&stdout=1&container=nope',
    );
    expect(JSON.parse((badContainer as { body: string }).body)).toMatchObject({
      code: 400,
      message: 'container nope is not valid for pod web-with-sidecar',
    });
    const pending = await upgrade('/api/v1/namespaces/shop/pods/batch-worker/attach?stdout=1');
    expect(JSON.parse((pending as { body: string }).body)).toMatchObject({
      code: 400,
      message: 'pod batch-worker does not have a host assigned',
    });
    const noCommand = await upgrade('/api/v1/namespaces/default/pods/busybox/exec?stdout=1');
    expect(noCommand).toMatchObject({ status: 400 });
    const unsupported = await upgrade('/api/v1/namespaces/default/pods/busybox/exec?command=sh&stdout=1', [
      'v9.channel.k8s.io',
    ]);
    expect(unsupported).toMatchObject({ status: 400 });
    const plain = await call('POST', '/api/v1/namespaces/default/pods/busybox/exec?command=sh&stdout=1');
    expect(plain.json()).toMatchObject({ code: 400, message: 'Upgrade request required' });
  });

  it("negotiates the subprotocol in the client's order of preference", async () => {
    expect(await upgrade('/api/v1/namespaces/default/pods/busybox/exec?command=sh&stdout=1')).toEqual({
      protocol: 'v5.channel.k8s.io',
    });
    expect(
      await upgrade('/api/v1/namespaces/default/pods/busybox/exec?command=sh&stdout=1', [
        'v4.channel.k8s.io',
        'v5.channel.k8s.io',
      ]),
    ).toEqual({ protocol: 'v4.channel.k8s.io' });
    expect(
      await upgrade('/api/v1/namespaces/default/pods/busybox/attach?stdout=1&stdin=1', ['foo', 'channel.k8s.io']),
    ).toEqual({ protocol: 'channel.k8s.io' });
  });
});

describe('metrics.k8s.io', () => {
  it('serves NodeMetrics for Ready nodes and PodMetrics for running pods', async () => {
    const nodes = (await get('/apis/metrics.k8s.io/v1beta1/nodes')).json();
    expect(nodes.kind).toBe('NodeMetricsList');
    expect(names(nodes)).toEqual(['vm-live-01', 'vm-live-02']);
    const pod = (await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/busybox')).json();
    expect(pod).toMatchObject({
      kind: 'PodMetrics',
      containers: [{ name: 'busybox', usage: { cpu: expect.any(String), memory: expect.any(String) } }],
    });
    expect((await get('/apis/metrics.k8s.io/v1beta1/nodes/vm-live-03')).status).toBe(404);
    expect((await call('DELETE', '/apis/metrics.k8s.io/v1beta1/nodes/vm-live-01')).status).toBe(405);
  });
});
