/**
 * Sends one case over a fresh TCP connection and collects what comes back, until the server closes, the case has
 * all the answers it is owed, or a deadline passes (then the connection is cut: a stuck answer is a finding too).
 */
import { connect } from 'node:net';
import type { FuzzCase } from './cases';
import { parseResponses } from './http-response';

export interface Outcome {
  bytes: Buffer;
  /** The server closed the connection (or reset it) before we cut it. */
  closedByServer: boolean;
  /** We cut it at a deadline. */
  timedOut: boolean;
  /** A connection error (ECONNRESET after our bytes is the server refusing; ECONNREFUSED is the server gone). */
  error?: string;
}

export interface Deadlines {
  /** For the answers: bodies queue for the one decoding thread, an exec's handshake goes on to the cluster. */
  answerMs: number;
  /** For a websocket once it is open: one the server keeps waiting on (a ping, half a fragment) is cut then. */
  openMs: number;
}

export function sendCase(port: number, c: FuzzCase, deadlines: Deadlines): Promise<Outcome> {
  return new Promise((resolve) => {
    // Any 127.0.0.0/8 address is this host's loopback: a stranger's failed sign-ins are counted against its own.
    const socket = connect({ host: '127.0.0.1', port, ...(c.stranger === true ? { localAddress: '127.0.0.2' } : {}) });
    const chunks: Buffer[] = [];
    let error: string | undefined;
    let cut = false;
    let done = false;
    const finish = (closedByServer: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({
        bytes: Buffer.concat(chunks),
        closedByServer,
        timedOut: cut,
        ...(error === undefined ? {} : { error }),
      });
    };
    const arm = (ms: number) =>
      setTimeout(() => {
        cut = true;
        finish(false);
      }, ms);
    let timer = arm(deadlines.answerMs);
    let open = false;
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      if (c.answers === 0 || open) return;
      const { responses, upgraded } = parseResponses(Buffer.concat(chunks), false, c.headOnly);
      if (upgraded !== undefined) {
        open = true;
        clearTimeout(timer);
        timer = arm(deadlines.openMs);
      } else if (responses.filter((r) => r.status >= 200).length >= c.answers) finish(false);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
    socket.on('close', () => finish(true));
    socket.write(c.bytes, () => {
      if (c.endWrite) socket.end();
    });
  });
}
