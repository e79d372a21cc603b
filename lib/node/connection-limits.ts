import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Http2SecureServer, Http2ServerResponse } from 'node:http2';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { StatusError } from '../errors';
import { writeStatus } from './write-status';

/**
 * The limits of a client connection (`--max-header-size`, `--headers-timeout`, `--keep-alive-timeout`,
 * `--max-connections`), set on the Node server, plain or TLS. Node's parser refusals (431, 408) are answered with
 * a Status by lib/node/malformed-requests.ts; connections beyond the maximum are answered here, before admission.
 */
export interface ConnectionLimits {
  maxHeaderBytes: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

/** What Node's HTTP/1.1 connection handling reads from the server object, the TLS (h2) server included. */
interface Http1Settings {
  maxHeaderSize: number;
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  connectionsCheckingInterval: number;
}

/** Node's own: a request's whole body (an apply upload) may take this long to arrive. */
const REQUEST_TIMEOUT_MS = 300_000;

/**
 * Node checks the headers timeout on a timer (30 s by default), so a late head is refused up to that much after
 * the limit; checked at a quarter of the limit it is refused within 1.25 times it.
 */
function checkingInterval(headersTimeoutMs: number): number {
  return Math.min(30_000, Math.max(100, Math.floor(headersTimeoutMs / 4)));
}

const OVER_LIMIT = Symbol('connection beyond --max-connections');
type Marked = { [OVER_LIMIT]?: true };

/** Whether this connection was opened beyond the maximum (its requests and upgrades get a 503). */
export function beyondConnectionLimit(socket: Duplex): boolean {
  return (socket as Duplex & Marked)[OVER_LIMIT] === true;
}

export function connectionLimitError(max: number): StatusError {
  return new StatusError(
    'ServiceUnavailable',
    `too many open connections: at most ${max} (--max-connections); this connection is closed, retry later`,
  );
}

/**
 * Sets the limits before the server listens (Node reads the checking interval when it starts listening), and counts
 * connections: those beyond the maximum are marked, and their requests (refuseBeyondLimit) and upgrades refused.
 */
export function applyConnectionLimits(
  server: HttpServer | Http2SecureServer,
  limits: ConnectionLimits,
  tls: boolean,
): void {
  const settings: Http1Settings = {
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: Math.max(REQUEST_TIMEOUT_MS, limits.headersTimeoutMs),
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: checkingInterval(limits.headersTimeoutMs),
  };
  Object.assign(server, settings);
  let open = 0;
  // Over TLS a connection counts once its handshake is done: it is then the socket requests arrive on.
  server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    open += 1;
    socket.once('close', () => (open -= 1));
    // Answered rather than dropped: a client told 503 backs off, one whose connection vanished retries at once.
    if (open > limits.maxConnections) (socket as Socket & Marked)[OVER_LIMIT] = true;
  });
}

/**
 * Answers a request on a connection beyond the maximum with a 503 and ends the connection, before anything else
 * (admission included) is spent on it; true when it did.
 */
export function refuseBeyondLimit(req: IncomingMessage, res: ServerResponse, limits: ConnectionLimits): boolean {
  if (!beyondConnectionLimit(req.socket)) return false;
  const error = connectionLimitError(limits.maxConnections);
  if (req.httpVersionMajor === 1) {
    writeStatus(res, error, { connection: 'close' });
    return true;
  }
  writeStatus(res, error);
  // h2 has no Connection header: GOAWAY ends the session once this stream is answered. (lib/node/secure-server.ts
  // hands h2 requests on as HTTP/1.1's; this is where they differ.)
  (res as unknown as Http2ServerResponse).stream.session?.close();
  return true;
}
