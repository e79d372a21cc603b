import { createServer as createHttpServer } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry, type RegistryOptions } from '../../lib/node/registry';
import type { ClusterRegistry } from '../../lib/clusters/types';
import { silentLogger } from '../../lib/log';
import {
  b64,
  fakeClock,
  get,
  kubeconfigYaml,
  startTestCluster,
  tempDir,
  type TempDir,
  type TestCluster,
} from '../helpers/registry-fixtures';

let cluster: TestCluster;
let dir: TempDir;
const registries: ClusterRegistry[] = [];
const servers: Server[] = [];
const sockets = new Set<Socket>();

beforeAll(async () => {
  cluster = await startTestCluster();
  cluster.tokens.add('transport-token');
  dir = tempDir();
});

afterAll(async () => {
  await Promise.all(registries.map((r) => r.close()));
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await cluster.close();
  dir.cleanup();
});

async function registryFor(
  name: string,
  clusterEntry: Record<string, unknown>,
  options: Partial<RegistryOptions> = {},
): Promise<ClusterRegistry> {
  const file = dir.write(
    `${name}.yaml`,
    kubeconfigYaml({
      clusters: { c: clusterEntry },
      users: { u: { token: 'transport-token' } },
      contexts: { x: { cluster: 'c', user: 'u' } },
    }),
  );
  const registry = await createRegistry({
    kubeconfigPaths: [file],
    inCluster: false,
    watch: false,
    clock: fakeClock(),
    log: silentLogger,
    ...options,
  });
  registries.push(registry);
  return registry;
}

const withCa = { server: () => cluster.url, ca: () => b64(cluster.caPem) };

async function listen(server: Server): Promise<number> {
  servers.push(server);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function tunnel(client: Socket, host: string, port: number, onOpen: () => void): void {
  const upstream = connect(port, host, () => {
    onOpen();
    upstream.pipe(client);
    client.pipe(upstream);
  });
  sockets.add(upstream);
  upstream.on('error', () => client.destroy());
  client.on('error', () => upstream.destroy());
}

/** An HTTP CONNECT proxy that records its tunnels and, when given credentials, demands them. */
async function startConnectProxy(credentials?: string): Promise<{ url: string; tunnels: string[] }> {
  const tunnels: string[] = [];
  const server = createHttpServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req, client: Socket, head: Buffer) => {
    if (credentials !== undefined && req.headers['proxy-authorization'] !== `Basic ${b64(credentials)}`) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n');
      return;
    }
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    tunnel(client, host ?? '', Number(port), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) client.unshift(head);
    });
  });
  const port = await listen(server);
  return { url: `http://${credentials === undefined ? '' : `${credentials}@`}127.0.0.1:${port}`, tunnels };
}

/** A SOCKS5 proxy (no authentication, CONNECT only) that records its tunnels. */
async function startSocksProxy(): Promise<{ url: string; tunnels: string[] }> {
  const tunnels: string[] = [];
  const server = createTcpServer((client) => {
    client.once('data', () => {
      client.write(Buffer.from([5, 0]));
      client.once('data', (req: Buffer) => {
        const type = req[3];
        let host: string;
        let at: number;
        if (type === 1) {
          host = [...req.subarray(4, 8)].join('.');
          at = 8;
        } else if (type === 3) {
          const length = req[4] ?? 0;
          host = req.subarray(5, 5 + length).toString();
          at = 5 + length;
        } else {
          client.end(Buffer.from([5, 8, 0, 1, 0, 0, 0, 0, 0, 0]));
          return;
        }
        const port = req.readUInt16BE(at);
        tunnels.push(`${host}:${port}`);
        tunnel(client, host, port, () => client.write(Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 0])));
      });
    });
  });
  const port = await listen(server);
  return { url: `socks5://127.0.0.1:${port}`, tunnels };
}

describe('TLS settings', () => {
  it('verifies the server against tls-server-name instead of the URL host', async () => {
    const good = await registryFor('sni-good', {
      server: withCa.server(),
      'certificate-authority-data': withCa.ca(),
      'tls-server-name': 'kubernetes',
    });
    expect((await get(good.connection('x'))).status).toBe(200);
    const wrong = await registryFor('sni-wrong', {
      server: withCa.server(),
      'certificate-authority-data': withCa.ca(),
      'tls-server-name': 'not-the-apiserver.example',
    });
    await expect(get(wrong.connection('x'))).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  it('skips verification only with insecure-skip-tls-verify, and otherwise rejects an unknown CA', async () => {
    const insecure = await registryFor('insecure', { server: withCa.server(), 'insecure-skip-tls-verify': true });
    expect((await get(insecure.connection('x'))).status).toBe(200);
    const unverified = await registryFor('no-ca', { server: withCa.server() });
    await expect(get(unverified.connection('x'))).rejects.toMatchObject({ code: 'SELF_SIGNED_CERT_IN_CHAIN' });
  });
});

describe('proxy-url', () => {
  it('tunnels through an HTTP proxy, with the credentials of its URL', async () => {
    const proxy = await startConnectProxy('squid:proxy-pass');
    const registry = await registryFor('http-proxy', {
      server: withCa.server(),
      'certificate-authority-data': withCa.ca(),
      'proxy-url': proxy.url,
    });
    expect((await get(registry.connection('x'))).body.user).toBe('token:transport-token');
    expect(proxy.tunnels).toEqual([new URL(cluster.url).host]);
    expect(JSON.stringify(registry.contexts())).not.toContain('proxy-pass');
  });

  it('tunnels through a SOCKS5 proxy', async () => {
    const proxy = await startSocksProxy();
    const registry = await registryFor('socks-proxy', {
      server: withCa.server(),
      'certificate-authority-data': withCa.ca(),
      'proxy-url': proxy.url,
    });
    expect((await get(registry.connection('x'))).body.user).toBe('token:transport-token');
    expect(proxy.tunnels).toEqual([new URL(cluster.url).host]);
  });
});

describe('dispatchers', () => {
  it('uses HTTP/2 for plain requests only when allowed, and HTTP/1.1 for the upgrade dispatcher', async () => {
    const entry = { server: withCa.server(), 'certificate-authority-data': withCa.ca() };
    const h2 = (await registryFor('h2', entry, { allowH2: true })).connection('x');
    const h1 = (await registryFor('h1', entry)).connection('x');
    expect((await get(h2)).body.httpVersion).toBe('2.0');
    expect((await get(h1)).body.httpVersion).toBe('1.1');
    const viaUpgrade = await request(`${cluster.url}/version`, {
      dispatcher: h2.upgradeDispatcher,
      headers: { ...(await h2.credentials()) },
    });
    expect(((await viaUpgrade.body.json()) as { httpVersion: string }).httpVersion).toBe('1.1');
  });
});
