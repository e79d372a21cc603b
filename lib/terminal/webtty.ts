/**
 * gotty's `webtty` framing as the Kore Board UI speaks it (subprotocol `webtty`, text frames, one type character
 * first). Client → server: first a JSON `{"Arguments", "AuthToken"}`, then `1` + typed text (not base64), `2` ping,
 * `3` + `{"columns", "rows"}`. Server → client: `1` + base64 of the output bytes, `2` pong, `3` + window title.
 * Pure functions: the session decides what each message does.
 */
import * as v from 'valibot';
import type { TargetExpectation } from './token';
import type { TerminalSize, TerminalTarget } from './types';

export const WEBTTY_PROTOCOL = 'webtty';

export interface InitMessage {
  authToken: string;
  /** What `Arguments` names (a query string: `cluster`, `namespace`, `pod`, `container`); the UI sends "". */
  expect: TargetExpectation;
}

export type ClientMessage =
  | { kind: 'input'; text: string }
  | { kind: 'ping' }
  | { kind: 'resize'; size: TerminalSize }
  | { kind: 'invalid'; reason: string };

const InitSchema = v.object({ Arguments: v.optional(v.string(), ''), AuthToken: v.pipe(v.string(), v.minLength(1)) });

/** xterm.js allows up to 65535 either way; larger is no terminal. */
const Dimension = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65_535));
const ResizeSchema = v.object({ columns: Dimension, rows: Dimension });

const EXPECTABLE = ['cluster', 'namespace', 'pod', 'container'] as const;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The first frame, or why it is not one. */
export function parseInitMessage(text: string): InitMessage | { invalid: string } {
  const parsed = v.safeParse(InitSchema, parseJson(text));
  if (!parsed.success) return { invalid: 'the first message must be {"Arguments": "...", "AuthToken": "<token>"}' };
  const query = new URLSearchParams(parsed.output.Arguments.replace(/^\?/, ''));
  const expect: TargetExpectation = {};
  for (const key of EXPECTABLE) {
    const value = query.get(key);
    if (value !== null) expect[key] = value;
  }
  return { authToken: parsed.output.AuthToken, expect };
}

/** Every frame after the first. */
export function parseClientMessage(text: string): ClientMessage {
  const payload = text.slice(1);
  switch (text[0]) {
    case '1':
      return { kind: 'input', text: payload };
    case '2':
      return { kind: 'ping' };
    case '3': {
      const size = v.safeParse(ResizeSchema, parseJson(payload));
      return size.success
        ? { kind: 'resize', size: size.output }
        : { kind: 'invalid', reason: 'a resize must be 3{"columns": N, "rows": M} with positive integers' };
    }
    case undefined:
      return { kind: 'invalid', reason: 'empty message' };
    default:
      return { kind: 'invalid', reason: `unknown message type ${JSON.stringify(text[0])}` };
  }
}

export const encodeOutput = (chunk: Uint8Array): string =>
  `1${Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('base64')}`;
export const PONG = '2';
export const encodeTitle = (title: string): string => `3${title}`;

/** The window title the UI shows: `kubectl@<cluster>`, `<pod>` or `<pod>/<container>`. */
export function windowTitle(target: TerminalTarget): string {
  if (target.pod === undefined) return `kubectl@${target.cluster}`;
  return target.container === undefined ? target.pod : `${target.pod}/${target.container}`;
}
