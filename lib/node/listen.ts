import type { Server } from 'node:net';

/** Starts listening and resolves with the bound port (an ephemeral one for port 0) and the host as a URL writes it. */
export function listen(server: Server, host: string, port: number): Promise<{ port: number; urlHost: string }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      resolve({ port: bound, urlHost: host.includes(':') ? `[${host}]` : host });
    });
  });
}
