/**
 * KUBECONFIG lists read by kubectl and by kore-board (test/kubeconfig-vs-kubectl.test.ts). Servers refuse
 * connections (127.0.0.1:1), and plugins and files named only to be looked for do not exist. Certificates
 * and keys are real (both readers parse them) and each starts with a line of its own, so one is known by that
 * line wherever it was read from.
 *
 * A relative token file or exec command must name a missing file (and the token file come without `token`):
 * kubectl shows where it resolved such a path only in the error it gives for it.
 */
import { expect } from 'vitest';
import { b64 } from './helpers/b64';

export interface Deviation {
  at: string;
  kubectl: unknown;
  ours: unknown;
  /** Why we read it differently on purpose. */
  reason: string;
}

export interface CorpusSet {
  name: string;
  /** Written under the set's own directory; `{{dir}}` in a text stands for that directory's absolute path. */
  files: Record<string, string>;
  /** The KUBECONFIG list, relative to the set's directory; a name not in `files` is a missing file. */
  list: string[];
  /** Where our reading differs from kubectl's on purpose, in the order `differences` reports them. */
  deviations?: Deviation[];
}

export type PemKind = 'ca' | 'cert' | 'key';
export interface Pems {
  ca: string;
  cert: string;
  key: string;
}

/** A certificate or key file's text: `label` on the first line, then the test PKI's PEM of that kind. */
export const pemFile = (kind: PemKind, label: string) => `{{pem:${kind}:${label}}}`;
/** The same text base64-encoded, for a `*-data` field. */
export const pemData = (kind: PemKind, label: string) => `{{pem-data:${kind}:${label}}}`;

/** A corpus text as written: `{{dir}}` and the PEM placeholders filled in. */
export function expand(text: string, dir: string, pems: Pems): string {
  return text
    .replaceAll('{{dir}}', dir)
    .replace(/\{\{(pem|pem-data):(ca|cert|key):([^}]*)\}\}/g, (_match, form: string, kind: PemKind, label: string) => {
      const pem = `${label}\n${pems[kind]}`;
      return form === 'pem' ? pem : b64(pem);
    });
}

const SERVER = 'https://127.0.0.1:1';
const V1 = 'client.authentication.k8s.io/v1';
const V1BETA1 = 'client.authentication.k8s.io/v1beta1';

const WHOLE_LIST =
  'kubectl refuses the whole KUBECONFIG list when one value has the wrong type or one file is malformed; we fail ' +
  'only the entries (or the file) at fault, so one bad file does not take every other cluster away';

/** A context of a file we refuse whole: listed, broken, with nothing else read from the file. */
function refusedFile(context: string, kubectl: { cluster: string; user: string; server: string }, reason: string): Deviation[] {
  return [
    ...(['cluster', 'user', 'server'] as const).map((field) => ({ at: `context ${context}: ${field}`, kubectl: kubectl[field], ours: '', reason })),
    { at: `context ${context}: usable`, kubectl: true, ours: false, reason },
  ];
}

/** A kubeconfig document with a header, from its sections' YAML. */
const config = (sections: string) => `apiVersion: v1\nkind: Config\n${sections.trim()}\n`;

