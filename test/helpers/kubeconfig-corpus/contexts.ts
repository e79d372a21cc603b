/**
 * What a context connects with: TLS options, proxies, credentials and which one wins, impersonation,
 * namespaces, references to nothing.
 */
import { config, pemData, pemFile, SERVER, V1, V1BETA1, type CorpusSet } from './corpus';

export const CONTEXT_SETS: CorpusSet[] = [
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
- {name: schemeless-proxy, cluster: {server: "${SERVER}", proxy-url: "127.0.0.1:2"}}
users:
- {name: u, user: {token: t}}
contexts:
- {name: named, context: {cluster: named, user: u}}
- {name: insecure, context: {cluster: insecure, user: u}}
- {name: http-proxy, context: {cluster: http-proxy, user: u}}
- {name: socks, context: {cluster: socks, user: u}}
- {name: bad-proxy, context: {cluster: bad-proxy, user: u}}
- {name: schemeless-proxy, context: {cluster: schemeless-proxy, user: u}}`),
    },
  },
  {
    name: 'server URLs: host:port alone, a path, credentials; nothing secret over http',
    list: ['config'],
    files: {
      config: config(`
clusters:
- {name: host-port, cluster: {server: "127.0.0.1:1"}}
- {name: host-port-tls, cluster: {server: "127.0.0.1:1", certificate-authority-data: "${pemData('ca', 'CA for a host:port server')}"}}
- {name: host-port-path, cluster: {server: "127.0.0.1:1/prefix", insecure-skip-tls-verify: true}}
- {name: path, cluster: {server: "http://127.0.0.1:1/rancher/k8s/clusters/c-1?ignored=1#too"}}
- {name: userinfo, cluster: {server: "https://admin:secret@127.0.0.1:1", insecure-skip-tls-verify: true}}
users:
- {name: token, user: {token: never-sent-in-the-clear, as: someone}}
- {name: plugin, user: {exec: {command: kore-missing-plugin, apiVersion: ${V1BETA1}}}}
contexts:
- {name: host-port, context: {cluster: host-port, user: token}}
- {name: host-port-tls, context: {cluster: host-port-tls, user: token}}
- {name: host-port-path, context: {cluster: host-port-path}}
- {name: path, context: {cluster: path, user: plugin}}
- {name: userinfo, context: {cluster: userinfo}}`),
    },
    deviations: [
      {
        at: 'context userinfo: server',
        kubectl: 'https://admin:secret@127.0.0.1:1',
        ours: 'https://127.0.0.1:1',
        reason: 'contexts are listed (and served to the UI) without the credentials a server URL may carry',
      },
      {
        at: 'context userinfo: url',
        kubectl: 'https://admin:secret@127.0.0.1:1',
        ours: 'https://127.0.0.1:1',
        reason:
          "kubectl leaves a server URL's user:password to Go's HTTP client, which sends it as basic auth; we drop it " +
          'and authenticate only with the user entry, so a password in a URL is never sent nor shown',
      },
    ],
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
        reason:
          'a current context that names no context is dropped (with a warning), so the UI never starts on a context that is not there',
      },
      {
        at: 'context no-server: usable',
        kubectl: true,
        ours: false,
        reason:
          'kubectl silently falls back to http://localhost:8080 for a cluster without a server; we list the context as broken',
      },
      {
        at: 'context no-such-cluster: usable',
        kubectl: true,
        ours: false,
        reason:
          'kubectl silently falls back to http://localhost:8080 for a missing cluster; we list the context as broken',
      },
      {
        at: 'context no-such-user: usable',
        kubectl: true,
        ours: false,
        reason:
          'kubectl connects anonymously when the named user is missing; we list the context as broken, as the name is almost always a mistake',
      },
    ],
  },
];
