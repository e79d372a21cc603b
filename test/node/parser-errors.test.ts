/**
 * Requests Node's HTTP parser refuses before any route runs still get a Kubernetes Status with the right code,
 * the connection closes, and the server goes on serving — on kore-board's listener and on the simulated cluster's.
 */
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchange } from '../helpers/raw-exchange';
import { startStack, type Stack } from '../helpers/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.close());

/** `h`: the target's Host and credential header lines. */
const MALFORMED: Array<[string, (h: string) => string, number]> = [
  ['an unknown method', (h) => `FOO /api/clusters HTTP/1.1\r\n${h}\r\n`, 400],
  [
    'a header block over 16 KiB',
    (h) => `GET /api/clusters HTTP/1.1\r\n${h}X-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`,
    431,
  ],
  ['a 20 KiB request line', () => `GET /api/${'a'.repeat(20 * 1024)} HTTP/1.1\r\n`, 414],
  [
    'malformed chunked framing',
    (h) =>
      `POST /api/v1/namespaces HTTP/1.1\r\n${h}Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nZZZ\r\nxx\r\n`,
    400,
  ],
  ['CONNECT', () => 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', 405],
];

describe.each([
  [
    'kore-board',
    () => {
      const { port } = new URL(stack.url);
      return {
        dial: () => tcpConnect(Number(port), '127.0.0.1'),
        headers: `Host: 127.0.0.1:${port}\r\n`,
        healthy: `${stack.url}/healthz`,
      };
    },
  ],
  [
    'the simulated cluster',
    () => {
      const { port } = new URL(stack.sim.url);
      const headers = `Host: 127.0.0.1:${port}\r\nAuthorization: Bearer ${stack.sim.token}\r\n`;
      return {
        dial: () => tlsConnect({ port: Number(port), host: '127.0.0.1', rejectUnauthorized: false }),
        headers,
        healthy: undefined,
      };
    },
  ],
])('%s answers what its parser refuses with a Status', (_name, target) => {
  it.each(MALFORMED)('%s', async (_what, request, code) => {
    const { dial, headers, healthy } = target();
    const answer = await exchange(dial, request(headers));
    expect(answer.code, JSON.stringify(answer.body)).toBe(code);
    expect(answer.body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code });
    // And goes on serving.
    if (healthy !== undefined) expect((await fetch(healthy)).status).toBe(200);
    else expect((await exchange(dial, `GET /healthz HTTP/1.1\r\n${headers}Connection: close\r\n\r\n`)).code).toBe(200);
  });
});
