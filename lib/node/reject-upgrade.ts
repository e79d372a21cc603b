import type { Duplex } from 'node:stream';
import type { StatusError } from '../errors';
import { statusHttpResponse } from '../http-status-bytes';

/** Answers an upgrade request that will not become a websocket with a Status over raw HTTP/1.1, and closes the socket. */
export function rejectUpgrade(socket: Duplex, error: StatusError): void {
  socket.end(statusHttpResponse(error));
}
