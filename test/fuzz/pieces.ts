/** The small arbitraries requests are built from: path segments good and mangled, methods, versions, headers. */
import fc from 'fast-check';

/** What a parameter names when it is not mangled: objects the simulated demo cluster has. */
export const GOOD_PARAMS: Record<string, readonly string[]> = {
  cluster: ['sim'],
  ns: ['default', 'fuzz', 'kube-system'],
  pod: ['busybox'],
  node: ['vm-live-01'],
  resource: ['deployments', 'pods', 'daemonsets', 'statefulsets', 'replicasets', 'jobs', 'cronjobs'],
  name: ['busybox', 'web'],
  op: ['cpu', 'memory'],
  termtype: ['pod', 'container', 'cluster'],
  container: ['busybox'],
};

/** A segment broken the ways paths get broken: traversal, encoded slashes, bad escapes, bytes that are not UTF-8. */
export const mangledSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    '.',
    '..',
    '%2e%2e',
    '%2E.',
    '..%2F..',
    '%2F',
    'a%2Fb',
    '%5C',
    '\\',
    'a\\..\\b',
    '//',
    '/./',
    '%',
    '%z',
    '%zz',
    '%%41',
    '%00',
    '%0d%0aX-Injected:%201',
    '%ff%fe',
    '%c0%af',
    '%ed%a0%80',
    '%f0%28%8c%bc',
    '\u00ff\u00fe',
    '%ED%95%9C%EA%B8%80',
    '?',
    '#frag',
    ';param',
    '*',
    ':cluster',
    'a'.repeat(300),
    'x'.repeat(5000),
  ),
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.string({ unit: 'binary', maxLength: 20 }).map(encodeURIComponent),
  fc.uint8Array({ maxLength: 12 }).map((b) => [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join('')),
);

export const segmentFor = (name: string): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...(GOOD_PARAMS[name] ?? ['x'])) },
    { weight: 2, arbitrary: mangledSegment },
  );

/** What the `/raw/clusters/*` tail reaches: real API paths (reads, or writes into the fuzzer's namespace), mangled. */
export const rawTail: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'api',
    'apis',
    'version',
    'api/v1/namespaces/default/pods',
    'api/v1/namespaces/default/pods/busybox',
    'api/v1/namespaces/default/pods/busybox/log',
    'api/v1/namespaces/fuzz/configmaps',
    'api/v1/namespaces/fuzz/configmaps/fuzz-cm',
    'apis/apps/v1/namespaces/fuzz/deployments',
    'api/v1/nodes/vm-live-01/proxy/stats/summary',
    'api/v1/namespaces/default/services/web:80/proxy/',
    'openapi/v2',
    'healthz',
  ),
  fc
    .tuple(fc.constantFrom('api/v1/namespaces', 'apis/apps/v1/namespaces', 'api'), mangledSegment, mangledSegment)
    .map((parts) => parts.join('/')),
);

export const queryString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '?',
      '?labelSelector=app%3Dweb',
      '?limit=-1',
      '?limit=99999999999999999999',
      '?continue=%ff',
      '?fieldSelector=metadata.name%3D%3D%3D',
      '?namespace=fuzz',
      '?namespace=..%2F',
      '?mode=server-side',
      '?mode=bogus',
      '?dryRun=All',
      '?dryRun=yes',
      '?force=maybe',
      '?watch=1&timeoutSeconds=1',
      '?a=1&a=2&a',
      '?%zz=%',
      '?timeoutSeconds=-5',
      '?resourceVersion=abc',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map((s) => `?${s.replace(/[\s#]/g, '')}`) },
);

export const oddMethod: fc.Arbitrary<string> = fc.constantFrom(
  'get',
  'Get',
  'FOO',
  'TRACE',
  'PROPFIND',
  'PURGE',
  'LINK',
  'M-SEARCH',
  'G\tET',
  'GET\u0000',
  'BREW',
  'QUERY',
  'A'.repeat(100),
);

export const httpVersion: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: fc.constant('HTTP/1.1') },
  { weight: 1, arbitrary: fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/0.9', 'HTTP/1.1x', 'HTTP/9', 'http/1.1', '') },
);

/** Headers that should not change whether a request is served: the server must take them in its stride. */
export const noiseHeaders: fc.Arbitrary<string[]> = fc.array(
  fc.oneof(
    fc.constantFrom(
      'Accept: application/json',
      'Accept: */*;q=0.x',
      'Accept-Encoding: gzip, br, zstd',
      'User-Agent: ',
      'X-Empty:',
      'Cookie: a=b; ;;; =c',
      'Forwarded: for=1.2.3.4;proto=https',
      'X-Forwarded-For: 10.0.0.1, 10.0.0.2',
      'Impersonate-User: system:admin',
      'Range: bytes=5-1',
      'If-None-Match: *',
      'Expect: 100-continue',
      'X-Request-Id: \u00ff\u00fe',
      `X-Long: ${'v'.repeat(4000)}`,
      'Sec-Fetch-Site: same-origin',
      'Content-Encoding: gzip',
    ),
    fc
      .tuple(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/), fc.stringMatching(/^[\x20-\x7e\x80-\xff]{0,30}$/))
      .map(([name, value]) => `X-${name}: ${value}`),
  ),
  { maxLength: 4 },
);
