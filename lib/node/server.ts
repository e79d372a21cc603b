import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { getRequestListener } from '@hono/node-server';
import type { Admit } from '../admission';
import { StatusError } from '../errors';
import type { Logger } from '../log';
import { listen } from './listen';
import { answerMalformedRequests } from './malformed-requests';
import { takePathToken } from './path-token';
import { rejectUpgrade } from './reject-upgrade';

/** Handles an HTTP upgrade for one path prefix; owns the socket from then on. */
export interface UpgradeRoute {
  prefix: string;
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/** A Node-only handler tried before the Fetch app; returns false to pass the request on. */
export type NodeFastPath = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface ServerOptions {
  fetch: (request: Request) => Response | Promise<Response>;
  host: string;
  port: number;
  /** The same admission the Fetch app applies, for the entrances that bypass it. */
  admit: Admit;
  upgrades?: UpgradeRoute[];
  fastPaths?: NodeFastPath[];
  log: Logger;
}

export interface RunningServer {
  server: Server;
  /** Base URL, e.g. http://127.0.0.1:3001 */
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish for up to graceMs, then cuts the rest. */
  close(graceMs?: number): Promise<void>;
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function admitNode(options: ServerOptions, req: IncomingMessage, upgrade: boolean): StatusError | undefined {
  const h = req.headers;
  const fetchSite = h['sec-fetch-site'];
  return options.admit({
    method: req.method ?? 'GET',
    path: pathOf(req),
    upgrade,
    host: h.host,
    origin: h.origin,
    fetchSite: typeof fetchSite === 'string' ? fetchSite : fetchSite?.[0],
    authorization: h.authorization,
    cookie: h.cookie,
  });
}

/**
 * The one HTTP server: fast paths first, then the Fetch app; and the single 'upgrade' listener, which
 * dispatches by path prefix after the same admission checks the app applies.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const listener = getRequestListener(options.fetch);
  const fastPaths = options.fastPaths ?? [];
  const upgraded = new Set<Duplex>();
  const server = createServer((req, res) => {
    takePathToken(req);
    if (fastPaths.length > 0 && admitNode(options, req, false) === undefined) {
      for (const fast of fastPaths) if (fast(req, res)) return;
    }
    void listener(req, res);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    takePathToken(req);
    const rejected = admitNode(options, req, true);
    if (rejected !== undefined) return rejectUpgrade(socket, rejected);
    const path = pathOf(req);
    const route = (options.upgrades ?? []).find((r) => path.startsWith(r.prefix));
    if (route === undefined)
      return rejectUpgrade(socket, new StatusError('NotFound', `no upgrade is served at ${path}`));
    // Upgraded sockets leave the server's connection tracking; keep them to cut them at shutdown.
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    route.handle(req, socket, head);
  });
  answerMalformedRequests(server, options.log);

  const { port, urlHost } = await listen(server, options.host, options.port);
  const url = `http://${urlHost === '0.0.0.0' || urlHost === '[::]' ? '127.0.0.1' : urlHost}:${port}`;

  return {
    server,
    url,
    port,
    close: (graceMs = 5_000) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.closeAllConnections();
          for (const socket of upgraded) socket.destroy();
        }, graceMs);
        timer.unref();
        server.close(() => {
          // The server's own connections are done, but upgraded sockets (exec, terminals) left its tracking: they
          // get the rest of the grace to end, then the timer cuts them.
          const ending = [...upgraded].map((socket) => new Promise((closed) => socket.once('close', closed)));
          void Promise.all(ending).then(() => {
            clearTimeout(timer);
            resolve();
          });
        });
        server.closeIdleConnections();
      }),
  };
}
