/**
 * Bodies for the routes that read one: manifests for apply (JSON and YAML broken in many ways, and some whole ones,
 * all aimed at the fuzzer's own namespace), kubeconfigs for `POST /api/contexts`, sign-in bodies, and media types.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';

export const FUZZ_NAMESPACE = 'fuzz';

const name = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^fuzz-[a-z0-9]{1,8}$/) },
  { weight: 1, arbitrary: fc.constantFrom('', '.', '..', 'a/b', '%2e', 'UPPER', 'x'.repeat(300), 'ok\u0000', '-') },
);

const kindPair = fc.constantFrom<[string, string]>(
  ['v1', 'ConfigMap'],
  ['v1', 'Secret'],
  ['apps/v1', 'Deployment'],
  ['v1', 'Service'],
  ['v1', 'Pod'],
  ['v9', 'ConfigMap'],
  ['v1', 'Nonsense'],
  ['', ''],
  ['stable.example.com/v1', 'CronTab'],
  ['apiextensions.k8s.io/v1', 'CustomResourceDefinition'],
);

/** An object that may or may not be valid, in the fuzzer's namespace or naming another (which must then fail). */
const manifestObject: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    kind: kindPair,
    name,
    namespace: fc.constantFrom(FUZZ_NAMESPACE, FUZZ_NAMESPACE, undefined, '../default', 'Not_A_Label', ''),
    data: fc.dictionary(
      fc.string({ maxLength: 8 }),
      fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean()),
    ),
    extra: fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }),
  })
  .map(({ kind: [apiVersion, kind], name, namespace, data, extra }) => ({
    apiVersion,
    kind,
    metadata: { name, ...(namespace === undefined ? {} : { namespace }) },
    data,
    ...(extra === undefined ? {} : { spec: extra }),
  }));

const nested = (depth: number, open: string, close: string) => open.repeat(depth) + close.repeat(depth);

/** JSON bodies: whole, truncated, deep, huge numbers, duplicate keys, bad bytes. */
export const jsonBody: fc.Arbitrary<Buffer> = fc.oneof(
  manifestObject.map((o) => Buffer.from(JSON.stringify(o))),
  fc
    .array(manifestObject, { minLength: 1, maxLength: 4 })
    .map((items) => Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'List', items }))),
  fc.tuple(manifestObject, fc.nat()).map(([o, cut]) => {
    const text = JSON.stringify(o);
    return Buffer.from(text.slice(0, cut % Math.max(1, text.length)));
  }),
  fc.integer({ min: 1, max: 100_000 }).map((d) => Buffer.from(nested(d, '[', ']'))),
  fc.integer({ min: 1, max: 20_000 }).map((d) => Buffer.from(`${'{"a":'.repeat(d)}1${'}'.repeat(d)}`)),
  fc
    .constantFrom(
      '{"apiVersion":"v1","kind":"ConfigMap","kind":"Secret","metadata":{"name":"fuzz-dup","namespace":"fuzz"}}',
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fuzz-n","namespace":"fuzz"},"data":{"a":1e999999}}',
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fuzz-n","namespace":"fuzz","generation":123456789012345678901234567890}}',
      '{"apiVersion":5,"kind":["ConfigMap"],"metadata":"no"}',
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fuzz-a","namespace":"fuzz"},}',
      '{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fuzz-l1","namespace":"fuzz"}},7,null,"x"]}',
      '{"apiVersion":"v1","kind":"List","items":"nope"}',
      '\ufeff{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fuzz-bom","namespace":"fuzz"}}',
      'null',
      '[]',
      '""',
      '-0',
      'NaN',
      '{}',
      '',
      '{"__proto__":{"polluted":true},"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fuzz-p","namespace":"fuzz"}}',
      '{"constructor":{"prototype":{"x":1}}}',
      '// comment\n{}',
    )
    .map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  manifestObject.map((o) =>
    Buffer.concat([Buffer.from(JSON.stringify(o).slice(0, -1)), Buffer.from([0xff, 0xfe, 0x7d])]),
  ),
);

const yamlDoc = manifestObject.map((o) => stringify(o));

