/**
 * The fuzzer's requests: each family a fast-check arbitrary of whole byte sequences as they go on the socket, from
 * one seed. A case says how many answers a correct server owes it, so the sender knows when it is done and the
 * oracle knows what is missing.
 */
import fc from 'fast-check';
import { FUZZ_NAMESPACE, jsonBody, kubeconfigBody, loginBody, mediaType, yamlBody } from './bodies';
import { httpVersion, mangledSegment, noiseHeaders, oddMethod, queryString, rawTail, segmentFor } from './pieces';
import { fillRoute, paramsOf, type RouteTemplate } from './routes';
import { websocketCase } from './websocket-cases';

export interface FuzzCase {
  family: string;
  /** What is written, all at once. */
  bytes: Buffer;
  /** Answers a correct server gives: 0 when the HTTP layer may close without one (say why in `silentBecause`). */
  answers: number;
  silentBecause?: string;
  /** HEAD requests: answers without bodies. */
  headOnly: boolean;
  /** The client half-closes after writing: the request can never end otherwise. */
  endWrite: boolean;
  /** A websocket upgrade whose frames follow in `bytes`: which server end speaks it. */
  websocket?: 'terminal' | 'exec';
  /**
   * Sent with a wrong or no access token where the server wants one: such cases connect from another loopback
   * address, since failed sign-ins lock their address out (429) and the rest of the run would reach no route.
   */
  stranger?: boolean;
  /**
   * A terminal upgrade that signs in: the sender mints a token from the token route and puts the first frame
   * (`{"Arguments", "AuthToken"}`) at this offset of `bytes`, so the frames after it reach a running session.
   */
  terminalSignInAt?: number;
}

export interface Target {
  /** The Host header's value, e.g. `127.0.0.1:3001` (anything else is refused before the route). */
  host: string;
  /** The access token when the server wants one: most cases send it, some a wrong one or none. */
  token: string | undefined;
}

interface RequestParts {
  method: string;
  target: string;
  version: string;
  headers: string[];
  body?: Buffer;
}

const CRLF = '\r\n';

export function requestBytes({ method, target, version, headers, body }: RequestParts): Buffer {
  const line = version === '' ? `${method} ${target}` : `${method} ${target} ${version}`;
  const head = Buffer.from([line, ...headers].join(CRLF) + CRLF + CRLF, 'latin1');
  return body === undefined ? head : Buffer.concat([head, body]);
}

/** Host, the token, `Connection: close` (the server then closes after answering), and the body's framing. */
function standardHeaders(t: Target, body: Buffer | undefined, contentType: string | undefined, auth: string): string[] {
  const headers = [`Host: ${t.host}`, 'Connection: close'];
  if (auth !== '') headers.push(auth);
  if (contentType !== undefined) headers.push(`Content-Type: ${contentType}`);
  if (body !== undefined) headers.push(`Content-Length: ${body.length}`);
  return headers;
}

/** The credential line: the right token mostly, else a wrong one, another scheme, or none (`stranger`). */
const authHeader = (t: Target): fc.Arbitrary<{ auth: string; stranger: boolean }> =>
  t.token === undefined
    ? fc.constant({ auth: '', stranger: false })
    : fc.oneof(
        { weight: 8, arbitrary: fc.constant({ auth: `Authorization: Bearer ${t.token}`, stranger: false }) },
        {
          weight: 1,
          arbitrary: fc
            .constantFrom(
              '',
              'Authorization: Bearer wrong',
              'Authorization: Basic Zm9vOmJhcg==',
              `Authorization: bearer  ${t.token}x`,
              'Authorization: Bearer',
              `Cookie: kore-board-token-1=${t.token}`,
            )
            .map((auth) => ({ auth, stranger: true })),
        },
      );

/** The body a route reads, if it reads one. */
function bodyFor(method: string, path: string): fc.Arbitrary<Buffer | undefined> {
  if (method === 'POST' && path === '/api/contexts') return kubeconfigBody;
  if (method === 'POST' && path.startsWith('/api/contexts/')) return kubeconfigBody;
  if (method === 'POST' && path === '/api/auth/login') return loginBody;
  if ((method === 'POST' || method === 'PUT') && (path === '/raw' || path === '/raw/clusters/:cluster'))
    return fc.oneof(jsonBody, yamlBody);
  if (method === 'PATCH' && path.startsWith('/raw/')) return jsonBody;
  if (method === 'PATCH' && path === '/api/v1/config') return fc.option(jsonBody, { nil: undefined });
  return fc.option(fc.uint8Array({ maxLength: 64 }).map(Buffer.from), { nil: undefined, freq: 4 });
}

