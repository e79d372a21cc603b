/**
 * KUBECONFIG lists: which file wins, missing and empty files, paths relative to the file that names them,
 * certificate files.
 */
import { b64 } from '../b64';
import { config, pemData, pemFile, SERVER, type CorpusSet } from './corpus';

export const FILE_SETS: CorpusSet[] = [
  {
    name: 'one file, with names as EKS and GKE write them',
    list: ['config'],
    files: {
      config: config(`
clusters:
- name: prod
  cluster:
    server: ${SERVER}
    certificate-authority-data: ${pemData('ca', 'CA of prod')}
- name: gke_my-project_europe-west1_prod
  cluster: {server: "${SERVER}", insecure-skip-tls-verify: true}
users:
- name: admin
  user: {token: prod-admin-token}
contexts:
- name: prod
  context: {cluster: prod, user: admin, namespace: team-a}
- name: arn:aws:eks:eu-west-1:123456789012:cluster/prod
  context: {cluster: gke_my-project_europe-west1_prod, user: admin}
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
- {name: dotted, cluster: {server: "${SERVER}", certificate-authority: ./../sibling/ca.pem}}
- {name: absolute, cluster: {server: "${SERVER}", certificate-authority: "{{dir}}/abs/ca.pem"}}
users:
- {name: abs-cert, user: {client-certificate: "{{dir}}/abs/client.pem", client-key: "{{dir}}/abs/../abs/client.key"}}
contexts:
- {name: nested, context: {cluster: same-name, user: abs-cert}}
- {name: dotted, context: {cluster: dotted, user: abs-cert}}
- {name: absolute, context: {cluster: absolute, user: abs-cert}}`),
      'other/nested/ca.pem': pemFile('ca', 'CA next to other/nested/config'),
      'other/sibling/ca.pem': pemFile('ca', 'CA in other/sibling'),
      'abs/ca.pem': pemFile('ca', 'CA named by an absolute path'),
      'abs/client.pem': pemFile('cert', 'client certificate named by an absolute path'),
      'abs/client.key': pemFile('key', 'client key named by an absolute path'),
    },
  },
  {
    name: 'a kubeconfig reached through a symbolic link: paths are relative to the link',
    list: ['home/.kube/config'],
    links: { 'home/.kube/config': '../../dotfiles/kubeconfig' },
    files: {
      'dotfiles/kubeconfig': config(`
clusters:
- {name: c, cluster: {server: "${SERVER}", certificate-authority: ca.pem}}
users:
- {name: u, user: {token: t}}
contexts:
- {name: linked, context: {cluster: c, user: u}}`),
      'dotfiles/ca.pem': pemFile('ca', 'CA beside the link target'),
      'home/.kube/ca.pem': pemFile('ca', 'CA beside the link'),
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
];
