import type { IncomingMessage } from 'node:http';
import type { Server } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../log';
import { CONNECT_ANSWER, parserErrorAnswer } from '../parser-error';

/**
 * Below the router too, every answer is a Status: what Node's parser refuses (unknown method, oversized
 * headers or request line, broken chunked framing) and CONNECT. The connection closes; the server keeps serving.
 * `headerLimit` is the server's `maxHeaderSize`, named in the 431's message (default: Node's 16 KiB).
 */
export function answerMalformedRequests(server: Server, log: Logger, headerLimit?: number): void {
  server.on('clientError', (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex) => {
    log.warn('refused a malformed request', { code: err.code ?? 'unknown' });
    if (socket.writable) socket.end(parserErrorAnswer(err, headerLimit));
    else socket.destroy();
  });
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => socket.end(CONNECT_ANSWER));
}
