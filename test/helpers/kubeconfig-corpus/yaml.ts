/**
 * How a file is read: YAML 1.1 scalars, anchors and merge keys, values of the wrong type, malformed files.
 */
import { expect } from 'vitest';
import { config, pemData, refusedFile, SERVER, V1, WHOLE_LIST, type CorpusSet } from './corpus';

export const YAML_SETS: CorpusSet[] = [
  {
    name: 'YAML 1.1 booleans',
    list: ['config'],
    files: {
      config: config(`
clusters:
- {name: yes-lower, cluster: {server: "${SERVER}", insecure-skip-tls-verify: yes}}
- {name: on-title, cluster: {server: "${SERVER}", insecure-skip-tls-verify: On}}
- {name: y-single, cluster: {server: "${SERVER}", insecure-skip-tls-verify: y, disable-compression: off}}
- {name: no-upper, cluster: {server: "${SERVER}", insecure-skip-tls-verify: NO, certificate-authority-data: "${pemData('ca', 'CA with NO')}"}}
users:
- name: plugin
  user:
    exec: {command: kore-missing-plugin, apiVersion: ${V1}, interactiveMode: Never, provideClusterInfo: on}
contexts:
- {name: yes-lower, context: {cluster: yes-lower, user: plugin}}
- {name: on-title, context: {cluster: on-title, user: plugin}}
- {name: y-single, context: {cluster: y-single, user: plugin}}
- {name: no-upper, context: {cluster: no-upper, user: plugin}}`),
    },
  },
  {
    name: 'YAML 1.1: an unquoted namespace on is a boolean',
    list: ['config', 'fine.yaml'],
    files: {
      config: config(`
clusters:
- {name: c, cluster: {server: "${SERVER}"}}
users:
- {name: u, user: {token: t}}
contexts:
- {name: switched-on, context: {cluster: c, user: u, namespace: on}}
- {name: quoted, context: {cluster: c, user: u, namespace: "on"}}`),
      'fine.yaml': config(`
contexts:
- {name: elsewhere, context: {cluster: c, user: u}}`),
    },
    deviations: [
      {
        at: 'list',
        kubectl: expect.stringMatching(
          /cannot unmarshal bool into Go struct field Context\.contexts\.context\.namespace of type string/,
        ),
        ours: {
          elsewhere: 'usable',
          quoted: 'usable',
          'switched-on': 'context "switched-on" in <dir>/config is invalid: field namespace: expected string',
        },
        reason: WHOLE_LIST,
      },
    ],
  },
  {
    name: 'YAML 1.1: an unquoted token 0777 is an octal number',
    list: ['config'],
    files: {
      config: config(`
clusters:
- {name: c, cluster: {server: "${SERVER}"}}
users:
- {name: octal, user: {token: 0777}}
- {name: quoted, user: {token: "0777"}}
contexts:
- {name: octal, context: {cluster: c, user: octal}}
- {name: quoted, context: {cluster: c, user: quoted}}`),
    },
    deviations: [
      {
        at: 'list',
        kubectl: expect.stringMatching(
          /cannot unmarshal number into Go struct field AuthInfo\.users\.user\.token of type string/,
        ),
        ours: { octal: 'user "octal" in <dir>/config is invalid: field token: expected string', quoted: 'usable' },
        reason: WHOLE_LIST,
      },
    ],
  },
  {
    name: 'YAML 1.1 scalars kubectl keeps as strings: dates, times, base 60',
    list: ['config'],
    files: {
      config: config(`
clusters:
- {name: "10:30", cluster: {server: "${SERVER}", tls-server-name: 2001-12-14t21:59:43.10-05:00}}
users:
- name: dated
  user:
    token: 12:34:56
    as: 2024-01-01
    as-groups: [1:20, 190:20:30.15, 2001-12-14]
contexts:
- {name: 2024-06-01, context: {cluster: "10:30", user: dated, namespace: 2024-01-01}}
current-context: 2024-06-01`),
    },
  },
  {
    name: 'anchors, aliases and merge keys',
    list: ['config'],
    files: {
      config: config(`
x-cluster: &base {server: "https://127.0.0.1:5", tls-server-name: base, insecure-skip-tls-verify: true}
x-proxy: &proxy {server: "https://127.0.0.1:6", proxy-url: "http://127.0.0.1:7"}
x-user: &user {token: shared-token, as: admin}
clusters:
- name: alias
  cluster: *base
- name: merge-then-override
  cluster:
    <<: *base
    server: https://127.0.0.1:8
- name: override-then-merge
  cluster:
    server: https://127.0.0.1:8
    <<: *base
- name: merge-list
  cluster:
    <<: [*proxy, *base]
- name: key-then-merge-list
  cluster:
    proxy-url: "http://127.0.0.1:9"
    <<: [*base, *proxy]
- name: two-merge-keys
  cluster:
    <<: *base
    tls-server-name: mine
    <<: *proxy
users:
- {name: one, user: *user}
- name: two
  user:
    <<: *user
    as-groups: [ops]
contexts:
- {name: alias, context: {cluster: alias, user: one}}
- {name: merge-then-override, context: {cluster: merge-then-override, user: two}}
- {name: override-then-merge, context: {cluster: override-then-merge, user: one}}
- {name: merge-list, context: {cluster: merge-list, user: one}}
- {name: key-then-merge-list, context: {cluster: key-then-merge-list, user: two}}
- {name: two-merge-keys, context: {cluster: two-merge-keys, user: one}}`),
    },
  },
  {
    name: 'a file that is not a kubeconfig v1 Config',
    list: ['v2.yaml', 'config'],
    files: {
      'v2.yaml': `apiVersion: v2\nkind: Config\ncontexts:\n- {name: from-v2, context: {cluster: c, user: u}}\n`,
      config: config(`
clusters:
- {name: c, cluster: {server: "${SERVER}", insecure-skip-tls-verify: true}}
users:
- {name: u, user: {token: t}}
contexts:
- {name: fine, context: {cluster: c, user: u}}`),
    },
    deviations: [
      {
        at: 'list',
        kubectl: expect.stringMatching(/no kind "Config" is registered for version "v2"/),
        ours: {
          fine: 'usable',
          'from-v2': '<dir>/v2.yaml: not a kubeconfig: apiVersion "v2", kind "Config" (want v1 Config)',
        },
        reason: WHOLE_LIST,
      },
    ],
  },
  {
    name: 'a key set twice in one map',
    list: ['config'],
    files: {
      config: config(`
clusters:
- name: c
  cluster:
    server: https://127.0.0.1:2
    server: ${SERVER}
users:
- {name: u, user: {token: t}}
contexts:
- {name: twice, context: {cluster: c, user: u}}`),
    },
    deviations: refusedFile(
      'twice',
      { cluster: 'c', user: 'u', server: SERVER },
      'kubectl (go-yaml v2) silently takes the last value; we refuse the file, naming the line, as either value may be the one meant',
    ),
  },
  {
    name: 'several YAML documents in one file',
    list: ['config'],
    files: {
      config: `${config(`
clusters:
- {name: c, cluster: {server: "${SERVER}", insecure-skip-tls-verify: true}}
users:
- {name: u, user: {token: t}}
contexts:
- {name: first-document, context: {cluster: c, user: u}}`)}---\n${config(`
contexts:
- {name: second-document, context: {cluster: c, user: u}}`)}`,
    },
    deviations: refusedFile(
      'first-document',
      { cluster: 'c', user: 'u', server: SERVER },
      'kubectl reads the first document and silently ignores the rest; we refuse the file rather than drop contexts unseen',
    ),
  },
  {
    name: 'a name defined twice in one file',
    list: ['config', 'fine.yaml'],
    files: {
      config: config(`
clusters:
- {name: c, cluster: {server: "${SERVER}", insecure-skip-tls-verify: true}}
- {name: c, cluster: {server: "https://127.0.0.1:2"}}
users:
- {name: u, user: {token: t}}
contexts:
- {name: uses-twice, context: {cluster: c, user: u}}`),
      'fine.yaml': config(`
clusters:
- {name: d, cluster: {server: "${SERVER}", insecure-skip-tls-verify: true}}
contexts:
- {name: fine, context: {cluster: d, user: u}}`),
    },
    deviations: [
      {
        at: 'list',
        kubectl: expect.stringMatching(/duplicate name "c" in list/),
        ours: { fine: 'usable', 'uses-twice': 'cluster "c" is defined more than once in <dir>/config' },
        reason: `${WHOLE_LIST}; kubectl's message also prints the entries, credentials included`,
      },
    ],
  },
  {
    name: 'a boolean given as a string',
    list: ['config'],
    files: {
      config: config(`
clusters:
- {name: quoted, cluster: {server: "${SERVER}", insecure-skip-tls-verify: "true"}}
- {name: c, cluster: {server: "${SERVER}", insecure-skip-tls-verify: true}}
users:
- {name: u, user: {token: t}}
contexts:
- {name: quoted-bool, context: {cluster: quoted, user: u}}
- {name: fine, context: {cluster: c, user: u}}`),
    },
    deviations: [
      {
        at: 'list',
        kubectl: expect.stringMatching(
          /cannot unmarshal string into Go struct field Cluster\.clusters\.cluster\.insecure-skip-tls-verify of type bool/,
        ),
        ours: {
          fine: 'usable',
          'quoted-bool':
            'cluster "quoted" in <dir>/config is invalid: field insecure-skip-tls-verify: expected boolean',
        },
        reason: WHOLE_LIST,
      },
    ],
  },
  {
    name: 'base64 that is not',
    list: ['config'],
    files: {
      config: config(`
clusters:
- {name: bad, cluster: {server: "${SERVER}", certificate-authority-data: "not base64!"}}
- {name: c, cluster: {server: "${SERVER}", insecure-skip-tls-verify: true}}
users:
- {name: u, user: {token: t}}
contexts:
- {name: bad-ca, context: {cluster: bad, user: u}}
- {name: fine, context: {cluster: c, user: u}}`),
    },
    deviations: [
      {
        at: 'list',
        kubectl: expect.stringMatching(/illegal base64 data/),
        ours: { 'bad-ca': 'certificate-authority-data of cluster "bad" is not valid base64', fine: 'usable' },
        reason: WHOLE_LIST,
      },
    ],
  },
  {
    name: 'unknown fields and fields spelled in another case are ignored',
    list: ['config'],
    files: {
      config: config(`
preferences: {colors: true}
extensions: [{name: x, extension: {anything: 1}}]
clusters:
- name: c
  cluster: {server: "${SERVER}", Server: "https://127.0.0.1:2", insecure-skip-tls-verify: true, future-field: [1, 2]}
users:
- {name: u, user: {token: lower-case-token, Token: upper-case-token, extensions: [{name: e, extension: null}]}}
contexts:
- {name: c, context: {cluster: c, user: u, Namespace: ignored, color: blue}}`),
    },
  },
  {
    name: 'JSON, and a byte order mark',
    list: ['config.json', 'bom.yaml'],
    files: {
      'config.json': JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: SERVER, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'u', user: { token: 'json-token', 'as-groups': ['on', 'yes'] } }],
        contexts: [{ name: 'json', context: { cluster: 'c', user: 'u', namespace: 'json-ns' } }],
        'current-context': 'json',
      }),
      'bom.yaml': `\ufeff${config(`
contexts:
- {name: after-a-bom, context: {cluster: c, user: u}}`)}`,
    },
  },
  {
    name: "a number only Go's parser knows: 0o17",
    list: ['config'],
    files: {
      config: config(`
clusters:
- {name: c, cluster: {server: "${SERVER}", insecure-skip-tls-verify: true}}
users:
- {name: octal, user: {token: 0o17}}
contexts:
- {name: octal, context: {cluster: c, user: octal}}`),
    },
    deviations: [
      {
        at: 'list',
        kubectl: expect.stringMatching(
          /cannot unmarshal number into Go struct field AuthInfo\.users\.user\.token of type string/,
        ),
        ours: { octal: 'usable' },
        reason:
          "go-yaml v2 hands plain scalars to Go's ParseInt, which also reads 0o17, 0X1F and 0B1 as numbers (so kubectl " +
          'refuses the file); YAML 1.1 and our reader keep them as strings. We only accept what kubectl refuses',
      },
    ],
  },
];
