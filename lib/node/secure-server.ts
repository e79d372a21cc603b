import { Server, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  createSecureServer as createH2SecureServer,
  Http2ServerRequest,
  type Http2SecureServer,
  type Http2ServerResponse,
  type ServerHttp2Session,
} from 'node:http2';
import type { TlsPair } from './tls-files';

/**
 * HTTPS with HTTP/1.1 and h2, chosen by ALPN; upgrades (exec, port-forward, websockets) stay on HTTP/1.1, which
 * is what their clients ask for.
 *
 * h2 requests arrive as Node's compatibility objects, which the server's handlers take for HTTP/1.1's: they
 * offer what the handlers use (url, method, headers, socket, the readable body; writeHead, write, end, cork,
 * writableLength, headersSent, 'drain' and 'close'). The two gaps are filled here: `Host` (h2 sends
 * `:authority`, and every entrance checks Host) and `destroyed` (on the response, the stream's).
 */

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

function asHttp1(req: Http2ServerRequest, res: Http2ServerResponse): [IncomingMessage, ServerResponse] {
  const authority = req.authority;
  if (req.headers.host === undefined && authority !== undefined) {
    req.headers.host = authority;
    req.rawHeaders.push('host', authority);
  }
  Object.defineProperty(res, 'destroyed', { get: () => res.stream.destroyed });
  // The compatibility API stands in for HTTP/1.1's here; see above for what it covers.
  return [req as unknown as IncomingMessage, res as unknown as ServerResponse];
}

/** What shutdown calls on an HTTP/1.1 server, for both protocols here. */
export interface ConnectionClosing {
  closeIdleConnections(): void;
  closeAllConnections(): void;
}

export function createSecureServer(pair: TlsPair, handler: Handler): Http2SecureServer & ConnectionClosing {
  const server = createH2SecureServer({ allowHTTP1: true, cert: pair.cert, key: pair.key }, (req, res) => {
    if (req instanceof Http2ServerRequest) handler(...asHttp1(req, res));
    // HTTP/1.1 over TLS: Node passes its own IncomingMessage and ServerResponse, which the h2 typings leave out.
    else handler(req, res as unknown as ServerResponse);
  });
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (session: ServerHttp2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  // HTTP/1.1 connections of this server are tracked by Node's HTTP/1.1 code (allowHTTP1 sets that up), which
  // http.Server's methods act on; h2 sessions are closed the h2 way, GOAWAY first.
  const closing: ConnectionClosing = {
    closeIdleConnections() {
      Server.prototype.closeIdleConnections.call(server);
      for (const session of sessions) session.close();
    },
    closeAllConnections() {
      Server.prototype.closeAllConnections.call(server);
      for (const session of sessions) session.destroy();
    },
  };
  return Object.assign(server, closing);
}
