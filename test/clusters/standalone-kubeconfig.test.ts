/**
 * standaloneKubeconfig: one context's kubeconfig with its real credentials, every file it names read inline, nothing
 * of any other context (the registry's side is in registry-entries.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { standaloneKubeconfig } from '../../lib/clusters/standalone-kubeconfig';
import { b64 } from '../helpers/registry-fixtures';

/** A readFile over named contents; any other path is missing, as Node reports it. */
function files(contents: Record<string, string>) {
  return (path: string) => {
    const content = contents[path];
    if (content !== undefined) return Promise.resolve(new TextEncoder().encode(content));
    return Promise.reject(
      Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' }),
    );
  };
}

describe('standaloneKubeconfig', () => {
  it('reads every file the entries name into inline data, and names only this context', async () => {
    const yaml = await standaloneKubeconfig(
      'prod',
      {
        context: { cluster: 'c', user: 'u', namespace: 'apps' },
        cluster: { server: 'https://10.0.0.1:6443', 'certificate-authority': '/etc/ca.crt', 'tls-server-name': 'k8s' },
        user: { 'client-certificate': '/etc/u.crt', 'client-key': '/etc/u.key', tokenFile: '/etc/token' },
      },
      files({ '/etc/ca.crt': 'CA', '/etc/u.crt': 'CERT', '/etc/u.key': 'KEY', '/etc/token': ' TOKEN\n' }),
    );
    expect(parse(yaml)).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'c',
          cluster: {
            server: 'https://10.0.0.1:6443',
            'tls-server-name': 'k8s',
            'certificate-authority-data': b64('CA'),
          },
        },
      ],
      users: [
        { name: 'u', user: { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY'), token: 'TOKEN' } },
      ],
      contexts: [{ name: 'prod', context: { cluster: 'c', user: 'u', namespace: 'apps' } }],
      'current-context': 'prod',
    });
  });

  it('keeps inline credentials and an exec plugin’s stanza as written', async () => {
    const exec = {
      apiVersion: 'client.authentication.k8s.io/v1',
      command: '/usr/local/bin/aws',
      args: ['eks', 'get-token', '--cluster-name', 'prod'],
      env: [{ name: 'AWS_PROFILE', value: 'prod' }],
      interactiveMode: 'Never',
    };
    const yaml = await standaloneKubeconfig(
      'eks',
      {
        context: { cluster: 'c', user: 'u' },
        cluster: { server: 'https://eks', 'certificate-authority-data': b64('CA') },
        user: { exec },
      },
      files({}),
    );
    expect(parse(yaml)).toMatchObject({
      clusters: [{ name: 'c', cluster: { server: 'https://eks', 'certificate-authority-data': b64('CA') } }],
      users: [{ name: 'u', user: { exec } }],
    });
  });

  it('falls back to the inline token when the token file cannot be read, as client-go does', async () => {
    const entries = { context: { cluster: 'c', user: 'u' }, cluster: { server: 'https://x' } };
    const withFallback = await standaloneKubeconfig(
      'x',
      { ...entries, user: { tokenFile: '/gone', token: 'INLINE' } },
      files({}),
    );
    expect(parse(withFallback)).toMatchObject({ users: [{ name: 'u', user: { token: 'INLINE' } }] });
  });

  it('refuses (503) when a file it names cannot be read, naming the file but not any content', async () => {
    const entries = { context: { cluster: 'c', user: 'u' }, cluster: { server: 'https://x' } };
    const failure = standaloneKubeconfig('x', { ...entries, user: { 'client-key': '/gone.key' } }, files({}));
    await expect(failure).rejects.toMatchObject({
      code: 503,
      message: expect.stringMatching(/context "x": unable to read client-key \/gone.key for user "u"/),
    });
  });

  it('leaves an anonymous context without a user', async () => {
    const yaml = await standaloneKubeconfig(
      'anon',
      { context: { cluster: 'c' }, cluster: { server: 'https://x' } },
      files({}),
    );
    expect(parse(yaml)).toMatchObject({ users: [], contexts: [{ name: 'anon', context: { cluster: 'c' } }] });
  });
});