export const CORPUS: CorpusSet[] = [
  {
    name: 'one file',
    list: ['config'],
    files: {
      config: config(`
clusters:
- name: prod
  cluster:
    server: ${SERVER}
    certificate-authority-data: ${pemData('ca', 'CA of prod')}
users:
- name: admin
  user: {token: prod-admin-token}
contexts:
- name: prod
  context: {cluster: prod, user: admin, namespace: team-a}
current-context: prod`),
    },
  },
  {
    name: 'duplicate names across files: the first file wins per name, whole',
    list: ['a.yaml', 'b.yaml'],
    files: {
      'a.yaml': config(`
clusters:
- name: shared
  cluster: {server: "${SERVER}", tls-server-name: from-a}
users:
- name: u
  user: {token: token-from-a}
contexts:
- name: one
  context: {cluster: shared, user: u, namespace: from-a}`),
      'b.yaml': config(`
clusters:
- name: shared
  cluster: {server: "https://127.0.0.1:2", insecure-skip-tls-verify: true, proxy-url: "http://127.0.0.1:3"}
- name: only-b
  cluster: {server: "https://127.0.0.1:4", insecure-skip-tls-verify: true}
users:
- name: u
  user: {token: token-from-b, as: someone-else}
- name: v
  user: {token: token-v}
contexts:
- name: one
  context: {cluster: only-b, user: v, namespace: from-b}
- name: two
  context: {cluster: shared, user: v}
- name: three
  context: {cluster: only-b, user: u, namespace: three}
current-context: two`),
    },
  },
  {
    name: 'current-context from the first file that sets one',
    list: ['a.yaml', 'b.yaml', 'c.yaml', 'd.yaml'],
    files: {
      'a.yaml': config(`
clusters:
- {name: c, cluster: {server: "${SERVER}"}}
users:
- {name: u, user: {token: t}}
contexts:
- {name: alpha, context: {cluster: c, user: u}}
- {name: beta, context: {cluster: c, user: u}}
current-context: ""`),
      'b.yaml': config('preferences: {}'),
      'c.yaml': config('current-context: beta'),
      'd.yaml': config('current-context: alpha'),
    },
  },
  {
    name: 'relative paths resolve against the file that names them, absolute ones stay',
    list: ['kube/config', 'other/nested/config'],
    files: {
      'kube/config': config(`
clusters:
- {name: rel, cluster: {server: "${SERVER}", certificate-authority: ca.pem}}
users:
- {name: cert, user: {client-certificate: certs/client.pem, client-key: ../keys/client.key}}
contexts:
- {name: kube, context: {cluster: rel, user: cert}}`),
      'kube/ca.pem': pemFile('ca', 'CA next to kube/config'),
      'kube/certs/client.pem': pemFile('cert', 'client certificate in kube/certs'),
      'keys/client.key': pemFile('key', 'client key in keys/, above kube/'),
      'other/nested/config': config(`
clusters:
- {name: same-name, cluster: {server: "${SERVER}", certificate-authority: ca.pem}}
- {name: dotted, cluster: {server: "${SERVER}", certificate-authority: ./../shared/ca.pem}}
- {name: absolute, cluster: {server: "${SERVER}", certificate-authority: "{{dir}}/abs/ca.pem"}}
users:
- {name: abs-cert, user: {client-certificate: "{{dir}}/abs/client.pem", client-key: "{{dir}}/abs/../abs/client.key"}}
contexts:
- {name: nested, context: {cluster: same-name, user: abs-cert}}
- {name: dotted, context: {cluster: dotted, user: abs-cert}}
- {name: absolute, context: {cluster: absolute, user: abs-cert}}`),
      'other/nested/ca.pem': pemFile('ca', 'CA next to other/nested/config'),
      'other/shared/ca.pem': pemFile('ca', 'CA in other/shared'),
      'abs/ca.pem': pemFile('ca', 'CA named by an absolute path'),
      'abs/client.pem': pemFile('cert', 'client certificate named by an absolute path'),
      'abs/client.key': pemFile('key', 'client key named by an absolute path'),
    },
  },
  {
    name: 'certificates inline or in files, mixed per field',
    list: ['config'],
    files: {
      config: config(`
clusters:
- {name: data, cluster: {server: "${SERVER}", certificate-authority-data: "${pemData('ca', 'inline CA')}"}}
- {name: file, cluster: {server: "${SERVER}", certificate-authority: ca.pem}}
- {name: junk, cluster: {server: "${SERVER}", certificate-authority-data: "${b64('not a certificate')}"}}
users:
- {name: cert-data-key-file, user: {client-certificate-data: "${pemData('cert', 'inline client certificate')}", client-key: client.key}}
- {name: cert-file-key-data, user: {client-certificate: client.pem, client-key-data: "${pemData('key', 'inline client key')}"}}
- {name: cert-only, user: {client-certificate-data: "${pemData('cert', 'a certificate without its key')}"}}
- {name: key-only, user: {client-key: client.key}}
contexts:
- {name: data, context: {cluster: data, user: cert-file-key-data}}
- {name: file, context: {cluster: file, user: cert-data-key-file}}
- {name: junk-ca, context: {cluster: junk, user: cert-data-key-file}}
- {name: cert-without-key, context: {cluster: data, user: cert-only}}
- {name: key-without-cert, context: {cluster: data, user: key-only}}`),
      'ca.pem': pemFile('ca', 'CA in a file'),
      'client.pem': pemFile('cert', 'client certificate in a file'),
      'client.key': pemFile('key', 'client key in a file'),
    },
    deviations: [
      {
        at: 'context key-without-cert: usable',
        kubectl: true,
        ours: false,
        reason:
          'a client key without its certificate is half an identity: kubectl drops the key and connects anonymously ' +
          '(on a terminal, it asks for a password); we list the context as broken, saying what is missing',
      },
    ],
  },
  {
    name: 'missing files in the list are skipped',
    list: ['gone.yaml', 'a.yaml', 'gone/config', 'b.yaml'],
    files: {
      'a.yaml': config(`
clusters:
- {name: c, cluster: {server: "${SERVER}", insecure-skip-tls-verify: true}}
users:
- {name: u, user: {token: t}}
contexts:
- {name: from-a, context: {cluster: c, user: u}}`),
      'b.yaml': config(`
contexts:
- {name: from-b, context: {cluster: c, user: u, namespace: b}}
current-context: from-b`),
    },
  },
  {
    name: 'empty files: zero bytes, comments only, a bare document marker, null, {}',
    list: ['empty', 'comments', 'marker', 'null', 'braces', 'config'],
    files: {
      empty: '',
      comments: '# nothing here yet\n',
      marker: '---\n',
      null: '~\n',
      braces: '{}\n',
      config: config(`
clusters:
- {name: c, cluster: {server: "${SERVER}"}}
contexts:
- {name: anonymous, context: {cluster: c}}
current-context: anonymous`),
    },
  },
  {
    name: 'certificate files that do not exist',
    list: ['config'],
    files: {
      config: config(`
clusters:
- {name: missing-ca, cluster: {server: "${SERVER}", certificate-authority: pki/missing-ca.pem}}
- {name: ok, cluster: {server: "${SERVER}", certificate-authority-data: "${pemData('ca', 'CA beside missing files')}"}}
users:
- {name: t, user: {token: t}}
- {name: missing-cert, user: {client-certificate: "{{dir}}/gone/client.pem", client-key-data: "${pemData('key', 'key of a missing certificate')}"}}
contexts:
- {name: ca-missing, context: {cluster: missing-ca, user: t}}
- {name: cert-missing, context: {cluster: ok, user: missing-cert}}
- {name: fine, context: {cluster: ok, user: t}}`),
    },
  },
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
        kubectl: expect.stringMatching(/cannot unmarshal bool into Go struct field Context\.contexts\.context\.namespace of type string/),
        ours: { elsewhere: 'usable', quoted: 'usable', 'switched-on': 'context "switched-on" in <dir>/config is invalid: field namespace: expected string' },
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
        kubectl: expect.stringMatching(/cannot unmarshal number into Go struct field AuthInfo\.users\.user\.token of type string/),
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
- {name: key-then-merge-list, context: {cluster: key-then-merge-list, user: two}}`),
    },
  },
  {
    name: 'TLS server name, insecure, proxies',
    list: ['config'],
    files: {
      config: config(`
clusters:
- {name: named, cluster: {server: "${SERVER}", tls-server-name: api.internal, certificate-authority-data: "${pemData('ca', 'CA for a named server')}"}}
- {name: insecure, cluster: {server: "${SERVER}", insecure-skip-tls-verify: true, tls-server-name: ""}}
- {name: http-proxy, cluster: {server: "${SERVER}", proxy-url: "http://127.0.0.1:2"}}
- {name: socks, cluster: {server: "${SERVER}", proxy-url: "socks5://user:secret@127.0.0.1:2", disable-compression: true}}
- {name: bad-proxy, cluster: {server: "${SERVER}", proxy-url: "ftp://127.0.0.1:2"}}
- {name: plain-http, cluster: {server: "http://127.0.0.1:1/prefix"}}
users:
- {name: u, user: {token: t}}
contexts:
- {name: named, context: {cluster: named, user: u}}
- {name: insecure, context: {cluster: insecure, user: u}}
- {name: http-proxy, context: {cluster: http-proxy, user: u}}
- {name: socks, context: {cluster: socks, user: u}}
- {name: bad-proxy, context: {cluster: bad-proxy, user: u}}
- {name: plain-http, context: {cluster: plain-http, user: u}}`),
    },
  },
  {
    name: 'exec plugins: command, args, env, apiVersion, installHint',
    list: ['config', 'nested/config'],
    files: {
      config: config(`
clusters:
- {name: c, cluster: {server: "${SERVER}", certificate-authority-data: "${pemData('ca', 'CA for exec')}"}}
users:
- name: bare
  user:
    exec:
      command: kore-missing-plugin
      args: [get-token, --cluster, prod, "on", "0777"]
      env:
      - {name: AWS_PROFILE, value: prod}
      - {name: EMPTY}
      - {name: AWS_PROFILE, value: later-wins}
      apiVersion: ${V1BETA1}
      installHint: |
        Install kore-missing-plugin:
          brew install it
      provideClusterInfo: true
- name: absolute
  user:
    exec: {command: "{{dir}}/plugins/token-plugin", args: null, apiVersion: ${V1}, interactiveMode: Never}
contexts:
- {name: bare, context: {cluster: c, user: bare}}
- {name: absolute, context: {cluster: c, user: absolute}}
- {name: relative, context: {cluster: c, user: relative}}`),
      'nested/config': config(`
users:
- name: relative
  user:
    exec: {command: ./bin/token-plugin, args: [--verbose], apiVersion: ${V1}, interactiveMode: IfAvailable}`),
    },
  },
  {
    name: 'token files',
    list: ['config', 'sub/config'],
    files: {
      config: config(`
clusters:
- {name: c, cluster: {server: "${SERVER}", insecure-skip-tls-verify: true}}
users:
- {name: file-wins, user: {tokenFile: "{{dir}}/tokens/current", token: stale-token}}
- {name: fallback, user: {tokenFile: "{{dir}}/tokens/missing", token: fallback-token}}
contexts:
- {name: file-wins, context: {cluster: c, user: file-wins}}
- {name: fallback, context: {cluster: c, user: fallback}}
- {name: relative, context: {cluster: c, user: relative}}`),
      'tokens/current': 'token-from-the-file\n',
      'sub/config': config(`
users:
- {name: relative, user: {tokenFile: ../tokens/not-yet-written}}`),
    },
  },
  {
    name: 'impersonation',
    list: ['config'],
    files: {
      config: config(`
clusters:
- {name: c, cluster: {server: "${SERVER}", insecure-skip-tls-verify: true}}
users:
- name: full
  user:
    token: t
    as: jane@example.com
    as-uid: "1001"
    as-groups: [system:masters, "on"]
    as-user-extra:
      example.com/scopes: [read, write]
      reason: [incident 42]
      unused: []
- {name: user-only, user: {token: t, as: deployer}}
- {name: groups-without-user, user: {token: t, as-groups: [ops]}}
contexts:
- {name: full, context: {cluster: c, user: full}}
- {name: user-only, context: {cluster: c, user: user-only}}
- {name: groups-without-user, context: {cluster: c, user: groups-without-user}}`),
    },
  },
  {
    name: 'namespaces',
    list: ['config'],
    files: {
      config: config(`
clusters:
- {name: c, cluster: {server: "${SERVER}", insecure-skip-tls-verify: true}}
users:
- {name: u, user: {token: t}}
contexts:
- {name: set, context: {cluster: c, user: u, namespace: kube-system}}
- {name: absent, context: {cluster: c, user: u}}
- {name: empty, context: {cluster: c, user: u, namespace: ""}}
- {name: not-a-label, context: {cluster: c, user: u, namespace: Bad_Namespace}}`),
    },
    deviations: [
      {
        at: 'context not-a-label: usable',
        kubectl: true,
        ours: false,
        reason:
          'a namespace that is not a DNS label fails every namespaced request; the context is listed as broken with ' +
          "client-go's own validation message (kubectl applies it only in `config` commands) instead",
      },
    ],
  },
  {
    name: 'which credential is used: token over exec, client certificate over exec, basic auth, none',
    list: ['config'],
    files: {
      config: config(`
clusters:
- {name: c, cluster: {server: "${SERVER}", certificate-authority-data: "${pemData('ca', 'CA for auth precedence')}"}}
users:
- name: token-and-exec
  user: {token: wins-over-exec, exec: {command: kore-missing-plugin, apiVersion: ${V1BETA1}}}
- name: cert-and-exec
  user:
    client-certificate-data: "${pemData('cert', 'certificate beside exec')}"
    client-key-data: "${pemData('key', 'key beside exec')}"
    exec: {command: kore-missing-plugin, apiVersion: ${V1BETA1}}
- {name: basic, user: {username: admin, password: "p@ss:word"}}
- {name: nothing, user: {}}
- {name: token-and-basic, user: {token: t, username: admin, password: p}}
contexts:
- {name: token-and-exec, context: {cluster: c, user: token-and-exec}}
- {name: cert-and-exec, context: {cluster: c, user: cert-and-exec}}
- {name: basic, context: {cluster: c, user: basic}}
- {name: nothing, context: {cluster: c, user: nothing}}
- {name: no-user, context: {cluster: c}}
- {name: token-and-basic, context: {cluster: c, user: token-and-basic}}`),
    },
  },
  {
    name: 'configurations kubectl refuses to use',
    list: ['config'],
    files: {
      config: config(`
clusters:
- {name: c, cluster: {server: "${SERVER}"}}
- {name: ca-and-insecure, cluster: {server: "${SERVER}", certificate-authority-data: "${pemData('ca', 'CA and insecure')}", insecure-skip-tls-verify: true}}
- {name: ca-file-and-data, cluster: {server: "${SERVER}", certificate-authority: ca.pem, certificate-authority-data: "${pemData('ca', 'inline CA beside a file')}"}}
users:
- {name: exec-without-api-version, user: {exec: {command: kore-missing-plugin}}}
- {name: exec-alpha, user: {exec: {command: kore-missing-plugin, apiVersion: client.authentication.k8s.io/v1alpha1}}}
- {name: exec-v1-without-mode, user: {exec: {command: kore-missing-plugin, apiVersion: ${V1}}}}
- {name: exec-without-command, user: {exec: {apiVersion: ${V1BETA1}}}}
- {name: exec-env-without-name, user: {exec: {command: kore-missing-plugin, apiVersion: ${V1BETA1}, env: [{value: x}]}}}
- {name: t, user: {token: t}}
contexts:
- {name: ca-and-insecure, context: {cluster: ca-and-insecure, user: t}}
- {name: ca-file-and-data, context: {cluster: ca-file-and-data, user: t}}
- {name: exec-without-api-version, context: {cluster: c, user: exec-without-api-version}}
- {name: exec-alpha, context: {cluster: c, user: exec-alpha}}
- {name: exec-v1-without-mode, context: {cluster: c, user: exec-v1-without-mode}}
- {name: exec-without-command, context: {cluster: c, user: exec-without-command}}
- {name: exec-env-without-name, context: {cluster: c, user: exec-env-without-name}}`),
      'ca.pem': pemFile('ca', 'CA file beside inline data'),
    },
  },
  {
    name: 'references to nothing: a missing cluster, user, server or current context',
    list: ['config'],
    files: {
      config: config(`
clusters:
- {name: c, cluster: {server: "${SERVER}", insecure-skip-tls-verify: true}}
- {name: serverless, cluster: {insecure-skip-tls-verify: true}}
users:
- {name: u, user: {token: t}}
contexts:
- {name: no-such-cluster, context: {cluster: nowhere, user: u}}
- {name: no-such-user, context: {cluster: c, user: nobody}}
- {name: no-server, context: {cluster: serverless, user: u}}
current-context: no-such-context`),
    },
    deviations: [
      {
        at: 'current-context',
        kubectl: 'no-such-context',
        ours: undefined,
        reason: 'a current context that names no context is dropped (with a warning), so the UI never starts on a context that is not there',
      },
      {
        at: 'context no-server: usable',
        kubectl: true,
        ours: false,
        reason: 'kubectl silently falls back to http://localhost:8080 for a cluster without a server; we list the context as broken',
      },
      {
        at: 'context no-such-cluster: usable',
        kubectl: true,
        ours: false,
        reason: 'kubectl silently falls back to http://localhost:8080 for a missing cluster; we list the context as broken',
      },
      {
        at: 'context no-such-user: usable',
        kubectl: true,
        ours: false,
        reason: 'kubectl connects anonymously when the named user is missing; we list the context as broken, as the name is almost always a mistake',
      },
    ],
  },
  {
    name: 'the same file twice and empty entries in the list',
    list: ['a.yaml', '', 'a.yaml', 'b.yaml', 'a.yaml'],
    files: {
      'a.yaml': config(`
clusters:
- {name: c, cluster: {server: "${SERVER}", insecure-skip-tls-verify: true}}
users:
- {name: u, user: {token: t}}
contexts:
- {name: a, context: {cluster: c, user: u}}`),
      'b.yaml': config(`
contexts:
- {name: b, context: {cluster: c, user: u}}
current-context: b`),
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
        ours: { fine: 'usable', 'from-v2': '<dir>/v2.yaml: not a kubeconfig: apiVersion "v2", kind "Config" (want v1 Config)' },
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
        kubectl: expect.stringMatching(/cannot unmarshal string into Go struct field Cluster\.clusters\.cluster\.insecure-skip-tls-verify of type bool/),
        ours: { fine: 'usable', 'quoted-bool': 'cluster "quoted" in <dir>/config is invalid: field insecure-skip-tls-verify: expected boolean' },
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
    name: "numbers only Go's parser knows: 0o17, 0X1F",
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
        kubectl: expect.stringMatching(/cannot unmarshal number into Go struct field AuthInfo\.users\.user\.token of type string/),
        ours: { octal: 'usable' },
        reason:
          "go-yaml v2 hands plain scalars to Go's ParseInt, which also reads 0o17, 0X1F and 0B1 as numbers (so kubectl " +
          'refuses the file); YAML 1.1 and our reader keep them as strings. We only accept what kubectl refuses',
      },
    ],
  },
];
