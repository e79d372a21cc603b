/**
 * What the Kore Board web UI's pages ask, in the order a user's visit makes them ask it, over HTTP against the
 * simulated cluster: sign-in (no-auth mode), the context picker, a context's page, namespaces, dashboard, topology,
 * a pod list by label, the pod, edit-and-save, delete-and-poll, and the "Add a cluster" page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTEXT, startStack, type Stack } from '../helpers/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

/** The UI's axios client: same origin, JSON both ways. */
async function ui(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${stack.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}

/** The object page's delete: DELETE, then GET (every 2 s in the UI; here at once) until the object is gone. */
async function deleteAndPoll(path: string, polls: number): Promise<number> {
  const deleted = await ui('DELETE', path);
  expect(deleted.status).toBe(200);
  for (let poll = 1; poll <= polls; poll++) {
    if ((await ui('GET', path)).status === 404) return poll;
  }
  throw new Error(`${path} still answers after ${polls} polls`);
}

describe('a visit of the Kore Board UI, page by page', () => {
  it('signs in by itself in the no-auth mode', async () => {
    expect(await ui('GET', '/api/auth/login')).toEqual({
      status: 200,
      body: { strategy: 'cookie', schema: '', provider: '' },
    });
    expect(await ui('POST', '/api/auth/login', {})).toEqual({ status: 200, body: { message: '' } });
    expect(await ui('GET', '/api/auth/user')).toEqual({ status: 200, body: { user: { username: 'admin' } } });
  });

  it('picks a context, reads it and its namespaces', async () => {
    const picker = await ui('GET', '/api/contexts');
    expect(picker.status).toBe(200);
    expect(picker.body.contexts).toEqual([CONTEXT]);
    expect(picker.body.currentContext).toBe(CONTEXT);

    const detail = await ui('GET', `/api/contexts/${CONTEXT}`);
    expect(detail.status).toBe(200);
    expect(detail.body.error).toBeUndefined();
    expect(detail.body.contexts).toEqual([CONTEXT]);
    const current = detail.body.currentContext;
    expect(current.name).toBe(CONTEXT);
    expect(current.namespaces).toContain('default');
    expect(current.kubernetesVersion).toMatch(/^v1\.\d+\.\d+/);
    expect(current.platform).toBe('kubernetes');
    expect(current.resources[''].pods).toMatchObject({
      name: 'pods',
      groupVersion: 'v1',
      kind: 'Pod',
      namespaced: true,
    });
    expect(current.resources.apps.deployments).toMatchObject({ groupVersion: 'apps/v1', kind: 'Deployment' });

    const namespaces = await ui('GET', `/api/contexts/${CONTEXT}/namespaces`);
    expect(namespaces).toEqual({ status: 200, body: { currentContext: CONTEXT, namespaces: current.namespaces } });
  });

  it('shows the dashboard and the topology', async () => {
    const dashboard = await ui('GET', `/api/clusters/${CONTEXT}/dashboard`);
    expect(dashboard.status).toBe(200);
    const topology = await ui('GET', `/api/clusters/${CONTEXT}/topology`);
    expect(topology.status).toBe(200);
    expect(topology.body.nodes.length).toBeGreaterThan(0);
  });

  it('lists pods by label, opens one, edits and saves it, and a stale save is a Conflict', async () => {
    const list = await ui('GET', `/raw/clusters/${CONTEXT}/api/v1/namespaces/default/pods?labelSelector=run%3Dbusybox`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((p: any) => p.metadata.name)).toEqual(['busybox']);

    const podPath = `/raw/clusters/${CONTEXT}/api/v1/namespaces/default/pods/busybox`;
    const fetched = (await ui('GET', podPath)).body;
    expect(fetched.metadata.resourceVersion).toBeDefined();
    expect(fetched.status.phase).toBe('Running');

    // The editor sends back the whole object it fetched: resourceVersion, managedFields, status and all.
    const edited = structuredClone(fetched);
    edited.metadata.labels.edited = 'yes';
    const saved = await ui('PUT', `/raw/clusters/${CONTEXT}`, edited);
    expect(saved.status).toBe(200);
    expect(saved.body.metadata.labels).toEqual({ run: 'busybox', edited: 'yes' });
    expect(saved.body.metadata.resourceVersion).not.toBe(fetched.metadata.resourceVersion);
    expect(saved.body).toEqual((await ui('GET', podPath)).body); // the answer is the stored object

    const stale = await ui('PUT', `/raw/clusters/${CONTEXT}`, fetched);
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ kind: 'Status', reason: 'Conflict', code: 409 });
    expect((await ui('GET', podPath)).body.metadata.labels.edited).toBe('yes');
  });

  it('creates on POST /raw (the current context), then deletes and polls until the object is gone', async () => {
    const created = await ui('POST', '/raw', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'from-ui', namespace: 'default' },
      data: { a: '1' },
    });
    expect(created.status).toBe(201);
    expect(created.body.metadata).toMatchObject({ name: 'from-ui', namespace: 'default' });
    const replaced = await ui('PUT', '/raw', { ...created.body, data: { a: '2' } });
    expect(replaced.status).toBe(200);
    expect(replaced.body.data).toEqual({ a: '2' });

    expect(await deleteAndPoll(`/raw/clusters/${CONTEXT}/api/v1/namespaces/default/configmaps/from-ui`, 5)).toBe(1);
    expect(await deleteAndPoll(`/raw/clusters/${CONTEXT}/api/v1/namespaces/default/pods/busybox`, 5)).toBe(1);
  });

  it('adds a cluster, finds it listed and usable, and deletes it', async () => {
    const name = 'admin@added:prod/eu';
    const token = 'added-cluster-secret-token';
    const added = await ui('POST', `/api/contexts/${encodeURIComponent(name)}`, {
      cluster: { server: stack.sim.url, 'certificate-authority-data': Buffer.from(stack.sim.caPem).toString('base64') },
      user: { token },
      namespace: 'default',
    });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({ contexts: [name, CONTEXT].sort(), currentContext: CONTEXT });

    const picker = await ui('GET', '/api/contexts');
    expect(picker.body.contexts).toContain(name);
    const config = await fetch(`${stack.url}/api/contexts/${encodeURIComponent(name)}/config`);
    expect(config.status).toBe(200);
    expect(await config.text()).not.toContain(token);

    const again = await ui('POST', `/api/contexts/${encodeURIComponent(name)}`, {
      cluster: { server: stack.sim.url },
      user: { token },
    });
    expect(again.status).toBe(409);

    const removed = await ui('DELETE', `/api/contexts/${encodeURIComponent(name)}`);
    expect(removed.status).toBe(200);
    expect((await ui('GET', '/api/contexts')).body.contexts).toEqual([CONTEXT]);
  });
});
