import type { Duplex } from 'node:stream';
import type { StatusError } from '../errors';

/** Answers an upgrade request that will not become a websocket with a Status over raw HTTP/1.1, and closes the socket. */
export function rejectUpgrade(socket: Duplex, error: StatusError): void {
  const body = JSON.stringify(error.toStatus());
  socket.end(
    `HTTP/1.1 ${error.code} ${error.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
