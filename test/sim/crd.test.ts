/**
 * Dynamic CustomResourceDefinitions in the simulated API server: a CRD written over HTTP (create, server-side
 * apply, update, delete) is established at once and its resources are served — discovery (aggregated and
 * legacy), OpenAPI, every verb on the custom resources, printer columns, status and scale — until it is
 * deleted, which takes its custom resources with it. Then the same with the real kubectl.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { startSim, type SimCluster } from '../../lib/sim';
import { jsonPathValues } from '../../lib/sim/api/json-path';
import { kubectl, kubectlOk, writeKubeconfig, type KubeconfigDir } from '../helpers/kubectl';

let sim: SimCluster;
let agent: Agent;

beforeAll(async () => {
  sim = await startSim({ fixture: 'empty' });
  agent = new Agent({ connect: { ca: sim.caPem }, pipelining: 0 });
});

afterAll(async () => {
  await agent?.close();
  await sim?.close();
});

interface Reply {
  status: number;
  type: string;
  // any: tests read loosely typed Kubernetes JSON and assert on its shape.
  body: any;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  type = 'application/json',
  accept?: string,
): Promise<Reply> {
  const headers: Record<string, string> = { authorization: `Bearer ${sim.token}` };
  if (accept !== undefined) headers.accept = accept;
  if (body !== undefined) headers['content-type'] = type;
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const res = await request(`${sim.url}${path}`, {
    method: method as 'GET',
    headers,
    body: payload,
    dispatcher: agent,
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    type: String(res.headers['content-type'] ?? ''),
    body: text === '' ? undefined : JSON.parse(text),
  };
}

const get = (path: string, accept?: string) => call('GET', path, undefined, 'application/json', accept);
const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const WIDGETS = '/apis/example.org/v1/namespaces/default/widgets';

const SCHEMA = { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } };

const widgetCrd = () => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.org' },
  spec: {
    group: 'example.org',
    scope: 'Namespaced',
    names: { plural: 'widgets', kind: 'Widget', shortNames: ['wd'], categories: ['all'] },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: SCHEMA,
        subresources: {
          status: {},
          scale: {
            specReplicasPath: '.spec.size',
            statusReplicasPath: '.status.size',
            labelSelectorPath: '.status.selector',
          },
        },
        additionalPrinterColumns: [
          { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
          { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
          { name: 'Color', type: 'string', jsonPath: '.spec.color', priority: 1, description: 'What it looks like' },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
      },
    ],
  },
});

const widget = (name: string, spec: Record<string, unknown> = { size: 1 }) => ({
  apiVersion: 'example.org/v1',
  kind: 'Widget',
  metadata: { name, namespace: 'default' },
  spec,
});

interface AggregatedGroup {
  metadata: { name: string };
  versions: { version: string; resources: Record<string, unknown>[] }[];
}

async function aggregatedGroup(name: string): Promise<AggregatedGroup | undefined> {
  const list = (await get('/apis', AGGREGATED)).body as { items: AggregatedGroup[] };
  return list.items.find((g) => g.metadata.name === name);
}

/** Opens a watch and collects its events until `done` holds or the server ends the stream. */
async function watchUntil(
  path: string,
  done: (events: { type: string; object: any }[]) => boolean,
): Promise<{ events: { type: string; object: any }[]; ended: boolean }> {
  const res = await request(`${sim.url}${path}`, {
    headers: { authorization: `Bearer ${sim.token}` },
    dispatcher: agent,
  });
  const events: { type: string; object: any }[] = [];
  let buffer = '';
  for await (const chunk of res.body) {
    buffer += (chunk as Buffer).toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) if (line !== '') events.push(JSON.parse(line));
    if (done(events)) {
      res.body.destroy();
      return { events, ended: false };
    }
  }
  return { events, ended: true };
}

