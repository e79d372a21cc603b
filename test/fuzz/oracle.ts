/**
 * What every answer must be, whatever was sent: an answer at all (unless the HTTP layer may close without one),
 * an error as a Kubernetes Status whose code is the HTTP status, served as JSON; and on a websocket, a close code
 * from the documented set. Pure: one case and what came back in, the broken rules out.
 */
import type { FuzzCase } from './cases';
import { parseResponses, type ParsedResponse } from './http-response';
import type { Outcome } from './send';
import { closeCodeOf, parseServerFrames } from './ws-frames';

/**
 * The terminal's close codes: lib/terminal/session.ts's CLOSE (1000, 1003, 1011, 4400, 4401, 4408) and what the
 * websocket layer itself sends on a broken frame (1002 protocol error, 1007 bad UTF-8, 1009 a frame over
 * MAX_FRAME_BYTES), as docs/architecture.md describes the terminal.
 */
export const TERMINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  1000, 1002, 1003, 1007, 1009, 1011, 4400, 4401, 4408,
]);

/** A close code a peer may send at all (RFC 6455 §7.4): exec through `/raw` carries the cluster's own. */
const sendable = (code: number) =>
  (code >= 1000 && code <= 1014 && ![1004, 1005, 1006].includes(code)) || (code >= 3000 && code <= 4999);

interface StatusLike {
  kind?: unknown;
  apiVersion?: unknown;
  code?: unknown;
  items?: unknown;
}

function parseJson(body: Buffer): StatusLike | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

const isStatusWithCode = (v: unknown, code: number) =>
  typeof v === 'object' &&
  v !== null &&
  (v as StatusLike).kind === 'Status' &&
  (v as StatusLike).apiVersion === 'v1' &&
  (v as StatusLike).code === code;

/** Why an error answer is not a Status, or undefined when it is one. */
export function statusProblem(r: ParsedResponse): string | undefined {
  if (r.status < 400 || r.body.length === 0) return undefined;
  const type = r.headers['content-type'] ?? '';
  if (!/^application\/json\b/.test(type)) return `a ${r.status} answer served as ${JSON.stringify(type)}`;
  const body = parseJson(r.body);
  if (body === undefined) return `a ${r.status} answer whose body is not a JSON object`;
  if (isStatusWithCode(body, r.status)) return undefined;
  // A stream applied in part answers a List: each failed document a Status, the first failure's code the answer's.
  if (body.kind === 'List' && Array.isArray(body.items) && body.items.some((i) => isStatusWithCode(i, r.status)))
    return undefined;
  return `a ${r.status} answer that is not a Status with code ${r.status}: ${r.body.subarray(0, 200).toString('utf8')}`;
}

export function judge(c: FuzzCase, o: Outcome): string[] {
  if (o.error === 'ECONNREFUSED') return ['the server refused the connection: it is down'];
  const parsed = parseResponses(o.bytes, o.closedByServer, c.headOnly);
  const problems: string[] = [];
  if (parsed.garbled) problems.push(`the answer is not HTTP: ${o.bytes.subarray(0, 120).toString('latin1')}`);
  for (const r of parsed.responses) {
    const problem = statusProblem(r);
    if (problem !== undefined) problems.push(problem);
  }
  const final = parsed.responses.filter((r) => r.status >= 200);
  if (c.answers > 0 && final.length === 0 && parsed.upgraded === undefined)
    problems.push(o.timedOut ? 'no answer before the deadline' : 'the connection closed without an answer');
  else if (c.answers > 1 && final.length < c.answers && !o.timedOut && parsed.upgraded === undefined) {
    // A pipelined request the server refused ends the connection; the ones before it must all be answered.
    const refused = final.some((r) => r.status >= 400 && r.headers.connection === 'close');
    if (!refused) problems.push(`${final.length} answers to ${c.answers} pipelined requests`);
  }
  if (parsed.upgraded !== undefined) {
    const code = closeCodeOf(parseServerFrames(parsed.upgraded));
    if (code !== undefined) {
      const allowed = c.websocket === 'terminal' ? TERMINAL_CLOSE_CODES.has(code) : sendable(code) || code === 1005;
      if (!allowed) problems.push(`the websocket closed with code ${code}`);
    }
  }
  return problems;
}
