import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { createRegistry } from '../../lib/node/registry';
import type { ClusterConnection, ClusterRegistry } from '../../lib/clusters/types';
import { silentLogger } from '../../lib/log';
import { startSim, type SimCluster } from '../../lib/sim';
import { b64, fakeClock, get, kubeconfigYaml, tempDir, writePlugin, type TempDir } from '../helpers/registry-fixtures';

/** The registry's connections doing real Kubernetes calls against the simulated API server. */

let sim: SimCluster;
let dir: TempDir;
let registry: ClusterRegistry;
let h2Registry: ClusterRegistry;

beforeAll(async () => {
  sim = await startSim({ fixture: 'empty' });
  dir = tempDir();
  dir.write('ca.crt', sim.caPem);
  dir.write('token', `${sim.token}\n`);
  writePlugin(dir, 'sim-plugin', `reply({ token: env.SIM_TOKEN });`);
  sim.addToken('exec-sim-token');
  const kubeconfig = dir.write(
    'config',
    kubeconfigYaml({
      clusters: { sim: { server: sim.url, 'certificate-authority': 'ca.crt' } },
      users: {
        admin: { 'client-certificate-data': b64(sim.client.certPem), 'client-key-data': b64(sim.client.keyPem) },
        bearer: { token: sim.token },
        'bearer-file': { tokenFile: 'token' },
        exec: {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1',
            command: './sim-plugin',
            interactiveMode: 'Never',
            env: [{ name: 'SIM_TOKEN', value: 'exec-sim-token' }],
          },
        },
        stranger: { token: 'not-a-token-the-sim-knows' },
      },
      contexts: {
        cert: { cluster: 'sim', user: 'admin' },
        token: { cluster: 'sim', user: 'bearer' },
        'token-file': { cluster: 'sim', user: 'bearer-file' },
        exec: { cluster: 'sim', user: 'exec' },
        stranger: { cluster: 'sim', user: 'stranger' },
      },
      current: 'cert',
    }),
  );
  const options = {
    kubeconfigPaths: [kubeconfig],
    inCluster: false as const,
    watch: false,
    clock: fakeClock(),
    log: silentLogger,
  };
  registry = await createRegistry(options);
  h2Registry = await createRegistry({ ...options, allowH2: true });
});

afterAll(async () => {
  await Promise.all([registry?.close(), h2Registry?.close()]);
  await sim?.close();
  dir?.cleanup();
});

describe('against the simulated cluster', () => {
  it.each(['cert', 'token', 'token-file', 'exec'])('lists namespaces with %s authentication', async (context) => {
    const answer = await get(registry.connection(context));
    expect(answer.status).toBe(200);
    expect(answer.body.kind).toBe('NamespaceList');
    expect((answer.body.items as { metadata: { name: string } }[]).map((n) => n.metadata.name)).toContain('default');
  });

  it('gets the API server 401 Status for credentials it does not accept', async () => {
    const answer = await get(registry.connection('stranger'));
    expect(answer).toMatchObject({ status: 401, body: { kind: 'Status', reason: 'Unauthorized', code: 401 } });
  });

  it('streams a watch through a dispatcher that offers HTTP/2 (the sim answers HTTP/1.1 via ALPN)', async () => {
    const conn: ClusterConnection = h2Registry.connection('cert');
    const res = await request(new URL('/api/v1/namespaces?watch=1&timeoutSeconds=5', conn.server), {
      dispatcher: conn.dispatcher,
      headers: { ...(await conn.credentials()) },
      bodyTimeout: 0,
    });
    expect(res.statusCode).toBe(200);
    const events: string[] = [];
    const created = setTimeout(
      () => sim.store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'registry-watch' } }),
      100,
    );
    let buffer = '';
    for await (const chunk of res.body) {
      buffer += (chunk as Buffer).toString();
      for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
        const event = JSON.parse(buffer.slice(0, nl)) as { type: string; object: { metadata: { name: string } } };
        buffer = buffer.slice(nl + 1);
        events.push(`${event.type} ${event.object.metadata.name}`);
      }
      if (events.includes('ADDED registry-watch')) break;
    }
    clearTimeout(created);
    res.body.destroy();
    expect(events).toContain('ADDED registry-watch');
  });
});
