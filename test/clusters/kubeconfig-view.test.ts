/**
 * redactKubeconfigEntries against the real `kubectl config view`: where kubectl redacts, we print exactly what it
 * prints; where it prints a secret (exec env, auth-provider config, URL credentials), we print REDACTED.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { mergeKubeconfigs, type MergedKubeconfig } from '../../lib/clusters/kubeconfig-merge';
import { parseKubeconfig } from '../../lib/clusters/kubeconfig-parse';
import { redactKubeconfigEntries, resolvedEntries } from '../../lib/clusters/kubeconfig-view';

/** A context as the API shows it: merged, then redacted. */
const contextEntries = (merged: MergedKubeconfig, name: string) =>
  redactKubeconfigEntries(resolvedEntries(merged, name));

const SECRETS = ['TOKEN-s3cret', 'PASSWORD-s3cret', 'ENV-s3cret', 'IDTOKEN-s3cret', 'ARG-s3cret', 'PROXY-s3cret'];
// Base64 of text that is itself recognizable, so a leak of the data (decoded or not) shows.
const CA = Buffer.from('CA-DATA').toString('base64');
const CERT = Buffer.from('CERT-DATA').toString('base64');
const KEY = Buffer.from('KEY-DATA').toString('base64');

const KUBECONFIG = stringify({
  apiVersion: 'v1',
  kind: 'Config',
  'current-context': 'full',
  clusters: [
    {
      name: 'c',
      cluster: {
        server: 'https://10.0.0.1:6443',
        'certificate-authority-data': CA,
        'tls-server-name': 'api.internal',
        'proxy-url': 'http://proxy:3128',
      },
    },
    {
      name: 'files',
      cluster: {
        server: 'https://10.0.0.2',
        'certificate-authority': '/etc/k/ca.crt',
        'insecure-skip-tls-verify': false,
      },
    },
    { name: 'proxied', cluster: { server: 'https://10.0.0.3', 'proxy-url': 'http://bob:PROXY-s3cret@proxy:3128' } },
  ],
  users: [
    {
      name: 'full',
      user: {
        token: 'TOKEN-s3cret',
        tokenFile: '/var/run/token',
        'client-certificate-data': CERT,
        'client-key-data': KEY,
        as: 'admin',
        'as-groups': ['ops'],
      },
    },
    { name: 'basic', user: { username: 'bob', password: 'PASSWORD-s3cret', 'client-certificate': '/etc/k/c.crt' } },
    {
      name: 'plugin',
      user: {
        exec: {
          command: 'kubelogin',
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          args: ['get-token', '--oidc-client-secret=ARG-s3cret', '--client-secret', 'ARG-s3cret', '--verbose', '2'],
          env: [{ name: 'AWS_SECRET', value: 'ENV-s3cret' }],
        },
      },
    },
    {
      name: 'provider',
      user: { 'auth-provider': { name: 'oidc', config: { 'id-token': 'IDTOKEN-s3cret', 'idp-issuer-url': 'x' } } },
    },
  ],
  contexts: [
    { name: 'full', context: { cluster: 'c', user: 'full', namespace: 'shop' } },
    { name: 'basic', context: { cluster: 'files', user: 'basic' } },
    { name: 'plugin', context: { cluster: 'proxied', user: 'plugin' } },
    { name: 'provider', context: { cluster: 'c', user: 'provider' } },
    { name: 'dangling', context: { cluster: 'missing', user: 'basic' } },
  ],
});

let dir: string;
const merged = () => mergeKubeconfigs([parseKubeconfig(KUBECONFIG, join(dir, 'config'), dir)]);

