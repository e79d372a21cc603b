import type { StatusError } from './errors';

/**
 * A whole HTTP/1.1 response carrying a Status, as raw text: for the places below any HTTP framework — a
 * refused upgrade, a request the parser could not read — where only the socket is left. It closes the connection.
 */
export function statusHttpResponse(error: StatusError): string {
  const body = JSON.stringify(error.toStatus());
  return `HTTP/1.1 ${error.code} ${error.reason}\r\nContent-Type: application/json\r\nContent-Length: ${new TextEncoder().encode(body).byteLength}\r\nConnection: close\r\n\r\n${body}`;
}
