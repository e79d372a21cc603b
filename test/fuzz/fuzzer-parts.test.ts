import { describe, expect, it } from 'vitest';
import { unexplainedChanges } from './applied';
import { sampleCases } from './cases';
import { parseResponses } from './http-response';
import { judge, statusProblem } from './oracle';
import { fillRoute, routeTemplates } from './routes';
import { closeCodeOf, closePayload, encodeFrame, parseServerFrames } from './ws-frames';

/** The fuzzer's own pure parts: if these are wrong, the suite's silence means nothing. */

const status = (code: number) =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code });
const answer = (code: number, type: string, body: string, extra = '') =>
  `HTTP/1.1 ${code} X\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

describe('parseResponses', () => {
  it('reads pipelined answers framed by Content-Length and chunked encoding, and leaves a partial one', () => {
    const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n';
    const bytes = Buffer.from(answer(404, 'application/json', status(404)) + chunked + 'HTTP/1.1 200 OK\r\nContent-Le');
    const { responses, rest, garbled } = parseResponses(bytes, false);
    expect(responses.map((r) => [r.status, r.body.toString()])).toEqual([
      [404, status(404)],
      [200, 'abcde'],
    ]);
    expect(rest.toString()).toBe('HTTP/1.1 200 OK\r\nContent-Le');
    expect(garbled).toBe(false);
  });

  it('hands over what follows a 101, and says when bytes are not HTTP', () => {
    const frame = encodeFrame({ fin: true, rsv: 0, opcode: 8, masked: false, payload: closePayload(4401) });
    const upgraded = parseResponses(
      Buffer.concat([Buffer.from('HTTP/1.1 101 Switching\r\nUpgrade: websocket\r\n\r\n'), frame]),
      true,
    );
    expect(closeCodeOf(parseServerFrames(upgraded.upgraded!))).toBe(4401);
    expect(parseResponses(Buffer.from('SSH-2.0-x\r\n\r\n'), true).garbled).toBe(true);
  });
});

describe('websocket frames', () => {
  it('writes the 16- and 64-bit lengths, masks on request, and a lying length is sent as given', () => {
    const long = encodeFrame({ fin: true, rsv: 0, opcode: 2, masked: false, payload: Buffer.alloc(300, 1) });
    expect(parseServerFrames(long)).toEqual([{ opcode: 2, payload: Buffer.alloc(300, 1) }]);
    const masked = encodeFrame({ fin: true, rsv: 0, opcode: 1, masked: true, payload: Buffer.from('hi') });
    expect(masked[1]! & 0x80).toBe(0x80);
    expect(masked.subarray(6).equals(Buffer.from('hi'))).toBe(false);
    const lying = encodeFrame({
      fin: true,
      rsv: 0,
      opcode: 1,
      masked: false,
      payload: Buffer.from('x'),
      declaredLength: 2 ** 40,
    });
    expect(lying[1]).toBe(127);
    expect(parseServerFrames(lying)).toEqual([]);
  });
});

describe('the oracle', () => {
  const parsed = (text: string) => parseResponses(Buffer.from(text), true).responses[0]!;

  it("takes a Status whose code is the answer's, and a partly applied List whose failure is one", () => {
    expect(statusProblem(parsed(answer(422, 'application/json', status(422))))).toBeUndefined();
    const list = JSON.stringify({
      kind: 'List',
      apiVersion: 'v1',
      items: [{ kind: 'ConfigMap' }, JSON.parse(status(409))],
    });
    expect(statusProblem(parsed(answer(409, 'application/json', list)))).toBeUndefined();
    expect(statusProblem(parsed(answer(200, 'text/plain', 'ok')))).toBeUndefined();
  });

  it('refuses an error as HTML, as JSON that is not a Status, or as a Status with another code', () => {
    expect(statusProblem(parsed(answer(400, 'text/html', 'Bad Request')))).toMatch(/served as "text\/html"/);
    expect(statusProblem(parsed(answer(404, 'application/json', '{"error":"x"}')))).toMatch(/not a Status/);
    expect(statusProblem(parsed(answer(500, 'application/json', status(400))))).toMatch(/not a Status with code 500/);
  });

  it('wants an answer to a whole request, and a documented close code from the terminal', () => {
    const plain = { family: 'x', bytes: Buffer.alloc(0), answers: 1, headOnly: false, endWrite: false };
    expect(judge(plain, { bytes: Buffer.alloc(0), closedByServer: true, timedOut: false })).toEqual([
      'the connection closed without an answer',
    ]);
    expect(judge({ ...plain, answers: 0 }, { bytes: Buffer.alloc(0), closedByServer: true, timedOut: false })).toEqual(
      [],
    );
    const closing = (code: number) =>
      Buffer.concat([
        Buffer.from('HTTP/1.1 101 Switching\r\n\r\n'),
        encodeFrame({ fin: true, rsv: 0, opcode: 8, masked: false, payload: closePayload(code) }),
      ]);
    const ws = { ...plain, websocket: 'terminal' as const };
    expect(judge(ws, { bytes: closing(4400), closedByServer: true, timedOut: false })).toEqual([]);
    expect(judge(ws, { bytes: closing(4999), closedByServer: true, timedOut: false })).toEqual([
      'the websocket closed with code 4999',
    ]);
  });

  it('explains a change only by an answer that named the object, or by its owner', () => {
    const written = { keys: new Set(['ConfigMap/fuzz/a']), uids: new Set(['uid-d']) };
    const changes = [
      { kind: 'ConfigMap', namespace: 'fuzz', name: 'a', owners: [] },
      { kind: 'ReplicaSet', namespace: 'fuzz', name: 'd-1', owners: ['uid-d'] },
      { kind: 'ConfigMap', namespace: 'fuzz', name: 'b', owners: [] },
    ];
    expect(unexplainedChanges(changes, written)).toEqual([changes[2]]);
  });
});

describe('the cases', () => {
  it('cover every row of the Routes table, websocket upgrades included', () => {
    const rows = routeTemplates();
    expect(rows.length).toBeGreaterThan(40);
    expect(rows).toContainEqual({ method: 'upgrade', path: '/api/terminal/ws' });
    expect(rows).toContainEqual({ method: 'POST', path: '/api/contexts' });
    expect(fillRoute('/api/clusters/:cluster/nodes/:node/pods', (p) => p.toUpperCase())).toBe(
      '/api/clusters/CLUSTER/nodes/NODE/pods',
    );
  });

  it('are the same bytes for the same seed, and others for another', () => {
    const target = { host: '127.0.0.1:1', token: undefined };
    const bytes = (seed: number) =>
      sampleCases(seed, 50, target, routeTemplates()).map((c) => c.bytes.toString('base64'));
    expect(bytes(7)).toEqual(bytes(7));
    expect(bytes(8)).not.toEqual(bytes(7));
  });
});
