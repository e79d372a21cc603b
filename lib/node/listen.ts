import type { Server } from 'node:net';
import { errorMessage } from '../errors';

/** The address could not be listened on (in use, not ours, not permitted); `cause` has the system error. */
export class ListenError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
    options: { cause: unknown },
  ) {
    super(
      `cannot listen on ${host.includes(':') ? `[${host}]` : host}:${port}: ${errorMessage(options.cause)}`,
      options,
    );
    this.name = 'ListenError';
  }
}

/** Starts listening and resolves with the bound port (an ephemeral one for port 0) and the host as a URL writes it. */
export function listen(server: Server, host: string, port: number): Promise<{ port: number; urlHost: string }> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(new ListenError(host, port, { cause: err }));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      resolve({ port: bound, urlHost: host.includes(':') ? `[${host}]` : host });
    });
  });
}