describe('a CRD created over HTTP', () => {
  it('answers 404 for its group before it exists, like any unknown group/version', async () => {
    const before = await call('POST', WIDGETS, widget('early'));
    expect(before.status).toBe(404);
    expect(before.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server could not find the requested resource',
      reason: 'NotFound',
      details: {},
      code: 404,
    });
    expect((await get('/apis/example.org/v1')).status).toBe(404);
    expect((await get('/apis/example.org')).status).toBe(404);
  });

  it('is created with defaults and the status the controllers write: names accepted, established', async () => {
    const created = await call('POST', CRDS, widgetCrd());
    expect(created.status).toBe(201);
    expect(created.body.spec.names).toEqual({
      plural: 'widgets',
      kind: 'Widget',
      shortNames: ['wd'],
      categories: ['all'],
      singular: 'widget',
      listKind: 'WidgetList',
    });
    expect(created.body.spec.conversion).toEqual({ strategy: 'None' });
    const { conditions, acceptedNames, storedVersions } = created.body.status;
    expect(conditions.map((c: any) => [c.type, c.status, c.reason])).toEqual([
      ['NamesAccepted', 'True', 'NoConflicts'],
      ['Established', 'True', 'InitialNamesAccepted'],
    ]);
    expect(conditions[1].lastTransitionTime).toBe(created.body.metadata.creationTimestamp);
    expect(acceptedNames).toEqual({
      plural: 'widgets',
      singular: 'widget',
      shortNames: ['wd'],
      kind: 'Widget',
      listKind: 'WidgetList',
      categories: ['all'],
    });
    expect(storedVersions).toEqual(['v1']);
  });

  it('appears in aggregated discovery as the apiextensions server publishes it', async () => {
    const group = await aggregatedGroup('example.org');
    expect(group?.versions.map((v) => v.version)).toEqual(['v1']);
    expect(JSON.stringify(group?.versions[0]?.resources)).toBe(
      JSON.stringify([
        {
          categories: ['all'],
          resource: 'widgets',
          responseKind: { group: 'example.org', kind: 'Widget', version: 'v1' },
          scope: 'Namespaced',
          shortNames: ['wd'],
          singularResource: 'widget',
          subresources: [
            {
              responseKind: { group: 'example.org', kind: 'Widget', version: 'v1' },
              subresource: 'status',
              verbs: ['get', 'patch', 'update'],
            },
            {
              responseKind: { group: 'autoscaling', kind: 'Scale', version: 'v1' },
              subresource: 'scale',
              verbs: ['get', 'patch', 'update'],
            },
          ],
          verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'],
        },
      ]),
    );
  });

  it('appears in legacy discovery: /apis (before metrics.k8s.io), /apis/<group>, /apis/<group>/<version>', async () => {
    const groups = (await get('/apis')).body.groups.map((g: { name: string }) => g.name);
    expect(groups.slice(-3)).toEqual(['example.org', 'stable.example.com', 'metrics.k8s.io']);
    expect((await get('/apis/example.org')).body).toEqual({
      apiVersion: 'v1',
      kind: 'APIGroup',
      name: 'example.org',
      preferredVersion: { groupVersion: 'example.org/v1', version: 'v1' },
      versions: [{ groupVersion: 'example.org/v1', version: 'v1' }],
    });
    const list = (await get('/apis/example.org/v1')).body;
    expect(list).toMatchObject({ kind: 'APIResourceList', groupVersion: 'example.org/v1' });
    expect(list.resources).toEqual([
      // storageVersionHash: the first 8 bytes of sha256("example.org/v1/Widget"), as discovery.StorageVersionHash computes it.
      {
        categories: ['all'],
        kind: 'Widget',
        name: 'widgets',
        namespaced: true,
        shortNames: ['wd'],
        singularName: 'widget',
        storageVersionHash: 'UBpgYKpyMCc=',
        verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'],
      },
      { kind: 'Widget', name: 'widgets/status', namespaced: true, singularName: '', verbs: ['get', 'patch', 'update'] },
      {
        group: 'autoscaling',
        kind: 'Scale',
        name: 'widgets/scale',
        namespaced: true,
        singularName: '',
        verbs: ['get', 'patch', 'update'],
        version: 'v1',
      },
    ]);
  });

  it('appears in the OpenAPI v3 index, with a PATCH operation for its kind', async () => {
    const root = (await get('/openapi/v3')).body as { paths: Record<string, { serverRelativeURL: string }> };
    const url = root.paths['apis/example.org/v1']?.serverRelativeURL;
    expect(url).toBeDefined();
    const doc = (await get(url ?? '')).body;
    expect(
      doc.paths['/apis/example.org/v1/namespaces/{namespace}/widgets/{name}'].patch['x-kubernetes-group-version-kind'],
    ).toEqual({ group: 'example.org', version: 'v1', kind: 'Widget' });
  });

  it('serves its custom resources: create, get, list, replace, merge and JSON patch, strategic merge refused', async () => {
    const created = await call('POST', WIDGETS, widget('w1', { size: 2, color: 'blue' }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      kind: 'Widget',
      apiVersion: 'example.org/v1',
      metadata: { name: 'w1', namespace: 'default', generation: 1 },
      spec: { size: 2, color: 'blue' },
    });
    expect((await get(`${WIDGETS}/w1`)).body.metadata.uid).toBe(created.body.metadata.uid);

    const list = (await get(WIDGETS)).body;
    expect(list).toMatchObject({ kind: 'WidgetList', apiVersion: 'example.org/v1' });
    expect(list.items.map((i: any) => i.metadata.name)).toEqual(['w1']);
    expect((await get('/apis/example.org/v1/widgets')).body.items).toHaveLength(1);

    const replaced = await call('PUT', `${WIDGETS}/w1`, { ...created.body, spec: { size: 3, color: 'blue' } });
    expect(replaced.body.metadata.generation).toBe(2);
    const merged = await call('PATCH', `${WIDGETS}/w1`, { spec: { color: 'red' } }, 'application/merge-patch+json');
    expect(merged.body.spec).toEqual({ size: 3, color: 'red' });
    const jsonPatched = await call(
      'PATCH',
      `${WIDGETS}/w1`,
      [{ op: 'replace', path: '/spec/size', value: 4 }],
      'application/json-patch+json',
    );
    expect(jsonPatched.body.spec.size).toBe(4);
    const strategic = await call(
      'PATCH',
      `${WIDGETS}/w1`,
      { spec: { size: 5 } },
      'application/strategic-merge-patch+json',
    );
    expect(strategic.status).toBe(415);
    expect(strategic.body.message).toBe(
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
    );

    const wrongKind = await call('POST', WIDGETS, { ...widget('w9'), kind: 'Gizmo' });
    expect(wrongKind.status).toBe(400);
    expect(wrongKind.body.message).toBe('the kind in the data (Gizmo) does not match the expected kind (Widget)');
  });

  it('server-side applies custom resources (create, then a change), lists atomic', async () => {
    const path = `${WIDGETS}/applied?fieldManager=test`;
    const first = await call(
      'PATCH',
      path,
      { ...widget('applied', { size: 1, tags: ['a', 'b'] }) },
      'application/apply-patch+yaml',
    );
    expect(first.status).toBe(201);
    const second = await call(
      'PATCH',
      path,
      { ...widget('applied', { size: 2, tags: ['c'] }) },
      'application/apply-patch+yaml',
    );
    expect(second.status).toBe(200);
    expect(second.body.spec).toEqual({ size: 2, tags: ['c'] });
    expect(second.body.metadata.managedFields[0]).toMatchObject({
      manager: 'test',
      operation: 'Apply',
      apiVersion: 'example.org/v1',
    });
  });

  it('serves status and scale subresources through the paths the CRD declares', async () => {
    const status = await call('PUT', `${WIDGETS}/w1/status`, {
      ...(await get(`${WIDGETS}/w1`)).body,
      spec: { size: 99 },
      status: { size: 4, selector: 'app=w1', conditions: [{ type: 'Ready', status: 'True' }] },
    });
    expect(status.body.spec.size).toBe(4);
    expect(status.body.status.size).toBe(4);
    const scale = await get(`${WIDGETS}/w1/scale`);
    expect(scale.body).toMatchObject({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name: 'w1', namespace: 'default' },
      spec: { replicas: 4 },
      status: { replicas: 4, selector: 'app=w1' },
    });
    const scaled = await call(
      'PATCH',
      `${WIDGETS}/w1/scale`,
      { spec: { replicas: 6 } },
      'application/merge-patch+json',
    );
    expect(scaled.body.spec.replicas).toBe(6);
    expect((await get(`${WIDGETS}/w1`)).body.spec.size).toBe(6);
  });

  it('prints its additionalPrinterColumns (typed cells, filters in JSONPath, priority, default description)', async () => {
    const table = (await get(WIDGETS, TABLE)).body;
    expect(table.columnDefinitions.map((c: any) => [c.name, c.type, c.priority])).toEqual([
      ['Name', 'string', 0],
      ['Size', 'integer', 0],
      ['Ready', 'string', 0],
      ['Color', 'string', 1],
      ['Age', 'date', 0],
    ]);
    expect(table.columnDefinitions[1].description).toBe(
      'Custom resource definition column (in JSONPath format): .spec.size',
    );
    expect(table.columnDefinitions[3].description).toBe('What it looks like');
    const w1 = table.rows.find((r: any) => r.cells[0] === 'w1');
    expect(w1.cells.slice(0, 4)).toEqual(['w1', 6, 'True', 'red']);
    expect(w1.cells[4]).toMatch(/^\d+s$/);
    const applied = table.rows.find((r: any) => r.cells[0] === 'applied');
    expect(applied.cells.slice(0, 4)).toEqual(['applied', 2, null, null]);
  });

  it('watches its custom resources', async () => {
    const from = (await get(WIDGETS)).body.metadata.resourceVersion;
    const watching = watchUntil(`${WIDGETS}?watch=true&resourceVersion=${from}`, (e) => e.length >= 3);
    await new Promise((r) => setTimeout(r, 50));
    await call('POST', WIDGETS, widget('watched'));
    await call('PATCH', `${WIDGETS}/watched`, { spec: { size: 7 } }, 'application/merge-patch+json');
    const deleted = await call('DELETE', `${WIDGETS}/watched`);
    expect(deleted.body).toMatchObject({ kind: 'Widget', metadata: { name: 'watched' } });
    const { events } = await watching;
    expect(events.map((e) => [e.type, e.object.metadata.name, e.object.spec.size])).toEqual([
      ['ADDED', 'watched', 1],
      ['MODIFIED', 'watched', 7],
      ['DELETED', 'watched', 7],
    ]);
  });

  it('serves a version added by an update: discovery follows, objects read at either version', async () => {
    const crd = (await get(`${CRDS}/widgets.example.org`)).body;
    const v2 = {
      name: 'v2',
      served: true,
      storage: false,
      schema: SCHEMA,
      additionalPrinterColumns: [{ name: 'Shade', type: 'string', jsonPath: '.spec.color' }],
    };
    const updated = await call('PUT', `${CRDS}/widgets.example.org`, {
      ...crd,
      spec: { ...crd.spec, versions: [...crd.spec.versions, v2] },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.metadata.generation).toBe(2);
    expect(updated.body.status.storedVersions).toEqual(['v1']);

    expect((await aggregatedGroup('example.org'))?.versions.map((v) => v.version)).toEqual(['v2', 'v1']);
    expect((await get('/apis/example.org')).body.preferredVersion).toEqual({
      groupVersion: 'example.org/v2',
      version: 'v2',
    });
    const atV2 = await get('/apis/example.org/v2/namespaces/default/widgets/w1');
    expect(atV2.body).toMatchObject({ kind: 'Widget', apiVersion: 'example.org/v2', spec: { size: 6 } });
    const listV2 = (await get('/apis/example.org/v2/namespaces/default/widgets')).body;
    expect(listV2.items.every((i: any) => i.apiVersion === 'example.org/v2')).toBe(true);
    expect(
      (await get('/apis/example.org/v2/namespaces/default/widgets', TABLE)).body.columnDefinitions.map(
        (c: any) => c.name,
      ),
    ).toEqual(['Name', 'Shade']);
    expect((await get(`${WIDGETS}/w1`)).body.apiVersion).toBe('example.org/v1');
  });

  it('rejects an invalid CRD with 422 and apimachinery field errors', async () => {
    const bad = (change: (crd: any) => void) => {
      const crd: any = widgetCrd();
      change(crd);
      return call('POST', CRDS, crd);
    };
    const wrongName = await bad((c) => (c.metadata.name = 'widgets.other.org'));
    expect(wrongName.status).toBe(422);
    expect(wrongName.body.message).toBe(
      'CustomResourceDefinition.apiextensions.k8s.io "widgets.other.org" is invalid: metadata.name: Invalid value: "widgets.other.org": must be spec.names.plural+"."+spec.group',
    );
    expect(wrongName.body.details).toMatchObject({
      name: 'widgets.other.org',
      group: 'apiextensions.k8s.io',
      kind: 'CustomResourceDefinition',
    });

    const noDot = await bad((c) => {
      c.metadata.name = 'widgets.example';
      c.spec.group = 'example';
    });
    expect(noDot.body.details.causes).toContainEqual({
      reason: 'FieldValueInvalid',
      message: 'Invalid value: "example": should be a domain with at least one dot',
      field: 'spec.group',
    });
    const noSchema = await bad((c) => delete c.spec.versions[0].schema);
    expect(noSchema.body.details.causes).toEqual([
      {
        reason: 'FieldValueRequired',
        message: 'Required value: schemas are required',
        field: 'spec.versions[0].schema.openAPIV3Schema',
      },
    ]);
    const twoStorage = await bad((c) => c.spec.versions.push({ ...c.spec.versions[0], name: 'v2' }));
    expect(twoStorage.body.details.causes[0]).toMatchObject({
      field: 'spec.versions',
      message: expect.stringContaining('must have exactly one version marked as storage version'),
    });
    const badScope = await bad((c) => (c.spec.scope = 'Global'));
    expect(badScope.body.details.causes).toContainEqual({
      reason: 'FieldValueNotSupported',
      message: 'Unsupported value: "Global": supported values: "Cluster", "Namespaced"',
      field: 'spec.scope',
    });
    const protectedGroup = await bad((c) => {
      c.metadata.name = 'widgets.apps.k8s.io';
      c.spec.group = 'apps.k8s.io';
    });
    expect(protectedGroup.body.details.causes[0].field).toBe('metadata.annotations[api-approved.kubernetes.io]');

    const crd = (await get(`${CRDS}/widgets.example.org`)).body;
    const rescoped = await call('PUT', `${CRDS}/widgets.example.org`, {
      ...crd,
      spec: { ...crd.spec, scope: 'Cluster' },
    });
    expect(rescoped.status).toBe(422);
    expect(rescoped.body.details.causes).toEqual([
      { reason: 'FieldValueInvalid', message: 'Invalid value: "Cluster": field is immutable', field: 'spec.scope' },
    ]);
    expect((await get(CRDS)).body.items.map((i: any) => i.metadata.name)).toEqual([
      'crontabs.stable.example.com',
      'widgets.example.org',
    ]);
  });

  it('does not serve a CRD whose kind another CRD of the group already has', async () => {
    const clash: any = widgetCrd();
    clash.metadata.name = 'widgetcopies.example.org';
    clash.spec.names = { plural: 'widgetcopies', singular: 'widgetcopy', kind: 'Widget' };
    const created = await call('POST', CRDS, clash);
    expect(created.status).toBe(201);
    expect(created.body.status.conditions.map((c: any) => [c.type, c.status, c.reason, c.message])).toEqual([
      ['NamesAccepted', 'False', 'KindConflict', '"Widget" is already in use'],
      ['Established', 'False', 'NotAccepted', 'not all names are accepted'],
    ]);
    expect(created.body.status.acceptedNames).toEqual({ plural: '', kind: '' });
    expect((await get('/apis/example.org/v1/namespaces/default/widgetcopies')).status).toBe(404);
    expect((await call('DELETE', `${CRDS}/widgetcopies.example.org`)).status).toBe(200);
  });

  it('serves a cluster-scoped CRD applied server-side', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'regions.geo.example.org' },
      spec: {
        group: 'geo.example.org',
        scope: 'Cluster',
        names: { plural: 'regions', kind: 'Region' },
        versions: [{ name: 'v1alpha1', served: true, storage: true, schema: SCHEMA }],
      },
    };
    const applied = await call(
      'PATCH',
      `${CRDS}/regions.geo.example.org?fieldManager=test`,
      crd,
      'application/apply-patch+yaml',
    );
    expect(applied.status).toBe(201);
    expect(applied.body.status.conditions[1]).toMatchObject({ type: 'Established', status: 'True' });
    const region = await call('POST', '/apis/geo.example.org/v1alpha1/regions', {
      apiVersion: 'geo.example.org/v1alpha1',
      kind: 'Region',
      metadata: { name: 'eu' },
    });
    expect(region.status).toBe(201);
    expect(region.body.metadata.namespace).toBeUndefined();
    expect((await get('/apis/geo.example.org/v1alpha1/namespaces/default/regions')).status).toBe(404);
    const resource = (await aggregatedGroup('geo.example.org'))?.versions[0]?.resources[0];
    expect(resource).toMatchObject({ resource: 'regions', scope: 'Cluster', singularResource: 'region' });
    expect(resource).not.toHaveProperty('subresources');
    expect(
      (await get('/apis/geo.example.org/v1alpha1/regions', TABLE)).body.columnDefinitions.map((c: any) => [
        c.name,
        c.type,
      ]),
    ).toEqual([
      ['Name', 'string'],
      ['Age', 'date'],
    ]);
  });

  it('prunes what the structural schema does not declare and fills its defaults', async () => {
    const schema = {
      openAPIV3Schema: {
        type: 'object',
        properties: {
          spec: {
            type: 'object',
            properties: {
              size: { type: 'integer', default: 1 },
              color: { type: 'string' },
              tint: { type: 'string', nullable: true },
              parts: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { name: { type: 'string' }, weight: { type: 'integer', default: 10 } },
                },
              },
              labels: { type: 'object', additionalProperties: { type: 'string' } },
              free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              closed: { type: 'object' },
            },
          },
          status: { type: 'object', properties: { phase: { type: 'string' } } },
        },
      },
    };
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gizmos.shape.example.org' },
      spec: {
        group: 'shape.example.org',
        scope: 'Namespaced',
        names: { plural: 'gizmos', kind: 'Gizmo' },
        versions: [{ name: 'v1', served: true, storage: true, schema }],
      },
    };
    expect((await call('POST', CRDS, crd)).status).toBe(201);
    const gizmo = {
      apiVersion: 'shape.example.org/v1',
      kind: 'Gizmo',
      metadata: { name: 'g', labels: { keep: 'me' } },
      spec: {
        color: null,
        tint: null,
        extra: true,
        parts: [{ name: 'a', junk: 1 }],
        labels: { x: 'y' },
        free: { anything: { goes: 1 } },
        closed: { dropped: 1 },
      },
      status: { phase: 'Ready', other: 1 },
      topLevel: 'dropped',
    };
    const created = await call('POST', '/apis/shape.example.org/v1/namespaces/default/gizmos', gizmo);
    expect(created.status).toBe(201);
    expect(created.body.spec).toEqual({
      size: 1,
      tint: null,
      parts: [{ name: 'a', weight: 10 }],
      labels: { x: 'y' },
      free: { anything: { goes: 1 } },
      closed: {},
    });
    expect(created.body.status).toEqual({ phase: 'Ready' });
    expect(created.body).not.toHaveProperty('topLevel');
    expect(created.body.metadata.labels).toEqual({ keep: 'me' });
    const patched = await call(
      'PATCH',
      '/apis/shape.example.org/v1/namespaces/default/gizmos/g',
      { spec: { size: 5, bogus: 1 } },
      'application/merge-patch+json',
    );
    expect(patched.body.spec.size).toBe(5);
    expect(patched.body.spec).not.toHaveProperty('bogus');
  });

  it('deleting it deletes its custom resources (watchers see them go, then the watch ends) and stops serving it', async () => {
    const before = (await get(WIDGETS)).body;
    const names = before.items.map((i: any) => i.metadata.name).sort();
    expect(names).toEqual(['applied', 'w1']);
    const watching = watchUntil(
      `/apis/example.org/v1/widgets?watch=true&resourceVersion=${before.metadata.resourceVersion}`,
      () => false,
    );
    await new Promise((r) => setTimeout(r, 50));

    const deleted = await call('DELETE', `${CRDS}/widgets.example.org`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.org' } });
    const { events, ended } = await watching;
    expect(ended).toBe(true);
    expect(events.map((e) => [e.type, e.object.metadata.name]).sort()).toEqual([
      ['DELETED', 'applied'],
      ['DELETED', 'w1'],
    ]);

    expect((await get(WIDGETS)).status).toBe(404);
    expect((await get('/apis/example.org/v1')).status).toBe(404);
    expect((await get('/apis/example.org')).status).toBe(404);
    expect((await get('/apis')).body.groups.map((g: { name: string }) => g.name)).not.toContain('example.org');
    expect(await aggregatedGroup('example.org')).toBeUndefined();
    expect((await get('/openapi/v3')).body.paths['apis/example.org/v1']).toBeUndefined();
    expect(() => sim.store.count('widgets')).toThrow(/doesn't have a resource type "widgets"/);

    // Defined again, it starts empty.
    expect((await call('POST', CRDS, widgetCrd())).status).toBe(201);
    expect((await get(WIDGETS)).body.items).toEqual([]);
  });
});

