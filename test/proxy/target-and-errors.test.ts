/** The pure parts of the /raw proxy: target parsing and path checks, body replay, error mapping (headers: test/proxy/headers.test.ts). */
import { describe, expect, it } from 'vitest';
import { StatusError } from '../../lib/errors';
import { isLongRunning, MAX_TARGET_LENGTH, parseRawTarget, upstreamPath } from '../../lib/proxy/raw-target';
import { ReplayableBody } from '../../lib/proxy/replayable-body';
import { upstreamError } from '../../lib/proxy/upstream-error';

function rejection(target: string): { code: number; reason: string; message: string } {
  try {
    parseRawTarget(target);
  } catch (err) {
    if (err instanceof StatusError) return { code: err.code, reason: err.reason, message: err.message };
    throw err;
  }
  throw new Error(`${target} was accepted`);
}

describe('parseRawTarget', () => {
  it('decodes the context segment, keeps the path encoded and the query byte for byte', () => {
    const t = parseRawTarget(
      '/raw/clusters/arn%3Aaws%3Aeks%3Aeu-west-1%3A123%3Acluster%2Fprod/api/v1/pods?labelSelector=a%3Db&x=1&x=2&fieldSelector=metadata.name%3D%25zz',
    );
    expect(t).toEqual({
      context: 'arn:aws:eks:eu-west-1:123:cluster/prod',
      path: '/api/v1/pods',
      query: 'labelSelector=a%3Db&x=1&x=2&fieldSelector=metadata.name%3D%25zz',
    });
    expect(
      parseRawTarget('/raw/clusters/kubernetes-admin@kubernetes/api/v1/namespaces/default/pods/busybox%2Dx'),
    ).toMatchObject({
      context: 'kubernetes-admin@kubernetes',
      path: '/api/v1/namespaces/default/pods/busybox%2Dx',
      query: undefined,
    });
    expect(parseRawTarget('/raw/clusters/ctx?')).toEqual({ context: 'ctx', path: '', query: '' });
    // `?` inside the query and `%2f` in it are the caller's business: only the path is checked.
    expect(parseRawTarget('/raw/clusters/c/api?a=%2F..%2F&b=?').query).toBe('a=%2F..%2F&b=?');
  });

  it.each([
    ['/raw/clusters/c/api/v1/namespaces/../secrets', 'segment'],
    ['/raw/clusters/c/api/v1/%2e%2e/secrets', 'segment'],
    ['/raw/clusters/c/api/v1/%2E./secrets', 'segment'],
    ['/raw/clusters/c/api/v1/.%2e', 'segment'],
    ['/raw/clusters/c/api/./v1', 'segment'],
    ['/raw/clusters/c/api/v1/namespaces%2fkube-system%2fsecrets', 'encoded'],
    ['/raw/clusters/c/api/v1/namespaces%2Fx', 'encoded'],
    ['/raw/clusters/c/api/v1/pods%5c..', 'encoded'],
    ['/raw/clusters/c/api/v1/pods%00', 'encoded'],
    ['/raw/clusters/c/api/v1/pods%0d%0aX-Injected:%201', 'encoded'],
    ['/raw/clusters/c/api/v1/pods%zz', 'malformed'],
    ['/raw/clusters/c/api/v1/pods\\..\\secrets', 'backslash'],
    ['/raw/clusters/c/api/v1/pods\u0000', 'control'],
    ['/raw/clusters/c/api//v1', 'empty segment'],
    ['/raw/clusters/c/api/v1/pods#frag', 'backslash'],
    ['/raw/clusters/%E0%A4%A/api', 'percent-encoding'],
    ['/raw/clusters//api/v1', 'missing'],
    ['/raw/clusters/c%0a/api', 'control character'],
  ])('refuses %s with 400', (target, words) => {
    const r = rejection(target);
    expect(r.code).toBe(400);
    expect(r.reason).toBe('BadRequest');
    expect(r.message).toContain(words);
  });

  it('recognises a context name whose "/" a client sent unencoded (client-go decodes --server paths)', () => {
    const names = new Set(['arn:aws:eks:eu-west-1:123:cluster/prod', 'a', 'x/y/z']);
    const isContext = (n: string) => names.has(n);
    expect(
      parseRawTarget('/raw/clusters/arn:aws:eks:eu-west-1:123:cluster/prod/api/v1/pods?limit=1', isContext),
    ).toEqual({
      context: 'arn:aws:eks:eu-west-1:123:cluster/prod',
      path: '/api/v1/pods',
      query: 'limit=1',
    });
    expect(parseRawTarget('/raw/clusters/x/y/z', isContext)).toMatchObject({ context: 'x/y/z', path: '' });
    // The encoded form, and a first segment that is itself a context, are taken as they are.
    expect(
      parseRawTarget('/raw/clusters/arn%3Aaws%3Aeks%3Aeu-west-1%3A123%3Acluster%2Fprod/api', isContext).context,
    ).toBe('arn:aws:eks:eu-west-1:123:cluster/prod');
    expect(parseRawTarget('/raw/clusters/a/api', isContext)).toMatchObject({ context: 'a', path: '/api' });
    // No match at all: the first segment stays the (unknown) context, for a 404 naming it.
    expect(parseRawTarget('/raw/clusters/nope/api/v1', isContext)).toMatchObject({ context: 'nope', path: '/api/v1' });
  });

  it('refuses overlong targets', () => {
    const r = rejection('/raw/clusters/c/api/v1/namespaces/' + 'a'.repeat(MAX_TARGET_LENGTH));
    expect(r).toMatchObject({ code: 400, reason: 'BadRequest' });
    expect(r.message).toContain(String(MAX_TARGET_LENGTH));
  });

  it('accepts dots inside names and a trailing slash', () => {
    expect(parseRawTarget('/raw/clusters/c/apis/networking.istio.io/v1/virtualservices.x/').path).toBe(
      '/apis/networking.istio.io/v1/virtualservices.x/',
    );
    expect(parseRawTarget('/raw/clusters/c/api/v1/namespaces/a..b').path).toBe('/api/v1/namespaces/a..b');
  });
});

