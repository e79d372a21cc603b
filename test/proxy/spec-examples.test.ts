/**
 * The spec's "Backend kubernetes Raw API" and "CRUD examples" sections, run as written: the same
 * curl and kubectl command lines through bash, with only `localhost:3001` replaced by the test
 * server's port. The context is named as in the spec, `kubernetes@in-cluster`; kubectl reaches it
 * through the proxy (a kubeconfig whose server is `/raw/clusters/kubernetes@in-cluster`).
 */
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterRegistry } from '../../lib/clusters/types';
import type { RunningServer } from '../../lib/node/server';
import { startSim, type SimCluster } from '../../lib/sim';
import { b64, kubeconfigYaml, registryFor, startProxy, tempDir } from '../helpers/raw-stack';

const CONTEXT = 'kubernetes@in-cluster';
let sim: SimCluster;
let registry: ClusterRegistry;
let proxy: RunningServer;
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  sim = await startSim();
  registry = await registryFor(
    kubeconfigYaml([
      {
        name: CONTEXT,
        server: sim.url,
        caPem: sim.caPem,
        user: { 'client-certificate-data': b64(sim.client.certPem), 'client-key-data': b64(sim.client.keyPem) },
      },
    ]),
  );
  proxy = await startProxy(registry);
  dir = tempDir('raw-spec');
  kubeconfig = join(dir, 'through-proxy.yaml');
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'kore-board', cluster: { server: `${proxy.url}/raw/clusters/${CONTEXT}` } }],
      users: [{ name: 'nobody', user: {} }],
      contexts: [{ name: 'spec', context: { cluster: 'kore-board', user: 'nobody' } }],
      'current-context': 'spec',
    }),
  );
});

afterAll(async () => {
  await proxy?.close(100);
  await registry?.close();
  await sim?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** Runs a spec snippet through bash, the host swapped for the test server; stdout only. */
function run(snippet: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = snippet.replaceAll('http://localhost:3001', `http://localhost:${proxy.port}`).replace(/^\$ /gm, '');
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-c', script],
      { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir, KUBECACHEDIR: join(dir, 'cache') }, timeout: 20_000 },
      (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : ((err as { code?: number }).code ?? 1), stdout, stderr });
      },
    );
  });
}

const json = (text: string) =>
  JSON.parse(text) as Record<string, unknown> & { metadata: { name: string; labels?: Record<string, string> } };

describe('spec: Backend kubernetes Raw API', () => {
  it('kubectl api-resources -o wide', async () => {
    const r = await run('$ kubectl api-resources -o wide');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /\npods\s+po\s+v1\s+true\s+Pod\s+create,delete,deletecollection,get,list,patch,update,watch\s+all\n/,
    );
  });

  it('kubectl get crd, and a CRD group by jsonpath (the simulated cluster has crontabs, not istio)', async () => {
    const list = await run('$ kubectl get crd');
    expect(list.stdout).toMatch(/crontabs\.stable\.example\.com/);
    const group = await run('$ kubectl get crd crontabs.stable.example.com -o jsonpath="{.spec.group}"');
    expect(group.stdout).toBe('stable.example.com');
  });

  it('Apply APIs: create a resource (POST /raw/clusters/:cluster)', async () => {
    const r =
      await run(`$ curl -X POST -H "Content-Type: application/json" http://localhost:3001/raw/clusters/kubernetes@in-cluster -d @- <<EOF
{
    "apiVersion": "v1",
    "kind": "Namespace",
    "metadata": {
        "name": "test-namespace"
    }
}
EOF`);
    expect(json(r.stdout)).toMatchObject({ kind: 'Namespace', metadata: { name: 'test-namespace' } });
    expect(sim.store.get('namespaces', undefined, 'test-namespace')).toBeDefined();
    await run(
      '$ curl -X DELETE http://localhost:3001/raw/clusters/kubernetes@in-cluster/api/v1/namespaces/test-namespace',
    );
  });

  it('Update APIs: merge patch, then verify with kubectl', async () => {
    const r =
      await run(`$ curl -X PATCH -H "Content-Type: application/merge-patch+json" http://localhost:3001/raw/clusters/kubernetes@in-cluster/api/v1/namespaces/default/pods/busybox -d @- <<EOF
{
    "metadata": {
        "labels": {
            "app": "busybox-merge"
        }
    }
}
EOF

$ kubectl get po busybox -n default  -o jsonpath="{.metadata.labels}"`);
    expect(r.code).toBe(0);
    // curl's answer (the patched pod) and kubectl's line follow each other on stdout.
    const split = r.stdout.lastIndexOf('{"app"');
    expect(json(r.stdout.slice(0, split))).toMatchObject({
      kind: 'Pod',
      metadata: { name: 'busybox', labels: { app: 'busybox-merge' } },
    });
    expect(JSON.parse(r.stdout.slice(split))).toEqual({ app: 'busybox-merge', run: 'busybox' });
  });

  it('Update APIs: JSON patch, then verify with kubectl', async () => {
    const r =
      await run(`$ curl -X PATCH -H "Content-Type: application/json-patch+json" http://localhost:3001/raw/clusters/kubernetes@in-cluster/api/v1/namespaces/default/pods/busybox -d @- <<EOF
[
    {
        "op": "replace", 
        "path": "/metadata/labels/app", 
        "value":"busybox-json"
    }
]
EOF

$ kubectl get po busybox -n default -o jsonpath="{.metadata.labels}"`);
    expect(r.code).toBe(0);
    expect(r.stdout.endsWith('"busybox-json","run":"busybox"}')).toBe(true);
    expect(
      (sim.store.get('pods', 'default', 'busybox') as { metadata: { labels: Record<string, string> } }).metadata.labels
        .app,
    ).toBe('busybox-json');
  });
});

