/**
 * The fuzzer reads answers off a raw socket, so it parses them itself: status line, headers, and a body framed by
 * Content-Length, chunked encoding or the close. Pure: bytes in, the answers found so far out.
 */

export interface ParsedResponse {
  status: number;
  /** Lower-cased names; a repeated header keeps its values joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
}

export interface ParsedStream {
  responses: ParsedResponse[];
  /** What followed a 101 answer (websocket frames), or undefined when no upgrade happened. */
  upgraded: Buffer | undefined;
  /** Bytes that do not (yet) make a whole answer. */
  rest: Buffer;
  /** The bytes could not be read as HTTP answers at all. */
  garbled: boolean;
}

const CRLF2 = Buffer.from('\r\n\r\n');

function parseHead(head: string): { status: number; headers: Record<string, string> } | undefined {
  const [statusLine = '', ...lines] = head.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine);
  if (m === null) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { status: Number(m[1]), headers };
}

/** The chunked body starting at `at`, and where it ends; undefined while incomplete. */
function dechunk(bytes: Buffer, at: number): { body: Buffer; end: number } | undefined {
  const parts: Buffer[] = [];
  let pos = at;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', pos);
    if (lineEnd === -1) return undefined;
    const size = parseInt(bytes.subarray(pos, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (Number.isNaN(size)) return undefined;
    pos = lineEnd + 2;
    if (size === 0) {
      const trailerEnd = bytes.indexOf('\r\n', pos);
      return trailerEnd === -1 ? undefined : { body: Buffer.concat(parts), end: trailerEnd + 2 };
    }
    if (bytes.length < pos + size + 2) return undefined;
    parts.push(bytes.subarray(pos, pos + size));
    pos += size + 2;
  }
}

/**
 * Every whole answer in `bytes`. `closed`: the peer closed, so a body without length ends here. `headOnly`: the
 * requests were HEAD, whose answers have no body whatever their headers say.
 */
export function parseResponses(bytes: Buffer, closed: boolean, headOnly = false): ParsedStream {
  const responses: ParsedResponse[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const headEnd = bytes.indexOf(CRLF2, pos);
    if (headEnd === -1) break;
    const head = parseHead(bytes.subarray(pos, headEnd).toString('latin1'));
    if (head === undefined) return { responses, upgraded: undefined, rest: bytes.subarray(pos), garbled: true };
    const bodyStart = headEnd + 4;
    const { status, headers } = head;
    if (status === 101) {
      responses.push({ status, headers, body: Buffer.alloc(0) });
      return { responses, upgraded: bytes.subarray(bodyStart), rest: Buffer.alloc(0), garbled: false };
    }
    let end: number;
    let body: Buffer;
    if (headOnly || (status >= 100 && status < 200) || status === 204 || status === 304) {
      end = bodyStart;
      body = Buffer.alloc(0);
    } else if (headers['transfer-encoding']?.toLowerCase().includes('chunked')) {
      const chunked = dechunk(bytes, bodyStart);
      if (chunked === undefined) break;
      ({ body, end } = chunked);
    } else if (headers['content-length'] !== undefined) {
      end = bodyStart + Number(headers['content-length']);
      if (bytes.length < end) break;
      body = bytes.subarray(bodyStart, end);
    } else {
      if (!closed) break;
      end = bytes.length;
      body = bytes.subarray(bodyStart);
    }
    responses.push({ status, headers, body });
    pos = end;
  }
  return { responses, upgraded: undefined, rest: bytes.subarray(pos), garbled: false };
}