/** What kubectl prints for one context: its cluster, context and user entries. */
function kubectlView(context: string): { cluster: unknown; context: unknown; user: unknown } {
  const out = execFileSync('kubectl', ['config', 'view', '-o', 'json', '--minify', '--context', context], {
    env: { ...process.env, KUBECONFIG: join(dir, 'config') },
    encoding: 'utf8',
  });
  const view = JSON.parse(out) as {
    clusters: Array<{ cluster: unknown }>;
    contexts: Array<{ context: unknown }>;
    users: Array<{ user: unknown }>;
  };
  return { cluster: view.clusters[0]?.cluster, context: view.contexts[0]?.context, user: view.users[0]?.user };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kore-view-'));
  writeFileSync(join(dir, 'config'), KUBECONFIG);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('redactKubeconfigEntries', () => {
  it('prints what kubectl config view prints where kubectl redacts: REDACTED secrets, DATA+OMITTED bytes, paths as given', () => {
    for (const name of ['full', 'basic']) expect(contextEntries(merged(), name), name).toEqual(kubectlView(name));
    expect(contextEntries(merged(), 'full')).toEqual({
      cluster: {
        server: 'https://10.0.0.1:6443',
        'tls-server-name': 'api.internal',
        'certificate-authority-data': 'DATA+OMITTED',
        'proxy-url': 'http://proxy:3128',
      },
      context: { cluster: 'c', user: 'full', namespace: 'shop' },
      user: {
        'client-certificate-data': 'DATA+OMITTED',
        'client-key-data': 'DATA+OMITTED',
        token: 'REDACTED',
        tokenFile: '/var/run/token',
        as: 'admin',
        'as-groups': ['ops'],
      },
    });
    expect(contextEntries(merged(), 'basic').user).toEqual({
      'client-certificate': '/etc/k/c.crt',
      username: 'bob',
      password: 'REDACTED',
    });
  });

  it('redacts, beyond kubectl, exec env values, secret flags in exec args, auth-provider config and URL credentials', () => {
    const plugin = contextEntries(merged(), 'plugin');
    expect(plugin.user).toEqual({
      exec: {
        command: 'kubelogin',
        args: ['get-token', '--oidc-client-secret=REDACTED', '--client-secret', 'REDACTED', '--verbose', '2'],
        env: [{ name: 'AWS_SECRET', value: 'REDACTED' }],
        apiVersion: 'client.authentication.k8s.io/v1beta1',
      },
    });
    expect(plugin.cluster).toEqual({ server: 'https://10.0.0.3', 'proxy-url': 'http://REDACTED@proxy:3128' });
    expect(contextEntries(merged(), 'provider').user).toEqual({
      'auth-provider': { name: 'oidc', config: { 'id-token': 'REDACTED', 'idp-issuer-url': 'REDACTED' } },
    });
    // kubectl itself prints these values: the reason for going beyond it.
    const printed = JSON.stringify([kubectlView('plugin'), kubectlView('provider')]);
    for (const secret of ['ENV-s3cret', 'IDTOKEN-s3cret', 'ARG-s3cret', 'PROXY-s3cret'])
      expect(printed).toContain(secret);
  });

  it('never lets a secret or certificate byte through, whatever the context', () => {
    const all = JSON.stringify(
      ['full', 'basic', 'plugin', 'provider', 'dangling'].map((n) => contextEntries(merged(), n)),
    );
    for (const secret of [...SECRETS, CA, CERT, KEY, 'CA-DATA', 'CERT-DATA', 'KEY-DATA'])
      expect(all).not.toContain(secret);
  });

  it('shows what a broken context has, and empty entries for what it lacks', () => {
    expect(contextEntries(merged(), 'dangling')).toEqual({
      cluster: {},
      context: { cluster: 'missing', user: 'basic' },
      user: { 'client-certificate': '/etc/k/c.crt', username: 'bob', password: 'REDACTED' },
    });
    expect(redactKubeconfigEntries({})).toEqual({ cluster: {}, context: {}, user: {} });
  });

  it('keeps extension names and drops their content', () => {
    const entries = redactKubeconfigEntries({
      cluster: {
        server: 'https://x',
        extensions: [{ name: 'client.authentication.k8s.io/exec', extension: { k: 'v' } }],
      },
    });
    expect(entries.cluster.extensions).toEqual([{ name: 'client.authentication.k8s.io/exec', extension: 'REDACTED' }]);
  });
});
