import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port';
import { CONTEXT, startStack, type Stack } from '../helpers/stack';

/**
 * The edge worker (wrangler.toml, lib/edge/worker.ts) under `wrangler dev` in local mode (workerd on loopback),
 * its clusters the kubeconfig in its KUBECONFIG binding: a token context, a client-certificate one and an exec-plugin
 * one, all on the simulated cluster. A worker's fetch trusts only the platform's CAs, so the sim's CA is made one of
 * them (NODE_EXTRA_CA_CERTS, which wrangler hands to workerd), and the token context names no CA of its own, like a
 * cluster with a publicly trusted certificate. (A plain-HTTP endpoint would not do: over http no token is sent, as
 * kubectl sends none.) Its answers are compared with the Node server's, in front of the same cluster.
 */

/** The Node server's name for the cluster too, so the views (which name their context) compare equal. */
const TOKEN_CONTEXT = CONTEXT;
const CERT_CONTEXT = 'cert-only';
const EXEC_CONTEXT = 'exec-plugin';
const b64 = (s: string) => Buffer.from(s).toString('base64');
/** wrangler dev bundles, then starts workerd: seconds on this machine, more on a busy CI runner. */
const READY_WITHIN_MS = 60_000;

/** JSON is YAML, and on one line it fits a .env value as it is. */
function edgeKubeconfig(stack: Stack): string {
  const { sim } = stack;
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'public', cluster: { server: sim.url } },
      { name: 'private-ca', cluster: { server: sim.url, 'certificate-authority-data': b64(sim.caPem) } },
    ],
    users: [
      { name: 'token', user: { token: sim.token } },
      {
        name: 'cert',
        user: { 'client-certificate-data': b64(sim.client.certPem), 'client-key-data': b64(sim.client.keyPem) },
      },
      { name: 'plugin', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'get-token' } } },
    ],
    contexts: [
      { name: TOKEN_CONTEXT, context: { cluster: 'public', user: 'token' } },
      { name: CERT_CONTEXT, context: { cluster: 'private-ca', user: 'cert' } },
      { name: EXEC_CONTEXT, context: { cluster: 'public', user: 'plugin' } },
    ],
    'current-context': TOKEN_CONTEXT,
  });
}

interface Wrangler {
  child: ChildProcess;
  url: string;
  output(): string;
  /** Ends wrangler and the workerd it started (one process group), and resolves when it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts `wrangler dev` and resolves on its "Ready on" line; rejects (having stopped it) on exit or timeout.
 * `trustedCa`: a PEM file the worker's fetch trusts besides the platform's CAs.
 */
async function startWrangler(dir: string, trustedCa: string): Promise<Wrangler> {
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const args = [
    'wrangler',
    'dev',
    '--local',
    '--ip=127.0.0.1',
    `--port=${port}`,
    `--inspector-port=${inspectorPort}`,
    `--env-file=${join(dir, 'edge.env')}`,
    `--persist-to=${join(dir, 'wrangler-state')}`,
    '--show-interactive-dev-session=false',
    '--log-level=info',
  ];
  const child = spawn('npx', args, {
    cwd: process.cwd(),
    // Its own process group, so stopping it stops workerd too.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // No banner (its update check asks the npm registry), no telemetry, no watching of wrangler.toml.
    env: {
      ...process.env,
      NODE_EXTRA_CA_CERTS: trustedCa,
      WRANGLER_HIDE_BANNER: 'true',
      WRANGLER_SEND_METRICS: 'false',
      WRANGLER_CI_DISABLE_CONFIG_WATCHING: 'true',
      CI: '1',
    },
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    await exited;
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`wrangler dev not ready within ${READY_WITHIN_MS} ms:\n${output}`)),
        READY_WITHIN_MS,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes(`Ready on ${url}`)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`wrangler dev exited:\n${output}`));
      });
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { child, url, output: () => output, stop };
}

