/**
 * A pod or container terminal: a shell in the container through the cluster's exec websocket, `tty=true` with
 * stdin, opened like any `/raw` upgrade (the context's TLS and proxy, with the context's credentials for the owner or
 * the user's own token in `--auth user`; a refusal is the cluster's own Status). The exec protocol names one command, so the shells are tried in turn (`bash`, `sh`, `ash`): a shell the
 * image lacks ends before any output with a start failure on the error channel, and the next is opened with the
 * size and any keystrokes the failed one never read.
 */
import { OWNER, type Principal } from '../auth/principal';
import { connectionAs } from '../clusters/principal-connection';
import type { ClusterRegistry } from '../clusters/types';
import { StatusError } from '../errors';
import { answerError } from '../kube/request';
import { DEFAULT_FORWARD_OPTIONS, forward, type ForwardOptions, type ResponseSink } from '../proxy/forward';
import {
  channelMessage,
  ERROR,
  EXEC_SUBPROTOCOLS,
  execEnd,
  execRequest,
  resizeMessage,
  SHELLS,
  STDIN,
  type ExecEnd,
} from '../terminal/exec-channels';
import type { TerminalExit, TerminalProcess, TerminalSize, TerminalTarget } from '../terminal/types';
import { acceptedProtocol, handshakeHeaders, upgradedWebSocket, type UpgradedWebSocket } from './upgraded-websocket';

export const NO_SHELL = 'remote shell is not supported';
/** A refusal's body is a Status of a few hundred bytes. */
const MAX_REFUSAL_BYTES = 64 * 1024;

/** Opens `command` in the target's container; rejects with the cluster's Status when it refuses the upgrade. */
function openExec(
  registry: ClusterRegistry,
  target: TerminalTarget,
  shell: string,
  options: ForwardOptions,
  principal: Principal,
): Promise<UpgradedWebSocket> {
  const conn = connectionAs(registry, target.cluster, principal);
  const { path, query } = execRequest(target, shell);
  const { key, headers } = handshakeHeaders(EXEC_SUBPROTOCOLS);
  return new Promise((resolve, reject) => {
    let code = 0;
    const body: Buffer[] = [];
    let bodyBytes = 0;
    const sink: ResponseSink = {
      start: (statusCode) => void (code = statusCode),
      write(chunk) {
        if (bodyBytes < MAX_REFUSAL_BYTES) body.push(Buffer.from(chunk));
        bodyBytes += chunk.length;
        return true;
      },
      waitDrain: (resume) => resume(),
      end: () => reject(answerError(code, Buffer.concat(body).toString('utf8'))),
      fail: reject,
      abandon: () => reject(new StatusError('InternalError', 'the exec request was abandoned')),
      upgraded(answer, socket) {
        const accepted = acceptedProtocol(key, EXEC_SUBPROTOCOLS, answer);
        if ('protocol' in accepted) return resolve(upgradedWebSocket(socket));
        socket.destroy();
        reject(new StatusError('BadGateway', `context ${JSON.stringify(target.cluster)}: ${accepted.invalid}`));
      },
    };
    const request = {
      method: 'GET',
      target: { context: target.cluster, path, query },
      headers,
      body: undefined,
      signal: new AbortController().signal,
      upgrade: 'websocket',
    };
    void forward(conn, request, sink, options);
  });
}

/** How an exec that closed ended: its error channel's Status, or the connection lost before one came. */
function endOf(errorChannel: string | undefined): ExecEnd {
  return errorChannel === undefined
    ? { kind: 'failed', message: 'the connection to the cluster closed' }
    : execEnd(errorChannel);
}

/** One listener, registered after the process starts: what is emitted before it is kept for it. */
function held<T>(): { emit(value: T): void; listen(listener: (value: T) => void): void } {
  let kept: T[] = [];
  let deliver: ((value: T) => void) | undefined;
  return {
    emit: (value) => (deliver === undefined ? kept.push(value) : deliver(value)),
    listen(listener) {
      deliver = listener;
      for (const value of kept) listener(value);
      kept = [];
    },
  };
}

/** Starts a shell in the target's container as `principal`: resolves once the cluster accepted the first exec. */
export async function startPodShell(
  registry: ClusterRegistry,
  target: TerminalTarget,
  initialSize: TerminalSize,
  options: ForwardOptions = DEFAULT_FORWARD_OPTIONS,
  principal: Principal = OWNER,
): Promise<TerminalProcess> {
  const output = held<Uint8Array>();
  const exit = held<TerminalExit>();
  let size = initialSize;
  /** Keystrokes sent to a shell that has not printed anything yet: replayed to the next if that one fails to start. */
  let unread: string[] = [];
  let started = false;
  let closed = false;
  let exec: UpgradedWebSocket;

  const attach = (socket: UpgradedWebSocket, shellIndex: number) => {
    exec = socket;
    let errorChannel: string | undefined;
    socket.onMessage((data) => {
      const channel = data[0];
      const payload = data.subarray(1);
      if (channel === ERROR) errorChannel = (errorChannel ?? '') + payload.toString('utf8');
      else if (channel !== STDIN && payload.length > 0) {
        started = true;
        unread = [];
        output.emit(payload);
      }
    });
    socket.onClose(() => {
      if (!closed) void ended(endOf(errorChannel), shellIndex);
    });
    socket.send(resizeMessage(size));
    for (const text of unread) socket.send(channelMessage(STDIN, text));
  };

  const ended = async (end: ExecEnd, shellIndex: number) => {
    if (end.kind === 'exited') return exit.emit({ code: end.code });
    if (started) return exit.emit({ code: undefined, message: end.message });
    const next = SHELLS[shellIndex + 1];
    if (next === undefined) return exit.emit({ code: undefined, message: NO_SHELL });
    try {
      const socket = await openExec(registry, target, next, options, principal);
      if (closed) return socket.close();
      attach(socket, shellIndex + 1);
    } catch (err) {
      exit.emit({ code: undefined, message: err instanceof Error ? err.message : String(err) });
    }
  };

  attach(await openExec(registry, target, SHELLS[0], options, principal), 0);
  return {
    write(input) {
      if (!started) unread.push(input);
      exec.send(channelMessage(STDIN, input));
    },
    resize(next) {
      size = next;
      exec.send(resizeMessage(next));
    },
    onOutput: output.listen,
    onExit: exit.listen,
    close() {
      closed = true;
      exec.close();
    },
  };
}