describe('upstreamPath', () => {
  const t = (s: string) => parseRawTarget(s);
  it('appends path and query to the server URL, keeping its path prefix', () => {
    expect(upstreamPath(new URL('https://127.0.0.1:6443'), t('/raw/clusters/c/api/v1/pods?watch=1'))).toBe(
      '/api/v1/pods?watch=1',
    );
    expect(upstreamPath(new URL('https://rancher.example/k8s/clusters/c-1/'), t('/raw/clusters/c/version'))).toBe(
      '/k8s/clusters/c-1/version',
    );
    expect(upstreamPath(new URL('https://h'), t('/raw/clusters/c'))).toBe('/');
    expect(upstreamPath(new URL('https://h'), t('/raw/clusters/c/api?'))).toBe('/api?');
  });
});

describe('isLongRunning', () => {
  it.each([
    ['/raw/clusters/c/api/v1/pods?watch=1', true],
    ['/raw/clusters/c/api/v1/pods?resourceVersion=5&watch=true', true],
    ['/raw/clusters/c/api/v1/pods?watch=false', false],
    ['/raw/clusters/c/api/v1/pods?watch=0', false],
    ['/raw/clusters/c/api/v1/pods?xwatch=1', false],
    ['/raw/clusters/c/api/v1/namespaces/d/pods/p/log?follow=true&container=c', true],
    ['/raw/clusters/c/api/v1/namespaces/d/pods/p/log?follow=false', false],
    ['/raw/clusters/c/api/v1/watch/pods', true],
    ['/raw/clusters/c/apis/apps/v1/watch/namespaces/d/deployments', true],
    ['/raw/clusters/c/api/v1/namespaces/watch/pods', false],
  ])('%s → %s', (target, expected) => {
    expect(isLongRunning(parseRawTarget(target))).toBe(expected);
  });
});

