import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import { StatusError } from '../errors';
import { statusHttpResponse } from '../http-status-bytes';

/** Answers an upgrade request that will not become a websocket with a Status over raw HTTP/1.1, and closes the socket. */
export function rejectUpgrade(socket: Duplex, error: StatusError): void {
  socket.end(statusHttpResponse(error));
}

/**
 * ws refuses a broken handshake (its key, version, subprotocol or extension headers, or a method other than GET) with
 * a text/html body of its own; the fuzzer found it (test/fuzz). With a listener, ws hands the refusal over instead,
 * and it goes out as a Status like every other refused upgrade.
 */
export function refuseHandshakesWithStatus(wss: WebSocketServer): void {
  wss.on('wsClientError', (err: Error, socket: Duplex) => {
    const reason = err.message === 'Invalid HTTP method' ? 'MethodNotAllowed' : 'BadRequest';
    rejectUpgrade(socket, new StatusError(reason, `the websocket handshake was refused: ${err.message}`));
  });
}