describe('spec: CRUD examples, in order', () => {
  it('Create', async () => {
    const r = await run(`# Create
$ curl -X POST -H "Content-Type: application/json" http://localhost:3001/raw/clusters/kubernetes@in-cluster -d @- <<EOF
{
    "apiVersion": "v1",
    "kind": "Namespace",
    "metadata": {
        "name": "test-namespace"
    }
}
EOF`);
    expect(json(r.stdout)).toMatchObject({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'test-namespace' },
      status: { phase: 'Active' },
    });
  });

  it('Get', async () => {
    const r = await run(
      '$ curl -X GET http://localhost:3001/raw/clusters/kubernetes@in-cluster/api/v1/namespaces/test-namespace',
    );
    expect(json(r.stdout)).toMatchObject({ kind: 'Namespace', metadata: { name: 'test-namespace' } });
  });

  it('Update, then verify', async () => {
    const r = await run(`# Update
$ curl -X PATCH -H "Content-Type: application/merge-patch+json" http://localhost:3001/raw/clusters/kubernetes@in-cluster/api/v1/namespaces/test-namespace  -d @- <<EOF
{
    "metadata": {
        "labels": {
            "istio-injection": "disabled"
        }
    }
}
EOF`);
    expect(json(r.stdout).metadata.labels).toMatchObject({ 'istio-injection': 'disabled' });
    const verify = await run(`# verify
$ kubectl  get ns/test-namespace -o jsonpath={.metadata.labels.istio-injection}`);
    expect(verify.stdout).toBe('disabled');
  });

  it('Delete', async () => {
    const r = await run(`# Delete
$ curl -X DELETE http://localhost:3001/raw/clusters/kubernetes@in-cluster/api/v1/namespaces/test-namespace`);
    const body = json(r.stdout);
    // A namespace is finalized before it goes: the API server answers with it, now Terminating.
    expect(body).toMatchObject({ kind: 'Namespace', metadata: { name: 'test-namespace' } });
  });

  it('List', async () => {
    const r = await run(`# List
$ curl -X GET http://localhost:3001/raw/clusters/kubernetes@in-cluster/api/v1/namespaces`);
    const list = json(r.stdout) as unknown as {
      kind: string;
      items: { metadata: { name: string }; status: { phase: string } }[];
    };
    expect(list.kind).toBe('NamespaceList');
    expect(list.items.map((n) => n.metadata.name)).toEqual(expect.arrayContaining(['default', 'kube-system']));
    const deleted = list.items.find((n) => n.metadata.name === 'test-namespace');
    expect(deleted === undefined || deleted.status.phase === 'Terminating').toBe(true);
  });
});
