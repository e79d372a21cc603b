import { describe, expect, it } from 'vitest';
import { channelMessage, execEnd, execRequest, resizeMessage } from '../../lib/terminal/exec-channels';
import {
  encodeOutput,
  encodeTitle,
  parseClientMessage,
  parseInitMessage,
  PONG,
  windowTitle,
} from '../../lib/terminal/webtty';

/** The webtty codec against the frames the Kore Board UI's client (gotty's webtty.ts) sends and reads. */
describe('webtty client frames', () => {
  it("reads the UI's first frame, with Arguments naming what it expects to open", () => {
    expect(parseInitMessage('{"Arguments":"","AuthToken":"t0k"}')).toEqual({ authToken: 't0k', expect: {} });
    expect(parseInitMessage('{"AuthToken":"t0k"}')).toEqual({ authToken: 't0k', expect: {} });
    expect(parseInitMessage('{"Arguments":"?pod=busybox&namespace=default&x=1","AuthToken":"t"}')).toEqual({
      authToken: 't',
      expect: { pod: 'busybox', namespace: 'default' },
    });
  });

  it('refuses a first frame that is not the JSON init message', () => {
    for (const frame of ['', '1ls', '{"Arguments":""}', '{"AuthToken":""}', '{"AuthToken":5}', '[]', 'null'])
      expect(parseInitMessage(frame), frame).toHaveProperty('invalid');
  });

  it('reads input as raw text, pings, and resizes', () => {
    expect(parseClientMessage('1ls -l\r')).toEqual({ kind: 'input', text: 'ls -l\r' });
    expect(parseClientMessage('1')).toEqual({ kind: 'input', text: '' });
    expect(parseClientMessage('1\u00e9\u4e2d')).toEqual({ kind: 'input', text: '\u00e9\u4e2d' });
    expect(parseClientMessage('2')).toEqual({ kind: 'ping' });
    expect(parseClientMessage('3{"columns":120,"rows":40}')).toEqual({
      kind: 'resize',
      size: { columns: 120, rows: 40 },
    });
  });

  it('calls unknown types, empty frames and malformed resizes invalid', () => {
    for (const frame of [
      '',
      '0x',
      '4{}',
      'hello',
      '3',
      '3{"columns":0,"rows":5}',
      '3{"columns":1.5,"rows":5}',
      '3{"rows":5}',
    ])
      expect(parseClientMessage(frame).kind, frame).toBe('invalid');
  });
});

describe('webtty server frames', () => {
  it('sends output as base64 of the bytes, a pong, and the title', () => {
    const bytes = new TextEncoder().encode('h\u00e9\r\n');
    expect(encodeOutput(bytes)).toBe(`1${Buffer.from(bytes).toString('base64')}`);
    // A view into a larger buffer encodes only its own bytes.
    expect(encodeOutput(new Uint8Array([0, 104, 105, 0]).subarray(1, 3))).toBe('1aGk=');
    expect(PONG).toBe('2');
    expect(encodeTitle('busybox')).toBe('3busybox');
  });

  it('titles the window kubectl@<cluster>, <pod> or <pod>/<container>', () => {
    expect(windowTitle({ cluster: 'prod', termtype: 'cluster' })).toBe('kubectl@prod');
    expect(windowTitle({ cluster: 'prod', termtype: 'pod', namespace: 'a', pod: 'web' })).toBe('web');
    expect(windowTitle({ cluster: 'prod', termtype: 'container', namespace: 'a', pod: 'web', container: 'app' })).toBe(
      'web/app',
    );
  });
});

describe('the exec channels of a pod terminal', () => {
  it('asks for a tty with stdin and the named container', () => {
    expect(
      execRequest({ cluster: 'c', termtype: 'container', namespace: 'shop', pod: 'web', container: 'app' }, 'bash'),
    ).toEqual({
      path: '/api/v1/namespaces/shop/pods/web/exec',
      query: 'command=bash&stdin=true&stdout=true&tty=true&container=app',
    });
    expect(execRequest({ cluster: 'c', termtype: 'pod', namespace: 'shop', pod: 'web' }, 'sh').query).toBe(
      'command=sh&stdin=true&stdout=true&tty=true',
    );
  });

  it('frames stdin and resizes with their channel byte', () => {
    expect([...channelMessage(0, 'ls')]).toEqual([0, 108, 115]);
    expect(resizeMessage({ columns: 100, rows: 30 }).toString()).toBe('\u0004{"Width":100,"Height":30}');
  });

  it("reads the error channel's Status: success, an exit code, or why it failed", () => {
    expect(execEnd('{"metadata":{},"status":"Success"}')).toEqual({ kind: 'exited', code: 0 });
    expect(
      execEnd(
        '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}',
      ),
    ).toEqual({ kind: 'exited', code: 3 });
    expect(
      execEnd(
        '{"metadata":{},"status":"Failure","message":"Internal error occurred: exec: \\"bash\\": executable file not found in $PATH","reason":"InternalError","code":500}',
      ),
    ).toEqual({ kind: 'failed', message: 'Internal error occurred: exec: "bash": executable file not found in $PATH' });
    expect(execEnd('container not found')).toEqual({ kind: 'failed', message: 'container not found' });
  });
});
