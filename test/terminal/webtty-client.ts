/**
 * A websocket client that speaks exactly what the Kore Board UI's terminal page does: GET the token route, open
 * `/api/terminal/ws` with subprotocol `webtty`, send `{"Arguments": "", "AuthToken": <Token>}`, then its size as
 * `3{"columns","rows"}`, then keystrokes as `1<text>` and pings as `2`. It records what the UI would show: the
 * window title, the output (base64-decoded), pongs, and how the socket closed.
 */
import WebSocket from 'ws';
import type { TerminalSize } from '../../lib/terminal/types';

export interface Closed {
  code: number;
  reason: string;
}

export interface WebttyClient {
  ws: WebSocket;
  title(): string | undefined;
  output(): string;
  pongs(): number;
  /** The frame types in the order they came (`3` title, `1` output, `2` pong). */
  frameTypes(): string[];
  type(text: string): void;
  ping(): void;
  resize(size: TerminalSize): void;
  /** Resolves when the output matches; rejects after `ms` with what was shown. */
  waitForOutput(pattern: RegExp, ms?: number): Promise<void>;
  closed: Promise<Closed>;
}

/** The token route's answer, as the UI reads it (`Token`, capital T). */
export async function fetchToken(url: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(url, { headers });
  const body = (await res.json()) as { Success?: boolean; Token?: string; message?: string };
  if (res.status !== 200 || body.Success !== true || body.Token === undefined)
    throw new Error(`token route answered ${res.status}: ${body.message ?? JSON.stringify(body)}`);
  return body.Token;
}

export interface OpenOptions {
  /** The first frame's `Arguments` (the UI sends ""). */
  args?: string;
  size?: TerminalSize;
  headers?: Record<string, string>;
  origin?: string;
  /** Leave out the first frame (and the resize after it). */
  silent?: boolean;
}

/** Opens the terminal websocket at `base` (http://host:port) with `token`, as the UI does once it has one. */
export function openTerminal(base: string, token: string, options: OpenOptions = {}): Promise<WebttyClient> {
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/api/terminal/ws`, ['webtty'], {
    headers: options.headers,
    ...(options.origin === undefined ? {} : { origin: options.origin }),
  });
  let title: string | undefined;
  let output = '';
  let pongs = 0;
  const types: string[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data: Buffer) => {
    const frame = data.toString('utf8');
    types.push(frame[0] ?? '');
    if (frame[0] === '3') title = frame.slice(1);
    else if (frame[0] === '2') pongs++;
    else if (frame[0] === '1') output += Buffer.from(frame.slice(1), 'base64').toString('utf8');
    for (const wake of waiters) wake();
  });
  const closed = new Promise<Closed>((resolve) =>
    ws.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const wake of waiters) wake();
    }),
  );
  const client: WebttyClient = {
    ws,
    title: () => title,
    output: () => output,
    pongs: () => pongs,
    frameTypes: () => types,
    type: (text) => ws.send(`1${text}`),
    ping: () => ws.send('2'),
    resize: (size) => ws.send(`3${JSON.stringify(size)}`),
    waitForOutput: (pattern, ms = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!pattern.test(output)) return;
          done();
          resolve();
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${String(pattern)} in the terminal's output: ${JSON.stringify(output)}`));
        }, ms);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    closed,
  };
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => reject(new RefusedUpgrade(res.statusCode ?? 0, body)));
    });
    ws.once('error', reject);
    ws.once('open', () => {
      if (options.silent !== true) {
        ws.send(JSON.stringify({ Arguments: options.args ?? '', AuthToken: token }));
        client.resize(options.size ?? { columns: 80, rows: 24 });
      }
      resolve(client);
    });
  });
}

export class RefusedUpgrade extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`upgrade refused with ${status}: ${body}`);
  }
}