const brokenYamlDoc = fc.constantFrom(
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: tabbed\n',
  'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fuzz-x, namespace: fuzz\n',
  'apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata: {name: fuzz-dup, namespace: fuzz}\n',
  'a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d]\n',
  'x: *undefined_alias\n',
  '!!python/object:os.system\nargs: [ls]\n',
  'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fuzz-bin, namespace: fuzz}\nbinaryData: {a: !!binary "%%%"}\n',
  'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fuzz-big, namespace: fuzz}\ndata: {a: 1e99999999}\n',
  '? [complex, key]\n: value\n',
  '<<: {merge: bomb}\n<<: {again: 1}\n',
  '%YAML 9.9\n---\nx: 1\n',
  '%TAG ! tag:evil,2000:\n---\n!x {}\n',
  '- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -\n',
  'key: "unterminated\n',
  "'\n",
  '---\n---\n---\n',
  '...\n',
  '- 1\nkey: mixed\n',
);

/** YAML streams: whole documents, one broken among good ones, bombs, deep flows, tags. */
export const yamlBody: fc.Arbitrary<Buffer> = fc.oneof(
  fc
    .array(fc.oneof({ weight: 3, arbitrary: yamlDoc }, { weight: 1, arbitrary: brokenYamlDoc }), {
      minLength: 1,
      maxLength: 5,
    })
    .map((docs) => Buffer.from(docs.join('---\n'))),
  fc.integer({ min: 1, max: 50_000 }).map((d) => Buffer.from(nested(d, '[', ']'))),
  fc.integer({ min: 1, max: 5_000 }).map((d) => Buffer.from(nested(d, '{a: ', '}'))),
  fc
    .integer({ min: 1, max: 3_000 })
    .map((d) => Buffer.from(Array.from({ length: d }, (_, i) => `${' '.repeat(i)}k:`).join('\n'))),
  fc.integer({ min: 1, max: 20_000 }).map((n) => Buffer.from('---\n'.repeat(n))),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
);

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Kubeconfigs as `POST /api/contexts` receives them: none whole enough to reach a cluster. */
export const kubeconfigBody: fc.Arbitrary<Buffer> = fc.oneof(
  fc
    .record({
      server: fc.constantFrom('https://127.0.0.1:1', 'ftp://x', '', 'not a url', 'https://[::1', 'http://127.0.0.1:1'),
      ca: fc.constantFrom(
        b64('not a pem'),
        '!!!',
        '',
        b64('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'),
      ),
      user: fc.constantFrom<Record<string, unknown>>(
        { token: 'x' },
        { tokenFile: '/etc/passwd' },
        { 'client-certificate': '/etc/ssl/private/key.pem' },
        { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'sh', args: ['-c', 'touch /tmp/pwned'] } },
        { 'auth-provider': { name: 'gcp' } },
        { username: 'a', password: 'b' },
        {},
      ),
      contextName: fc.constantFrom('fuzz-ctx', '', 'sim', '../x', 'a'.repeat(300), 'ctx with space', 'ctx/slash'),
      clusterRef: fc.constantFrom('c', 'missing'),
    })
    .map(({ server, ca, user, contextName, clusterRef }) =>
      Buffer.from(
        stringify({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [{ name: 'c', cluster: { server, 'certificate-authority-data': ca } }],
          users: [{ name: 'u', user }],
          contexts: [{ name: contextName, context: { cluster: clusterRef, user: 'u' } }],
          'current-context': contextName,
        }),
      ),
    ),
  fc
    .constantFrom(
      'apiVersion: v1\nkind: Config\n',
      'clusters: 5\n',
      'clusters: [{name: a}]\ncontexts: [{name: a, context: {cluster: a, user: nobody}}]\n',
      'contexts: [{name: a}, {name: a}]\n',
      'kind: Pod\n',
      'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: yes, certificate-authority: /etc/hosts}\n',
    )
    .map((s) => Buffer.from(s)),
  yamlBody,
  jsonBody,
);

/** The sign-in body: `{ token }` and what else a browser or an attacker might post. */
export const loginBody: fc.Arbitrary<Buffer> = fc.oneof(
  fc
    .constantFrom(
      '{"token":""}',
      '{"token":null}',
      '{"token":["a"]}',
      '{"token":"x"}',
      '{}',
      '{"token":"' + 'a'.repeat(5000) + '"}',
    )
    .map((s) => Buffer.from(s)),
  jsonBody,
);

export const mediaType: fc.Arbitrary<string | undefined> = fc.constantFrom(
  'application/json',
  'application/json',
  'application/yaml',
  'application/x-yaml',
  'application/yaml; charset=utf-16',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/apply-patch+yaml',
  'application/merge-patch+json',
  '*/*',
  ';;;',
  undefined,
);
