/**
 * One exec or attach session over an upgraded WebSocket: routes the client's stdin, resize and close
 * messages, runs the command in the simulated container, then reports the exit status on the error
 * channel and closes the socket, as the kubelet does behind a real API server.
 */
import { errorMessage } from '../../errors';
import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import type { RawData, WebSocket } from 'ws';
import { containerView } from './container';
import { Input, LineDiscipline } from './input';
import {
  CLOSE,
  decodeFrame,
  encodeFrame,
  ERROR,
  exitMessage,
  exitStatus,
  RESIZE,
  startFailureStatus,
  STDERR,
  STDIN,
  STDOUT,
  traitsOf,
} from './protocol';
import { Shell, type ShellIo } from './shell';

export interface ExecTarget {
  pod: object;
  container: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
  /** pods/attach: connect to the container's main process instead of starting a command. */
  attach: boolean;
}

type Outcome = { code: number } | { startFailure: string };

/** Runs the session; resolves once the WebSocket has closed (after the command ended or the client left). */
export function runExecSession(ws: WebSocket, protocol: string, target: ExecTarget): Promise<void> {
  const traits = traitsOf(protocol);
  const size = { rows: 24, cols: 80 };
  const input = new Input();
  if (!target.stdin) input.close();

  const send = (channel: number, data: string) => {
    if (ws.readyState === ws.OPEN) ws.send(encodeFrame(traits, channel, Buffer.from(data)));
  };
  // A terminal turns "\n" into "\r\n" and has no separate stderr.
  const stdout = (text: string) => {
    if (target.stdout) send(STDOUT, target.tty ? text.replace(/\r?\n/g, '\r\n') : text);
  };
  const stderr = (text: string) => {
    if (target.tty) stdout(text);
    else if (target.stderr) send(STDERR, text);
  };
  const io: ShellIo = { stdout, stderr, input, tty: target.tty, size: () => ({ ...size }) };
  const view = containerView(target.pod as Record<string, unknown>, target.container, target.tty);
  const runtime = new Shell(io, view, 'sh');
  let foreground = runtime;
  const discipline = target.tty
    ? new LineDiscipline(input, { echo: stdout, interrupt: () => foreground.interrupt() })
    : undefined;
  const decoder = new StringDecoder('utf8');

  ws.on('message', (raw: RawData, isBinary: boolean) => {
    const frame = decodeFrame(traits, toBuffer(raw), isBinary);
    if (frame === undefined) return;
    if (frame.channel === STDIN) {
      const text = decoder.write(frame.data);
      if (discipline !== undefined) discipline.receive(text);
      else input.push(text);
    } else if (frame.channel === RESIZE && traits.resize) {
      resize(size, frame.data);
    } else if (frame.channel === CLOSE && traits.closeSignal && frame.data[0] === STDIN) {
      input.close();
    }
  });

  const run = async (): Promise<Outcome> => {
    if (target.attach) return { code: await runtime.interact() };
    const [command = '', ...args] = target.command;
    const program = command.slice(command.lastIndexOf('/') + 1);
    if (!Shell.has(view, program)) return { startFailure: startFailure(command) };
    if (program !== 'sh' && program !== 'bash' && program !== 'ash')
      return { code: await runtime.exec(target.command) };
    const shell = new Shell(io, view, program === 'bash' ? 'bash' : 'sh');
    foreground = shell;
    const [first, script] = args;
    if (first === '-c') {
      if (script !== undefined) return { code: await shell.script(script) };
      stderr(`${program}: -c: option requires an argument\n`);
      return { code: 2 };
    }
    if (first !== undefined && !first.startsWith('-')) {
      stderr(
        program === 'bash'
          ? `bash: ${first}: No such file or directory\n`
          : `sh: can't open '${first}': No such file or directory\n`,
      );
      return { code: program === 'bash' ? 127 : 2 };
    }
    return { code: await shell.interact() };
  };

  return new Promise((resolve) => {
    ws.on('error', () => ws.terminate());
    ws.once('close', () => {
      input.close();
      foreground.interrupt();
      resolve();
    });
    // The kubelet's first message, on the lowest channel it writes to, tells the client the streams are up.
    send(target.stdout ? STDOUT : target.stderr ? STDERR : ERROR, '');
    run().then(
      (outcome) => finish(outcome),
      (err: unknown) =>
        finish({
          startFailure: `error executing command in container: ${errorMessage(err)}`,
        }),
    );
  });

  function finish(outcome: Outcome): void {
    if ('startFailure' in outcome) {
      send(
        ERROR,
        traits.statusErrors
          ? JSON.stringify(startFailureStatus(outcome.startFailure))
          : `Internal error occurred: ${outcome.startFailure}`,
      );
    } else if (traits.statusErrors) {
      send(ERROR, JSON.stringify(exitStatus(outcome.code, target.command)));
    } else if (outcome.code !== 0) {
      send(ERROR, exitMessage(outcome.code, target.command));
    }
    if (ws.readyState === ws.OPEN) ws.close(1000);
  }
}

/** What containerd reports for a command that is not in the image. */
function startFailure(command: string): string {
  const reason = command.includes('/')
    ? `stat ${command}: no such file or directory`
    : 'executable file not found in $PATH';
  return `error executing command in container: failed to exec in container: failed to start exec "${randomBytes(32).toString('hex')}": OCI runtime exec failed: exec failed: unable to start container process: exec: "${command}": ${reason}: unknown`;
}

function resize(size: { rows: number; cols: number }, data: Buffer): void {
  try {
    const parsed = JSON.parse(data.toString('utf8')) as { Width?: unknown; Height?: unknown };
    if (
      typeof parsed.Width === 'number' &&
      typeof parsed.Height === 'number' &&
      parsed.Width > 0 &&
      parsed.Height > 0
    ) {
      size.cols = parsed.Width;
      size.rows = parsed.Height;
    }
  } catch {
    // A malformed resize is ignored, as the kubelet logs and drops it.
  }
}

function toBuffer(raw: RawData): Buffer {
  if (Buffer.isBuffer(raw)) return raw;
  if (Array.isArray(raw)) return Buffer.concat(raw);
  return Buffer.from(raw);
}
