import { StatusError } from './errors';
import { statusHttpResponse } from './http-status-bytes';

/** Node's default limit for the request line and headers together (`maxHeaderSize`). */
const HEADER_LIMIT = 16 * 1024;

function sizeText(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}

/**
 * Whether the header limit was passed inside the request line. Node hands over only the bytes of the read in
 * which the limit was passed: either the request's start (a method, then no line end for half the limit) or,
 * when the line spans reads (TLS records are 16 KiB), the line's tail, ending in the protocol version.
 */
function overlongRequestLine(packet: Uint8Array | undefined, limit: number): boolean {
  if (packet === undefined) return false;
  const text = new TextDecoder('latin1').decode(packet.subarray(0, limit + 2));
  const lineEnd = text.indexOf('\n');
  const firstLine = lineEnd === -1 ? text : text.slice(0, lineEnd);
  if (/^[A-Z]+ \S/.test(firstLine)) return firstLine.length >= limit / 2;
  return / HTTP\/\d\.\d\r?$/.test(firstLine);
}

/**
 * What to answer a request the HTTP parser refused before any route saw it, from the parser's error code
 * and the bytes it was parsing; `headerLimit` is the server's limit of the request line and headers together.
 */
export function parserErrorStatus(
  code: string | undefined,
  packet: Uint8Array | undefined,
  headerLimit = HEADER_LIMIT,
): StatusError {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return overlongRequestLine(packet, headerLimit)
        ? new StatusError(
            'URITooLong',
            `the request line is longer than the server accepts (${sizeText(headerLimit)} with the headers)`,
          )
        : new StatusError(
            'RequestHeaderFieldsTooLarge',
            `the request headers are larger than the server accepts (${sizeText(headerLimit)})`,
          );
    case 'HPE_INVALID_METHOD':
      return new StatusError('BadRequest', 'unknown HTTP method');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new StatusError('RequestTimeout', 'the request was not received in time');
    case 'HPE_INVALID_CHUNK_SIZE':
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
    case 'HPE_INVALID_TRANSFER_ENCODING':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return new StatusError('BadRequest', `malformed request body framing (${code})`);
    default:
      return new StatusError('BadRequest', `malformed HTTP request${code === undefined ? '' : ` (${code})`}`);
  }
}

/** The raw answer to a Node `clientError` (its `code`, and `rawPacket`: what had arrived). */
export function parserErrorAnswer(err: { code?: string; rawPacket?: Uint8Array }, headerLimit?: number): string {
  return statusHttpResponse(parserErrorStatus(err.code, err.rawPacket, headerLimit));
}

/** The raw answer to `CONNECT`: nothing here is a forward proxy. */
export const CONNECT_ANSWER = statusHttpResponse(
  new StatusError('MethodNotAllowed', 'CONNECT is not served: this is not a forward proxy'),
);
