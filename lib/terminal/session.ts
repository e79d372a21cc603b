/**
 * One browser's terminal session over the webtty protocol, runtime-neutral: the first frame within 10 s, its token
 * verified and claimed, the window title first, then keystrokes, resizes and pings pumped to a `TerminalProcess`
 * and its output back; the exit shown, then the socket closed. The socket adapter (lib/node/terminal-upgrade.ts)
 * feeds it frames; everything time-dependent runs on the injected clock and timers.
 */
import type { Clock } from '../clock';
import { errorMessage } from '../errors';
import type { Timers } from './timers';
import type { TerminalTokens } from './token';
import type { TerminalExit, TerminalProcess, TerminalSize, TerminalTarget } from './types';
import {
  encodeOutput,
  encodeTitle,
  parseClientMessage,
  parseInitMessage,
  PONG,
  windowTitle,
  type InitMessage,
} from './webtty';

/** The browser end, as the session needs it. */
export interface BrowserSocket {
  send(text: string): void;
  close(code: number, reason: string): void;
}

/** Close codes: the HTTP status each situation would have had, in the application range (4000–4999). */
export const CLOSE = {
  /** The terminal ended (its exit status is in the reason). */
  normal: 1000,
  /** A binary frame: webtty is text. */
  unsupported: 1003,
  /** The terminal could not be started (the reason says why; the user was shown it). */
  startFailed: 1011,
  badMessage: 4400,
  badToken: 4401,
  /** No first frame in time, or no input or ping for the idle time. */
  timeout: 4408,
} as const;

export const FIRST_FRAME_MS = 10_000;
/** An 80×24 terminal until the browser says its size. */
const DEFAULT_SIZE: TerminalSize = { columns: 80, rows: 24 };
/** A close frame's reason is at most 123 bytes. */
const MAX_REASON_BYTES = 123;

/** What a session did, for the log: never what was typed or shown. */
export interface SessionRecord {
  target: TerminalTarget | undefined;
  startedAt: number;
  endedAt: number;
  /** The shell's exit status, when it exited. */
  exitCode: number | undefined;
  closeCode: number;
  reason: string;
  bytesIn: number;
  bytesOut: number;
}

export interface SessionDeps {
  tokens: Pick<TerminalTokens, 'verify'>;
  /** Starts the terminal the token names; rejects (a StatusError) when it cannot. */
  open(target: TerminalTarget, size: TerminalSize): Promise<TerminalProcess>;
  clock: Clock;
  timers: Timers;
  /** No input or ping for this long closes the session. */
  idleMs: number;
  onEnd(record: SessionRecord): void;
}

export interface TerminalSession {
  /** A frame from the browser. */
  message(data: string, isBinary: boolean): void;
  /** The browser's socket closed: end the terminal. */
  browserLeft(): void;
  /** Ends the session from the server's side (shutdown, the context changed), showing `why`. */
  end(why: string): void;
}

function clipReason(reason: string): string {
  let clipped = reason;
  while (new TextEncoder().encode(clipped).length > MAX_REASON_BYTES) clipped = clipped.slice(0, -1);
  return clipped;
}

/** What the user sees when the terminal ends: kubectl's wording for a failed exit, or the reason it stopped. */
function exitText(exit: TerminalExit): string | undefined {
  if (exit.message !== undefined) return exit.message;
  if (exit.code !== undefined && exit.code !== 0) return `command terminated with exit code ${exit.code}`;
  return undefined;
}