describe('the JSONPath subset of printer columns', () => {
  const doc = {
    spec: {
      'a.b': 1,
      list: [
        { n: 'x', v: 1 },
        { n: 'y', v: 2 },
      ],
    },
    status: {
      conditions: [
        { type: 'Ready', status: 'False' },
        { type: 'Synced', status: 'True' },
      ],
    },
  };
  it.each([
    ['.spec.list[1].v', [2]],
    ['.spec.list[-1].n', ['y']],
    ['.spec.list[*].n', ['x', 'y']],
    ["['spec']['a.b']", [1]],
    ['.status.conditions[?(@.type=="Synced")].status', ['True']],
    [".status.conditions[?(@.type!='Synced')].type", ['Ready']],
    ['{.spec.list[0].n}', ['x']],
    ['.spec.missing', []],
    ['.spec..v', []],
  ])('%s', (path, values) => {
    expect(jsonPathValues(doc, path)).toEqual(values);
  });
});

describe('a CRD with the real kubectl', () => {
  let config: KubeconfigDir;
  const write = async (name: string, text: string) => {
    const { writeFile } = await import('node:fs/promises');
    const path = `${config.dir}/${name}`;
    await writeFile(path, text);
    return path;
  };

  beforeAll(async () => {
    config = await writeKubeconfig(sim, 'cert');
  });

  afterAll(async () => {
    await config?.remove();
  });

  const CRD_YAML = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.kubectl.example.org
spec:
  group: kubectl.example.org
  scope: Namespaced
  names:
    plural: gadgets
    singular: gadget
    kind: Gadget
    shortNames: [gd]
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
    additionalPrinterColumns:
    - name: Replicas
      type: integer
      jsonPath: .spec.replicas
    - name: Color
      type: string
      jsonPath: .spec.color
`;
  const CR_YAML = `apiVersion: kubectl.example.org/v1
kind: Gadget
metadata:
  name: g1
spec:
  replicas: 2
  color: green
`;

  it('apply -f crd.yaml, wait for it, then apply -f cr.yaml; get prints the printer columns', async () => {
    expect(await kubectlOk(config, ['apply', '-f', await write('crd.yaml', CRD_YAML)])).toBe(
      'customresourcedefinition.apiextensions.k8s.io/gadgets.kubectl.example.org created\n',
    );
    expect(
      await kubectlOk(config, [
        'wait',
        '--for',
        'condition=Established',
        'crd/gadgets.kubectl.example.org',
        '--timeout=5s',
      ]),
    ).toBe('customresourcedefinition.apiextensions.k8s.io/gadgets.kubectl.example.org condition met\n');
    expect(await kubectlOk(config, ['apply', '-f', await write('cr.yaml', CR_YAML)])).toBe(
      'gadget.kubectl.example.org/g1 created\n',
    );
    const table = (await kubectlOk(config, ['get', 'gadgets']))
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/));
    expect(table[0]).toEqual(['NAME', 'REPLICAS', 'COLOR']);
    expect(table[1]).toEqual(['g1', '2', 'green']);
    // Applying the same file again, changed: client-side apply patches the custom resource (a merge patch).
    expect(await kubectlOk(config, ['apply', '-f', await write('cr.yaml', CR_YAML.replace('green', 'blue'))])).toBe(
      'gadget.kubectl.example.org/g1 configured\n',
    );
    expect(await kubectlOk(config, ['get', 'gd', 'g1', '-o', 'jsonpath={.spec.color}'])).toBe('blue');
  });

  it('api-resources lists it; scale and server-side apply work on it', async () => {
    const rows = (await kubectlOk(config, ['api-resources', '--api-group', 'kubectl.example.org']))
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/));
    expect(rows).toEqual([
      ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND'],
      ['gadgets', 'gd', 'kubectl.example.org/v1', 'true', 'Gadget'],
    ]);
    expect(await kubectlOk(config, ['scale', 'gadget', 'g1', '--replicas=5'])).toBe(
      'gadget.kubectl.example.org/g1 scaled\n',
    );
    expect(
      await kubectlOk(config, ['apply', '--server-side', '-f', await write('g2.yaml', CR_YAML.replace('g1', 'g2'))]),
    ).toBe('gadget.kubectl.example.org/g2 serverside-applied\n');
    const names = await kubectlOk(config, [
      'get',
      'gadgets',
      '-o',
      'jsonpath={range .items[*]}{.metadata.name}={.spec.replicas} {end}',
    ]);
    expect(names).toBe('g1=5 g2=2 ');
  });

  it('delete crd: its resources are gone, and kubectl no longer knows the type', async () => {
    expect(await kubectlOk(config, ['delete', 'crd', 'gadgets.kubectl.example.org'])).toBe(
      'customresourcedefinition.apiextensions.k8s.io "gadgets.kubectl.example.org" deleted\n',
    );
    // api-resources reads discovery afresh (and refreshes kubectl's cache), so get then knows the type is gone.
    expect(await kubectlOk(config, ['api-resources'])).not.toContain('gadgets');
    const after = await kubectl(config, ['get', 'gadgets']);
    expect(after.code).toBe(1);
    expect(after.stderr).toBe('error: the server doesn\'t have a resource type "gadgets"\n');
    expect(sim.store.list('customresourcedefinitions').map((c) => c.metadata.name)).not.toContain(
      'gadgets.kubectl.example.org',
    );
  });
});