async function collect(body: AsyncIterable<Uint8Array>, max = Infinity): Promise<string> {
  let s = '';
  let n = 0;
  const it = body[Symbol.asyncIterator]();
  while (n++ < max) {
    const step = await it.next();
    if (step.done === true) break;
    s += Buffer.from(step.value).toString();
  }
  return s;
}

async function* source(parts: string[]): AsyncIterable<Uint8Array> {
  for (const p of parts) {
    await new Promise((r) => setImmediate(r));
    yield Buffer.from(p);
  }
}

describe('ReplayableBody', () => {
  it('replays everything read, then the rest of the source', async () => {
    const body = new ReplayableBody(source(['ab', 'cd', 'ef', 'gh']));
    expect(await collect(body.stream(), 2)).toBe('abcd');
    expect(body.replayable).toBe(true);
    expect(await collect(body.replay())).toBe('abcdefgh');
    expect(body.replayable).toBe(false);
  });

  it('retires the first attempt when the replay starts, without losing a chunk read late', async () => {
    const body = new ReplayableBody(source(['1', '2', '3']));
    const first = body.stream()[Symbol.asyncIterator]();
    const late = first.next(); // in flight while the replay begins
    const replayed = collect(body.replay());
    expect(await late).toEqual({ done: false, value: Buffer.from('1') });
    expect(await first.next()).toEqual({ done: true, value: undefined });
    expect(await replayed).toBe('123');
  });

  it('is not replayable once more than the limit was read', async () => {
    const body = new ReplayableBody(source(['aaaa', 'bbbb', 'cc']), 6);
    expect(await collect(body.stream())).toBe('aaaabbbbcc');
    expect(body.replayable).toBe(false);
    expect(() => body.replay()).toThrow();
  });
});

describe('upstreamError', () => {
  const server = new URL('https://10.0.0.1:6443');
  const err = (code: string, message = 'boom') => Object.assign(new Error(message), { code });
  it.each([
    [err('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:6443'), 502, 'BadGateway', 'connection refused'],
    [err('ENOTFOUND', 'getaddrinfo ENOTFOUND api.example'), 502, 'BadGateway', 'host name not found'],
    [err('EAI_AGAIN'), 502, 'BadGateway', 'host name lookup failed'],
    [
      err('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'),
      502,
      'BadGateway',
      'TLS handshake failed',
    ],
    [err('ERR_TLS_CERT_ALTNAME_INVALID'), 502, 'BadGateway', 'TLS handshake failed'],
    [err('CERT_HAS_EXPIRED'), 502, 'BadGateway', 'TLS handshake failed'],
    [err('UND_ERR_CONNECT_TIMEOUT'), 504, 'Timeout', 'timed out connecting'],
    [err('UND_ERR_HEADERS_TIMEOUT'), 504, 'Timeout', 'timed out waiting for the response headers'],
    [err('UND_ERR_SOCKET', 'other side closed'), 502, 'BadGateway', 'connection closed by the cluster'],
    [err('UND_ERR_INVALID_ARG', 'invalid header'), 400, 'BadRequest', 'cannot be forwarded'],
    [
      Object.assign(new AggregateError([err('ECONNREFUSED', 'connect ECONNREFUSED ::1:6443')], ''), {}),
      502,
      'BadGateway',
      'connection refused',
    ],
    [new Error('something else'), 502, 'BadGateway', 'request failed'],
  ])('%s → %i %s', (cause, code, reason, words) => {
    const e = upstreamError('arn:aws:eks:x:cluster/prod', server, cause);
    expect(e).toMatchObject({ code, reason });
    expect(e.message).toContain('context "arn:aws:eks:x:cluster/prod": https://10.0.0.1:6443');
    expect(e.message).toContain(words);
  });

  it('passes a StatusError through', () => {
    const original = new StatusError('Forbidden', 'no');
    expect(upstreamError('c', server, original)).toBe(original);
  });
});