export function startSession(socket: BrowserSocket, deps: SessionDeps): TerminalSession {
  const { clock, timers } = deps;
  const startedAt = clock.now();
  let phase: 'init' | 'verifying' | 'running' | 'ended' = 'init';
  /** Read through a function: the awaits below may have let the browser or a timer end the session. */
  const ended = () => phase === 'ended';
  let target: TerminalTarget | undefined;
  let process: TerminalProcess | undefined;
  let size: TerminalSize | undefined;
  /** Frames that arrived while the token was checked: handled after the title, in order. */
  const early: string[] = [];
  /** Keystrokes typed before the terminal started. */
  let pendingInput = '';
  let bytesIn = 0;
  let bytesOut = 0;
  let lastActivity = startedAt;
  let exitCode: number | undefined;
  let cancelTimer = timers.after(FIRST_FRAME_MS, () =>
    finish(CLOSE.timeout, `no first message within ${FIRST_FRAME_MS / 1000} s`),
  );

  const show = (text: string) => {
    const bytes = new TextEncoder().encode(`\r\n${text}\r\n`);
    bytesOut += bytes.length;
    socket.send(encodeOutput(bytes));
  };

  function finish(closeCode: number, reason: string, browserGone = false): void {
    if (phase === 'ended') return;
    phase = 'ended';
    cancelTimer();
    process?.close();
    if (!browserGone) socket.close(closeCode, clipReason(reason));
    deps.onEnd({ target, startedAt, endedAt: clock.now(), exitCode, closeCode, reason, bytesIn, bytesOut });
  }

  const watchIdle = (ms: number) => {
    cancelTimer = timers.after(ms, () => {
      const quiet = clock.now() - lastActivity;
      if (quiet < deps.idleMs) return watchIdle(deps.idleMs - quiet);
      show(`closed after ${Math.round(deps.idleMs / 1000)} s without input`);
      finish(CLOSE.timeout, `idle for ${Math.round(deps.idleMs / 1000)} s`);
    });
  };

  const handle = (text: string) => {
    const msg = parseClientMessage(text);
    switch (msg.kind) {
      case 'input':
        lastActivity = clock.now();
        bytesIn += new TextEncoder().encode(msg.text).length;
        if (process !== undefined) process.write(msg.text);
        else pendingInput += msg.text;
        return;
      case 'ping':
        lastActivity = clock.now();
        return socket.send(PONG);
      case 'resize':
        size = msg.size;
        return process?.resize(msg.size);
      case 'invalid':
        return finish(CLOSE.badMessage, msg.reason);
    }
  };

  const attach = (started: TerminalProcess) => {
    process = started;
    started.onOutput((chunk) => {
      bytesOut += chunk.length;
      socket.send(encodeOutput(chunk));
    });
    started.onExit((exit) => {
      exitCode = exit.code;
      process = undefined; // it has ended: nothing to close
      const text = exitText(exit);
      if (text !== undefined) show(text);
      finish(CLOSE.normal, text ?? `exit ${exit.code ?? 'unknown'}`);
    });
    if (size !== undefined) started.resize(size);
    if (pendingInput !== '') started.write(pendingInput);
    pendingInput = '';
  };

  const begin = async (init: InitMessage) => {
    const check = await deps.tokens.verify(init.authToken, init.expect);
    if (ended()) return;
    if (!check.ok) return finish(CLOSE.badToken, `token refused: ${check.message}`);
    target = check.target;
    phase = 'running';
    socket.send(encodeTitle(windowTitle(target)));
    watchIdle(deps.idleMs);
    for (const text of early.splice(0)) handle(text);
    let started: TerminalProcess;
    try {
      started = await deps.open(target, size ?? DEFAULT_SIZE);
    } catch (err) {
      if (ended()) return;
      show(errorMessage(err));
      return finish(CLOSE.startFailed, errorMessage(err));
    }
    if (ended()) return started.close();
    attach(started);
  };

  return {
    message(data, isBinary) {
      if (phase === 'ended') return;
      if (isBinary) return finish(CLOSE.unsupported, 'webtty messages are text frames');
      if (phase === 'running') return handle(data);
      if (phase === 'verifying') return void early.push(data);
      const init = parseInitMessage(data);
      if ('invalid' in init) return finish(CLOSE.badMessage, init.invalid);
      cancelTimer();
      phase = 'verifying';
      begin(init).catch((err: unknown) => finish(CLOSE.startFailed, errorMessage(err)));
    },
    browserLeft: () => finish(CLOSE.normal, 'the browser closed the terminal', true),
    end(why) {
      if (phase === 'running') show(why);
      finish(CLOSE.normal, why);
    },
  };
}