/** A websocket upgrade request (fetch will not send one), resolved with the plain answer it gets. */
function upgradeRequest(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { ...headers, connection: 'Upgrade', upgrade: 'websocket' } });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      reject(new Error('the worker upgraded the connection'));
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the edge worker under wrangler dev', () => {
  let stack: Stack;
  let wrangler: Wrangler;
  const authToken = randomBytes(16).toString('hex');
  const auth = { authorization: `Bearer ${authToken}` };
  const get = (path: string, headers: Record<string, string> = auth) => fetch(`${wrangler.url}${path}`, { headers });

  beforeAll(async () => {
    stack = await startStack();
    const env = `KUBECONFIG='${edgeKubeconfig(stack)}'\nKORE_AUTH_TOKEN=${authToken}\n`;
    // Single quotes: the value is taken as it is. In the stack's temporary folder, removed with it.
    await writeFile(join(stack.dir, 'edge.env'), env, { mode: 0o600 });
    await writeFile(join(stack.dir, 'sim-ca.pem'), stack.sim.caPem);
    wrangler = await startWrangler(stack.dir, join(stack.dir, 'sim-ca.pem'));
  }, READY_WITHIN_MS + 10_000);

  afterAll(async () => {
    await wrangler?.stop();
    await stack?.close();
  });

  it('lists the kubeconfig secret’s contexts, behind the access token', async () => {
    expect((await get('/api/clusters', {})).status).toBe(401);
    const res = await get('/api/clusters');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      contexts: [CERT_CONTEXT, EXEC_CONTEXT, TOKEN_CONTEXT],
      currentContext: TOKEN_CONTEXT,
    });
  });

  it('serves a token context’s dashboard and topology as the Node server does for the same cluster', async () => {
    for (const view of ['dashboard', 'topology']) {
      const edge = await get(`/api/clusters/${TOKEN_CONTEXT}/${view}`);
      expect(edge.status).toBe(200);
      const node = await fetch(`${stack.url}/api/clusters/${CONTEXT}/${view}`);
      // The same picture; its age differs (the edge lists at each request, Node answers from its watch cache).
      const ageless = ({ lastSyncTime, ...rest }: { lastSyncTime?: unknown }) => {
        expect(lastSyncTime, view).toMatch(/^\d{4}-\d\d-\d\dT/);
        return rest;
      };
      const edgeView = ageless((await edge.json()) as { lastSyncTime?: unknown });
      expect(edgeView).toMatchObject({ stale: false });
      expect(edgeView).toEqual(ageless((await node.json()) as { lastSyncTime?: unknown }));
    }
  });

  it('describes a token context as the Node server does (the context list aside: the worker has more)', async () => {
    const answers = async (path: string) => {
      const edge = await get(path);
      expect(edge.status).toBe(200);
      return [await edge.json(), await (await fetch(`${stack.url}${path}`)).json()] as Array<Record<string, unknown>>;
    };
    const [edge, node] = await answers(`/api/contexts/${TOKEN_CONTEXT}`);
    expect(edge?.currentContext).toMatchObject({ name: TOKEN_CONTEXT, kubernetesVersion: 'v1.32.4' });
    expect(edge?.currentContext).toEqual(node?.currentContext);
    const [edgeNamespaces, nodeNamespaces] = await answers(`/api/contexts/${TOKEN_CONTEXT}/namespaces`);
    expect(edgeNamespaces).toEqual(nodeNamespaces);
  });

  it('proxies /raw requests for the token context to the cluster: a GET, a POST with a body, a 404', async () => {
    const res = await get(`/raw/clusters/${TOKEN_CONTEXT}/api/v1/namespaces/default/pods/busybox`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ kind: 'Pod', metadata: { name: 'busybox', namespace: 'default' } });
    const created = await fetch(`${wrangler.url}/raw/clusters/${TOKEN_CONTEXT}/api/v1/namespaces/default/configmaps`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'raw-post' }, data: { k: 'v' } }),
    });
    expect(created.status).toBe(201);
    expect(stack.sim.store.get('configmaps', 'default', 'raw-post')).toMatchObject({ data: { k: 'v' } });
    const missing = await get(`/raw/clusters/${TOKEN_CONTEXT}/api/v1/namespaces/default/pods/nobody`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ kind: 'Status', reason: 'NotFound' });
  });

  it('applies a YAML manifest to the token context (bodies decoded inline), which the cluster then holds', async () => {
    const manifest =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-the-edge\n  namespace: default\ndata:\n  on: "yes"\n';
    const res = await fetch(`${wrangler.url}/raw/clusters/${TOKEN_CONTEXT}`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/yaml' },
      body: manifest,
    });
    expect(res.status).toBe(201);
    expect(stack.sim.store.get('configmaps', 'default', 'from-the-edge')).toMatchObject({
      data: { on: 'yes' },
    });
  });

  it('answers 501 naming the reason for client-certificate and exec-plugin contexts', async () => {
    const cert = await get(`/raw/clusters/${CERT_CONTEXT}/api/v1/namespaces`);
    expect(cert.status).toBe(501);
    expect(await cert.json()).toMatchObject({
      kind: 'Status',
      reason: 'NotImplemented',
      message: expect.stringContaining('client certificate') as unknown,
    });
    const exec = await get(`/api/clusters/${EXEC_CONTEXT}/dashboard`);
    expect(exec.status).toBe(501);
    expect(await exec.json()).toMatchObject({ message: expect.stringContaining('exec credential plugin') as unknown });
  });

  it('answers upgrades (exec) 501 after admission: 401 without the token', async () => {
    const exec = `${wrangler.url}/raw/clusters/${TOKEN_CONTEXT}/api/v1/namespaces/default/pods/busybox/exec?command=sh`;
    expect((await upgradeRequest(exec, {})).status).toBe(401);
    const refused = await upgradeRequest(exec, auth);
    expect(refused.status).toBe(501);
    expect(JSON.parse(refused.body)).toMatchObject({
      reason: 'NotImplemented',
      message: expect.stringContaining('exec') as unknown,
    });
  });

  it('answers 501 for what needs Node: terminals, metrics, added contexts', async () => {
    const answers = [
      await get(`/api/terminal/clusters/${TOKEN_CONTEXT}/termtype/cluster`),
      await get(`/api/clusters/${TOKEN_CONTEXT}/nodes`),
      await fetch(`${wrangler.url}/api/contexts`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/yaml' },
        body: edgeKubeconfig(stack),
      }),
    ];
    const messages = [];
    for (const res of answers) {
      expect(res.status).toBe(501);
      messages.push(((await res.json()) as { message: string }).message);
    }
    expect(messages).toEqual([
      expect.stringContaining('web terminal'),
      expect.stringContaining('embedded store'),
      expect.stringContaining('KUBECONFIG secret'),
    ]);
  });
});
