/**
 * Websocket upgrades to the terminal (`GET /api/terminal/ws`) and to a pod's exec through `/raw`: handshakes with
 * bad keys, versions and subprotocols, then frames no client should send (unmasked, lying lengths, reserved
 * opcodes and bits, broken fragmentation, oversized), sometimes ended with a proper close.
 */
import fc from 'fast-check';
import type { FuzzCase, Target } from './cases';
import { closePayload, encodeFrame, type FrameSpec } from './ws-frames';

const CRLF = '\r\n';
const GOOD_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const EXEC_PATH =
  '/raw/clusters/sim/api/v1/namespaces/default/pods/busybox/exec?command=cat&stdin=true&stdout=true&stderr=true';

const key = fc.oneof(
  { weight: 4, arbitrary: fc.constant(GOOD_KEY) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', 'short', 'dGhlIHNhbXBsZSBub25jZQ', '!!!!!!!!!!!!!!!!!!!!!!==', 'a'.repeat(200)),
  },
);
const version = fc.oneof(
  { weight: 4, arbitrary: fc.constant('13') },
  { weight: 1, arbitrary: fc.constantFrom('', '8', '12', '99', '13, 8', 'x') },
);
const terminalProtocol = fc.oneof(
  { weight: 4, arbitrary: fc.constant('webtty') },
  { weight: 1, arbitrary: fc.constantFrom('', 'webtty, webtty', 'chat', 'web tty', ',,,', 'webtty;q=1', '\u00ff') },
);
const execProtocol = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('v4.channel.k8s.io', 'v5.channel.k8s.io') },
  { weight: 1, arbitrary: fc.constantFrom('', 'channel.k8s.io', 'base64.channel.k8s.io', 'v99.channel.k8s.io', ',') },
);

const textPayload = fc
  .oneof(
    fc.constantFrom(
      '{"Arguments":"","AuthToken":"forged"}',
      '{"Arguments":"?cluster=sim&pod=../x","AuthToken":"eyJhbGciOiJub25lIn0.e30."}',
      '{"AuthToken":""}',
      '{"Arguments":5,"AuthToken":[]}',
      '1ls\r',
      '2',
      '3{"columns":-1,"rows":1e9}',
      '',
      '{',
      'x'.repeat(200),
    ),
    fc.string({ maxLength: 60 }),
  )
  .map((s) => Buffer.from(s));

const binaryPayload = fc.oneof(
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
  fc.constantFrom(Buffer.from([0x00, 0x68, 0x69]), Buffer.from([0x04, 0x7b]), Buffer.from([0xff])),
);

const frame: fc.Arbitrary<FrameSpec> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      fin: fc.constant(true),
      rsv: fc.constant(0),
      opcode: fc.constant(1),
      masked: fc.constant(true),
      payload: textPayload,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      fin: fc.constant(true),
      rsv: fc.constant(0),
      opcode: fc.constant(2),
      masked: fc.constant(true),
      payload: binaryPayload,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      fin: fc.boolean(),
      rsv: fc.integer({ min: 0, max: 7 }),
      opcode: fc.integer({ min: 0, max: 15 }),
      masked: fc.boolean(),
      payload: fc.oneof(
        binaryPayload,
        fc.constantFrom(Buffer.from([0xc3, 0x28]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.alloc(126, 0x61)),
      ),
      declaredLength: fc.option(fc.constantFrom(0, 1, 125, 126, 65_535, 65_536, 2 * 1024 * 1024, 2 ** 40), {
        nil: undefined,
      }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      fin: fc.constant(true),
      rsv: fc.constant(0),
      opcode: fc.constant(8),
      masked: fc.constant(true),
      payload: fc.constantFrom(
        closePayload(999),
        closePayload(1005),
        closePayload(5000),
        Buffer.from([0x03]),
        closePayload(1000, '\u00ff'),
        closePayload(4000, 'x'.repeat(200)),
      ),
    }),
  },
);

/** The first frame of a terminal session, as the Kore Board UI sends it, with a token just minted. */
export const signInFrame = (token: string): Buffer =>
  encodeFrame({
    fin: true,
    rsv: 0,
    opcode: 1,
    masked: true,
    payload: Buffer.from(JSON.stringify({ Arguments: '', AuthToken: token })),
  });

export function websocketCase(t: Target): fc.Arbitrary<FuzzCase> {
  return fc
    .record({
      where: fc.constantFrom('terminal' as const, 'exec' as const),
      key,
      version,
      terminalProtocol,
      execProtocol,
      upgradeHeader: fc.oneof(
        { weight: 6, arbitrary: fc.constant('websocket') },
        { weight: 1, arbitrary: fc.constantFrom('WebSocket', 'h2c', '') },
      ),
      method: fc.oneof(
        { weight: 8, arbitrary: fc.constant('GET') },
        { weight: 1, arbitrary: fc.constantFrom('POST', 'HEAD') },
      ),
      frames: fc.array(frame, { maxLength: 5 }),
      closeAfter: fc.boolean(),
      signIn: fc.boolean(),
    })
    .map(
      ({ where, key, version, terminalProtocol, execProtocol, upgradeHeader, method, frames, closeAfter, signIn }) => {
        const protocol = where === 'terminal' ? terminalProtocol : execProtocol;
        const head = [
          `${method} ${where === 'terminal' ? '/api/terminal/ws' : EXEC_PATH} HTTP/1.1`,
          `Host: ${t.host}`,
          ...(t.token ? [`Authorization: Bearer ${t.token}`] : []),
          `Upgrade: ${upgradeHeader}`,
          'Connection: Upgrade',
          ...(key === '' ? [] : [`Sec-WebSocket-Key: ${key}`]),
          ...(version === '' ? [] : [`Sec-WebSocket-Version: ${version}`]),
          ...(protocol === '' ? [] : [`Sec-WebSocket-Protocol: ${protocol}`]),
        ];
        const ending = closeAfter
          ? [encodeFrame({ fin: true, rsv: 0, opcode: 8, masked: true, payload: closePayload(1000) })]
          : [];
        const headBytes = Buffer.from(head.join(CRLF) + CRLF + CRLF, 'latin1');
        const signsIn = signIn && where === 'terminal';
        return {
          family: `websocket ${where}${signsIn ? ' signed in' : ''}`,
          bytes: Buffer.concat([headBytes, ...frames.map(encodeFrame), ...ending]),
          answers: 1,
          headOnly: method === 'HEAD',
          endWrite: false,
          websocket: where,
          ...(signsIn ? { terminalSignInAt: headBytes.length } : {}),
        };
      },
    );
}