/** A plain method for a table row: its own, else (ALL, the fast path) a read or a patch into the fuzz namespace. */
const methodFor = (row: RouteTemplate): fc.Arbitrary<string> =>
  /^[A-Z]+$/.test(row.method) && row.method !== 'ALL'
    ? fc.oneof(
        { weight: 6, arbitrary: fc.constant(row.method) },
        { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'DELETE', 'HEAD', 'OPTIONS') },
        { weight: 1, arbitrary: oddMethod },
      )
    : fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom('GET', 'HEAD', 'OPTIONS', 'PATCH') },
        { weight: 1, arbitrary: oddMethod },
      );

function fill(row: RouteTemplate, method: string): fc.Arbitrary<string> {
  const params = paramsOf(row.path);
  // Writes through the proxy stay in the fuzzer's namespace: only apply's answers say what changed.
  const tail =
    method === 'PATCH'
      ? fc.constantFrom('api/v1/namespaces/fuzz/configmaps/fuzz-cm', 'apis/apps/v1/namespaces/fuzz/deployments/x')
      : rawTail;
  return fc.tuple(...params.map((p) => (p === '*' ? tail : segmentFor(p)))).map((values) => {
    let i = 0;
    return fillRoute(row.path, () => values[i++] ?? '');
  });
}

/** A row of the Routes table, its parameters good or mangled, with a body the route reads (mostly broken). */
function routeCase(t: Target, rows: readonly RouteTemplate[]): fc.Arbitrary<FuzzCase> {
  const plain = rows.filter((r) => r.method !== 'upgrade' && !r.method.startsWith('UI'));
  return fc
    .constantFrom(...plain)
    .chain((row) =>
      methodFor(row).chain((method) =>
        fc.record({
          row: fc.constant(row),
          method: fc.constant(method),
          path: fill(row, method),
          query: queryString,
          body: bodyFor(method, row.path),
          contentType: mediaType,
          auth: authHeader(t),
          noise: noiseHeaders,
        }),
      ),
    )
    .map(({ row, method, path, query, body, contentType, auth: { auth, stranger }, noise }) => {
      const isApply = path === '/raw' || /^\/raw\/clusters\/[^/]*$/.test(path);
      // Objects that name no namespace go to the fuzzer's own, not the context's `default`.
      const q = isApply ? `${query === '' ? '?' : `${query}&`}namespace=${FUZZ_NAMESPACE}` : query;
      const headers = [...standardHeaders(t, body, body === undefined ? undefined : contentType, auth), ...noise];
      return {
        family: `route ${row.method} ${row.path}`,
        bytes: requestBytes({ method, target: path + q, version: 'HTTP/1.1', headers, body }),
        answers: 1,
        headOnly: method === 'HEAD',
        endWrite: false,
        stranger,
      };
    });
}

/** Request lines Node's parser or our router must refuse: odd methods, targets and versions, control bytes. */
function requestLineCase(t: Target): fc.Arbitrary<FuzzCase> {
  const target = fc.oneof(
    fc.constantFrom(
      '*',
      'http://evil.example/healthz',
      'https://127.0.0.1/api/clusters',
      '127.0.0.1:80',
      '//healthz',
      '/\\healthz',
      '/api/../raw/clusters/sim/api',
      '/api/clusters/sim/../../../etc/passwd',
      '/raw/clusters/sim/%2e%2e/%2e%2e/api',
      '/raw/clusters/sim/api/v1/namespaces/%2F..%2F/pods',
      '/raw/clusters/sim//api//v1',
      '/raw/clusters/sim\\api\\v1',
      '/%',
      '/%zz',
      '/healthz?%',
      '/api/clusters/%ff%fe/dashboard',
      '/api/clusters/\u00ff/dashboard',
      '/api/clusters/sim/dashboard#x',
      '',
      ' ',
      '/a b',
      '/\u0000',
      '/\u007f',
      `/${'a'.repeat(20_000)}`,
    ),
    fc
      .tuple(
        fc.constantFrom('/api', '/raw', '/api/clusters', '/raw/clusters', '/api/contexts', '/token'),
        fc.array(mangledSegment, { maxLength: 4 }),
      )
      .map(([p, segs]) => [p, ...segs].join('/')),
  );
  return fc
    .record({
      method: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom('GET', 'POST', 'HEAD', 'DELETE', 'OPTIONS', 'CONNECT') },
        { weight: 1, arbitrary: oddMethod },
      ),
      target,
      version: httpVersion,
      auth: authHeader(t),
    })
    .map(({ method, target, version, auth: { auth, stranger } }) => ({
      family: 'request line',
      bytes: requestBytes({ method, target, version, headers: standardHeaders(t, undefined, undefined, auth) }),
      answers: 1,
      headOnly: method === 'HEAD',
      endWrite: false,
      stranger,
    }));
}

