import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../log';
import { CONNECT_ANSWER, parserErrorAnswer } from '../parser-error';

/**
 * Below the router too, every answer is a Status: what Node's parser refuses (unknown method, oversized
 * headers or request line, broken chunked framing) and CONNECT. The connection closes; the server keeps serving.
 */
export function answerMalformedRequests(server: Server, log: Logger): void {
  server.on('clientError', (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex) => {
    log.warn('refused a malformed request', { code: err.code ?? 'unknown' });
    if (socket.writable) socket.end(parserErrorAnswer(err));
    else socket.destroy();
  });
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => socket.end(CONNECT_ANSWER));
}
