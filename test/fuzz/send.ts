/**
 * Sends one case over a fresh TCP connection and collects what comes back, until the server closes, the case has
 * all the answers it is owed, or the deadline passes (then the connection is cut: a stuck answer is a finding too).
 */
import { connect } from 'node:net';
import type { FuzzCase } from './cases';
import { parseResponses } from './http-response';

export interface Outcome {
  bytes: Buffer;
  /** The server closed the connection (or reset it) before we cut it. */
  closedByServer: boolean;
  /** We cut it at the deadline. */
  timedOut: boolean;
  /** A connection error (ECONNRESET after our bytes is the server refusing; ECONNREFUSED is the server gone). */
  error?: string;
}

const finalAnswers = (bytes: Buffer, headOnly: boolean) => {
  const { responses, upgraded } = parseResponses(bytes, false, headOnly);
  return { final: responses.filter((r) => r.status >= 200).length, upgraded: upgraded !== undefined };
};

export function sendCase(port: number, c: FuzzCase, deadlineMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    // Any 127.0.0.0/8 address is this host's loopback: a stranger's failed sign-ins are counted against its own.
    const socket = connect({ host: '127.0.0.1', port, ...(c.stranger === true ? { localAddress: '127.0.0.2' } : {}) });
    const chunks: Buffer[] = [];
    let error: string | undefined;
    let cut = false;
    const finish = (closedByServer: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({
        bytes: Buffer.concat(chunks),
        closedByServer,
        timedOut: cut,
        ...(error === undefined ? {} : { error }),
      });
    };
    const timer = setTimeout(() => {
      cut = true;
      finish(false);
    }, deadlineMs);
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      // A websocket stays open for its frames; a plain exchange is done once every answer owed is in.
      if (c.websocket !== undefined || c.answers === 0) return;
      const { final, upgraded } = finalAnswers(Buffer.concat(chunks), c.headOnly);
      if (final >= c.answers && !upgraded) finish(false);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
    socket.on('close', () => finish(true));
    socket.write(c.bytes, () => {
      if (c.endWrite) socket.end();
    });
  });
}