const CM = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fuzz-h"}}`;
const JSON_TYPE = 'Content-Type: application/json';

/** Apply requests (a JSON body) with one framing or header broken: [family, headers after the media type, body]. */
const BROKEN_APPLIES: ReadonlyArray<readonly [string, readonly string[], string]> = [
  ['two Content-Lengths', ['Content-Length: 5', 'Content-Length: 6'], '{}{}{}'],
  ['negative Content-Length', ['Content-Length: -1'], '{}'],
  ['Content-Length not a number', ['Content-Length: 1e3'], '{}'],
  ['Content-Length overflow', ['Content-Length: 99999999999999999999'], '{}'],
  ['Content-Length with chunked', ['Content-Length: 2', 'Transfer-Encoding: chunked'], '2\r\n{}\r\n0\r\n\r\n'],
  ['gzip, chunked', ['Transfer-Encoding: gzip, chunked'], '2\r\n{}\r\n0\r\n\r\n'],
  ['chunked not last', ['Transfer-Encoding: chunked, identity'], '{}'],
  ['bad chunk size', ['Transfer-Encoding: chunked'], 'zz\r\n{}\r\n0\r\n\r\n'],
  ['chunk size overflow', ['Transfer-Encoding: chunked'], 'ffffffffffffffffff\r\n{}\r\n0\r\n\r\n'],
  ['broken chunk extension', ['Transfer-Encoding: chunked'], '2;ext="\r\n{}\r\n0\r\n\r\n'],
  ['tab before chunked', ['Transfer-Encoding:\tchunked'], `${CM.length.toString(16)}\r\n${CM}\r\n0\r\n\r\n`],
  ['space before colon', ['Transfer-Encoding : chunked'], '0\r\n\r\n'],
  ['obs-fold', [' folded: value', 'Content-Length: 2'], '{}'],
  ['foreign Origin on a write', ['Origin: https://evil.example', `Content-Length: ${CM.length}`], CM],
  ['cross-site fetch', ['Sec-Fetch-Site: cross-site', `Content-Length: ${CM.length}`], CM],
  ['Expect 100-continue', ['Expect: 100-continue', `Content-Length: ${CM.length}`], CM],
  ['unknown Expect', ['Expect: teapot', 'Content-Length: 2'], '{}'],
  ['gzip body that is not', ['Content-Encoding: gzip', 'Content-Length: 4'], 'abcd'],
  ['declared body over the limit', [`Content-Length: ${11 * 1024 * 1024}`], ''],
  ['line without colon', ['No colon here'], ''],
  ['NUL in a value', ['X-Nul: a\u0000b'], ''],
  ['control byte in a name', ['X-Bad\u0001Name: 1'], ''],
  ['one header over the limit', [`X-Huge: ${'h'.repeat(20_000)}`], ''],
  ['thousands of headers', Array.from({ length: 3000 }, (_, i) => `X-${i}: y`), ''],
];

/** Requests without a body whose head is wrong: [family, request line and headers (`HOST` is the server's)]. */
const BROKEN_HEADS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['no Host', ['GET /healthz HTTP/1.1']],
  ['two Hosts', ['GET /healthz HTTP/1.1', 'Host: HOST', 'Host: HOST']],
  ['foreign Host', ['GET /healthz HTTP/1.1', 'Host: evil.example']],
  ['Host port out of range', ['GET /healthz HTTP/1.1', 'Host: 127.0.0.1:99999']],
  ['foreign Origin on a read', ['GET /api/clusters HTTP/1.1', 'Host: HOST', 'Origin: https://evil.example']],
  ['contradictory Connection', ['GET /healthz HTTP/1.0', 'Host: HOST', 'Connection: keep-alive, Upgrade, close']],
  [
    'h2c upgrade',
    [
      'GET /api/clusters HTTP/1.1',
      'Host: HOST',
      'Upgrade: h2c',
      'HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA',
      'Connection: Upgrade, HTTP2-Settings',
    ],
  ],
];

/**
 * Requests the client stops sending midway, then half-closes: [family, what follows the apply's head]. Node's
 * parser then fails on the end of input, and that refusal must be a Status too.
 */
const CUT_SHORT: ReadonlyArray<readonly [string, string]> = [
  ['truncated body', `${JSON_TYPE}\r\nContent-Length: 100\r\n\r\n{"apiVersion":`],
  ['truncated chunk', `${JSON_TYPE}\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{"apiVersion"`],
];

