import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Http2SecureServer } from 'node:http2';
import type { Duplex } from 'node:stream';
import { getRequestListener } from '@hono/node-server';
import type { Admit, Admitted } from '../admission';
import { principalName, type Principal } from '../auth/principal';
import { StatusError } from '../errors';
import type { Logger } from '../log';
import { listen } from './listen';
import { answerMalformedRequests } from './malformed-requests';
import { takePathToken } from './path-token';
import { rejectUpgrade } from './reject-upgrade';
import { writeStatus } from './write-status';
import type { RequestObserver } from './request-observer';
import type { TlsFiles } from './cli';
import {
  applyConnectionLimits,
  beyondConnectionLimit,
  connectionLimitError,
  refuseBeyondLimit,
  type ConnectionLimits,
} from './connection-limits';
import { createSecureServer } from './secure-server';
import { reloadTlsOnChange, type TlsPair } from './tls-files';

/** Handles an HTTP upgrade for one path prefix, as the Principal admission found; owns the socket from then on. */
export interface UpgradeRoute {
  prefix: string;
  handle(req: IncomingMessage, socket: Duplex, head: Buffer, principal: Principal): void;
}

/** A Node-only handler tried before the Fetch app, for the requests it claims. */
export interface NodeFastPath {
  /** Whether it may answer the request: then the server admits it here, which the app would otherwise do. */
  claims(req: IncomingMessage): boolean;
  /** Answers the admitted request as `principal`; false passes it on to the app. */
  serve(req: IncomingMessage, res: ServerResponse, principal: Principal): boolean;
}

export interface ServerOptions {
  fetch: (request: Request) => Response | Promise<Response>;
  host: string;
  port: number;
  /** The same admission the Fetch app applies, for the entrances that bypass it. */
  admit: Admit;
  upgrades?: UpgradeRoute[];
  fastPaths?: NodeFastPath[];
  log: Logger;
  /** Request ids, metrics and the access log, for every entrance. Default: none. */
  observer?: RequestObserver;
  /** HTTPS (HTTP/1.1 and h2) with this pair, re-read when its files change (lib/node/tls-files.ts). Default: plain HTTP. */
  tls?: ServerTls;
  /** Header size, timeouts, connections (lib/node/connection-limits.ts). Default: Node's, and no connection limit. */
  limits?: ConnectionLimits;
}

export interface ServerTls {
  files: TlsFiles;
  /** The pair as read at start (readTlsPair): a bad one stops the start before anything listens. */
  pair: TlsPair;
  /** Told what each change of the files led to (tests wait on it). */
  onReload?: Parameters<typeof reloadTlsOnChange>[3];
}

export interface RunningServer {
  server: Server | Http2SecureServer;
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

/** Admission of a Node request: a Principal, or the Status to refuse it with (an open path has no Principal here). */
async function admitNode(
  options: ServerOptions,
  req: IncomingMessage,
  upgrade: boolean,
): Promise<Principal | StatusError> {
  const h = req.headers;
  const fetchSite = h['sec-fetch-site'];
  const requestedWith = h['x-requested-with'];
  const admitted: Admitted | StatusError = await options.admit({
    method: req.method ?? 'GET',
    path: pathOf(req),
    upgrade,
    host: h.host,
    origin: h.origin,
    fetchSite: typeof fetchSite === 'string' ? fetchSite : fetchSite?.[0],
    authorization: h.authorization,
    cookie: h.cookie,
    requestedWith: typeof requestedWith === 'string' ? requestedWith : requestedWith?.[0],
    clientAddress: req.socket.remoteAddress,
  });
  if (admitted instanceof StatusError) return admitted;
  // Fast paths and upgrades serve no open path: one that reaches them without a sign-in is refused.
  return admitted.principal ?? new StatusError('Unauthorized', `${pathOf(req)} requires a sign-in`);
}

/**
 * The one HTTP server: fast paths first, then the Fetch app; and the single 'upgrade' listener, which
 * dispatches by path prefix after the same admission checks the app applies.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const listener = getRequestListener(options.fetch);
  const fastPaths = options.fastPaths ?? [];
  const upgraded = new Set<Duplex>();
  const { observer, tls, limits } = options;
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    observer?.request(req, res);
    if (limits !== undefined && refuseBeyondLimit(req, res, limits)) return;
    takePathToken(req);
    const claimed = fastPaths.filter((fast) => fast.claims(req));
    if (claimed.length === 0) return void listener(req, res);
    void admitNode(options, req, false).then((principal) => {
      // Answered here: sent to the app, a refused guess would be counted twice against the address.
      observer?.fastPath(req); // refused too: counted and logged under the fast path's route, not as unmatched
      if (principal instanceof StatusError) return writeStatus(res, principal);
      observer?.admitted(req, principalName(principal));
      for (const fast of claimed) if (fast.serve(req, res, principal)) return;
      void listener(req, res);
    });
  };
  const secure = tls === undefined ? undefined : createSecureServer(tls.pair, handle);
  const server = secure ?? createServer(handle);
  if (limits !== undefined) applyConnectionLimits(server, limits, tls !== undefined);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (limits !== undefined && beyondConnectionLimit(socket))
      return rejectUpgrade(socket, connectionLimitError(limits.maxConnections));
    takePathToken(req);
    const path = pathOf(req);
    const route = (options.upgrades ?? []).find((r) => path.startsWith(r.prefix));
    observer?.upgrade(req, socket, route?.prefix);
    void admitNode(options, req, true).then((principal) => {
      if (principal instanceof StatusError) return rejectUpgrade(socket, principal);
      observer?.admitted(req, principalName(principal));
      if (route === undefined)
        return rejectUpgrade(socket, new StatusError('NotFound', `no upgrade is served at ${path}`));
      // Upgraded sockets leave the server's connection tracking; keep them to cut them at shutdown.
      upgraded.add(socket);
      socket.once('close', () => upgraded.delete(socket));
      route.handle(req, socket, head, principal);
    });
  });
  answerMalformedRequests(server, options.log, limits?.maxHeaderBytes);
  const tlsWatch =
    secure === undefined || tls === undefined
      ? undefined
      : reloadTlsOnChange(secure, tls.files, options.log, tls.onReload);

  const { port, urlHost } = await listen(server, options.host, options.port).catch((err: unknown) => {
    tlsWatch?.close();
    throw err;
  });
  const url = `${tls === undefined ? 'http' : 'https'}://${urlHost === '0.0.0.0' || urlHost === '[::]' ? '127.0.0.1' : urlHost}:${port}`;

  return {
    server,
    url,
    port,
    close: (graceMs = 5_000) =>
      new Promise<void>((resolve) => {
        tlsWatch?.close();
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