/** Header blocks the HTTP layer must refuse or survive: duplicates, oversize, bad framing, truncated bodies. */
function headerCase(t: Target): fc.Arbitrary<FuzzCase> {
  const auth = t.token === undefined ? [] : [`Authorization: Bearer ${t.token}`];
  const applyHead = [
    `POST /raw/clusters/sim?namespace=${FUZZ_NAMESPACE} HTTP/1.1`,
    `Host: ${t.host}`,
    ...auth,
    'Connection: close',
  ];
  const bytes = (lines: readonly string[], body = '') => Buffer.from(lines.join(CRLF) + CRLF + CRLF + body, 'latin1');
  const whole = (family: string, b: Buffer): FuzzCase => ({
    family: `headers: ${family}`,
    bytes: b,
    answers: 1,
    headOnly: false,
    endWrite: false,
  });
  const cut = (family: string, b: Buffer): FuzzCase => ({
    family,
    bytes: b,
    answers: 1,
    headOnly: false,
    endWrite: true,
  });
  return fc.oneof(
    fc.constantFrom(
      ...BROKEN_APPLIES.map(([family, headers, body]) =>
        whole(family, bytes([...applyHead, JSON_TYPE, ...headers], body)),
      ),
      ...BROKEN_HEADS.map(([family, lines]) =>
        whole(family, bytes([...lines.map((l) => l.replaceAll('HOST', t.host)), ...auth, 'Connection: close'])),
      ),
      ...CUT_SHORT.map(([family, rest]) =>
        cut(`headers: ${family}`, Buffer.from(applyHead.join(CRLF) + CRLF + rest, 'latin1')),
      ),
      cut('headers: head never ends', Buffer.from(`GET /healthz HTTP/1.1${CRLF}Host: ${t.host}${CRLF}X-Never: ends`)),
      cut('request line never ends', Buffer.from('GET /healthz', 'latin1')),
    ),
    fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => ({
      family: 'bytes: random',
      bytes: Buffer.from(b),
      answers: 0,
      silentBecause: 'bytes that are only blank lines, or nothing Node reads as the start of a request, need no answer',
      headOnly: false,
      endWrite: true,
    })),
  );
}

/** Several requests in one write; one of them may be malformed, after which the server may stop answering. */
function pipelineCase(t: Target): fc.Arbitrary<FuzzCase> {
  const one = (path: string, close: boolean) =>
    `GET ${path} HTTP/1.1${CRLF}Host: ${t.host}${CRLF}${t.token ? `Authorization: Bearer ${t.token}${CRLF}` : ''}${close ? `Connection: close${CRLF}` : ''}${CRLF}`;
  const paths = fc.constantFrom(
    '/healthz',
    '/api/clusters',
    '/api/contexts',
    '/raw/clusters/sim/version',
    '/api/clusters/sim/dashboard',
    '/nowhere',
    '/raw/clusters/nope/api',
  );
  return fc
    .record({ paths: fc.array(paths, { minLength: 2, maxLength: 6 }), bad: fc.option(fc.nat(), { nil: undefined }) })
    .map(({ paths, bad }) => {
      const requests = paths.map((p, i) => one(p, i === paths.length - 1));
      const badAt = bad === undefined ? undefined : bad % requests.length;
      if (badAt !== undefined)
        requests[badAt] = `GET /healthz HTTP/1.1${CRLF}Host: ${t.host}${CRLF}Content-Length: x${CRLF}${CRLF}`;
      return {
        family: badAt === undefined ? 'pipelining' : 'pipelining with a malformed request',
        bytes: Buffer.from(requests.join(''), 'latin1'),
        // After a request Node's parser refuses, the connection ends with the refusal.
        answers: badAt === undefined ? requests.length : badAt + 1,
        headOnly: false,
        endWrite: false,
      };
    });
}

/** All families, weighted towards the routes, whose handlers hold most of the code. */
export function fuzzCase(t: Target, rows: readonly RouteTemplate[]): fc.Arbitrary<FuzzCase> {
  return fc.oneof(
    { weight: 10, arbitrary: routeCase(t, rows) },
    { weight: 2, arbitrary: requestLineCase(t) },
    { weight: 2, arbitrary: headerCase(t) },
    { weight: 1, arbitrary: pipelineCase(t) },
    { weight: 1, arbitrary: websocketCase(t) },
  );
}

/** `count` cases from `seed`: the same seed gives the same bytes (the host and token being the same). */
export function sampleCases(seed: number, count: number, t: Target, rows: readonly RouteTemplate[]): FuzzCase[] {
  return fc.sample(fuzzCase(t, rows), { seed, numRuns: count });
}
