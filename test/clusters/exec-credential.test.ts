import { describe, expect, it } from 'vitest';
import type { ExecPlan } from '../../lib/clusters/context-plan';
import { describePluginFailure, execEnv, execInfo, parseExecCredential } from '../../lib/clusters/exec-credential';
import { escapeHeaderKey, impersonationHeaders } from '../../lib/clusters/credentials';

const V1 = 'client.authentication.k8s.io/v1' as const;

const plan: ExecPlan = {
  user: 'u',
  command: 'aws',
  args: ['eks', 'get-token'],
  env: [{ name: 'AWS_PROFILE', value: 'prod' }],
  apiVersion: V1,
  installHint: 'Install the AWS CLI: https://aws.amazon.com/cli/',
  provideClusterInfo: false,
  cluster: { server: 'https://eks.example', 'tls-server-name': 'api', config: { region: 'eu-west-1' } },
};

const credential = (status: unknown, apiVersion: string = V1) =>
  JSON.stringify({ kind: 'ExecCredential', apiVersion, status });

describe('ExecCredential protocol', () => {
  it('tells the plugin it is not interactive, and the cluster only when provideClusterInfo is set', () => {
    expect(JSON.parse(execInfo(plan, Buffer.from('CA')))).toEqual({
      kind: 'ExecCredential',
      apiVersion: V1,
      spec: { interactive: false },
    });
    expect(JSON.parse(execInfo({ ...plan, provideClusterInfo: true }, Buffer.from('CA')))).toEqual({
      kind: 'ExecCredential',
      apiVersion: V1,
      spec: {
        interactive: false,
        cluster: {
          server: 'https://eks.example',
          'tls-server-name': 'api',
          'certificate-authority-data': 'Q0E=',
          config: { region: 'eu-west-1' },
        },
      },
    });
  });

  it('layers the kubeconfig env over ours and adds KUBERNETES_EXEC_INFO', () => {
    const env = execEnv({ PATH: '/bin', AWS_PROFILE: 'dev', UNSET: undefined }, plan, '{}');
    expect(env).toEqual({ PATH: '/bin', AWS_PROFILE: 'prod', KUBERNETES_EXEC_INFO: '{}' });
  });

  it('accepts a token, a certificate pair, and an expiry', () => {
    expect(parseExecCredential(credential({ token: 't', expirationTimestamp: '2030-01-02T03:04:05Z' }), V1)).toEqual({
      token: 't',
      expiresAt: Date.parse('2030-01-02T03:04:05Z'),
    });
    expect(parseExecCredential(credential({ clientCertificateData: 'CERT', clientKeyData: 'KEY' }), V1)).toEqual({
      clientCertificatePem: 'CERT',
      clientKeyPem: 'KEY',
    });
  });

  it.each([
    ['not json SECRET', 'exec plugin did not print an ExecCredential (stdout is not JSON)'],
    [
      credential({ token: 't' }, 'client.authentication.k8s.io/v1beta1'),
      'exec plugin is configured to use API version client.authentication.k8s.io/v1, plugin returned version client.authentication.k8s.io/v1beta1',
    ],
    [JSON.stringify({ kind: 'ExecCredential', apiVersion: V1 }), "exec plugin didn't return a status field"],
    [credential({}), "exec plugin didn't return a token or cert/key pair"],
    [credential({ clientCertificateData: 'CERT' }), 'exec plugin returned only certificate or key, not both'],
    [
      credential({ token: 't', expirationTimestamp: 'tomorrow' }),
      'exec plugin returned an invalid status.expirationTimestamp (want RFC 3339)',
    ],
    [credential({ token: 42 }), 'exec plugin returned a non-string status.token'],
  ])('rejects %s', (stdout, message) => {
    expect(() => parseExecCredential(stdout, V1)).toThrow(message);
  });

  it('explains failures with the installHint, the way kubectl does', () => {
    expect(describePluginFailure(plan, { kind: 'not-found' })).toBe(
      'exec: executable aws not found\n\nInstall the AWS CLI: https://aws.amazon.com/cli/',
    );
    expect(
      describePluginFailure(
        { ...plan, installHint: undefined },
        {
          kind: 'exit',
          code: 3,
          signal: null,
          stderr: 'expired SSO session\n',
        },
      ),
    ).toBe('exec: executable aws failed with exit code 3: expired SSO session');
    expect(describePluginFailure(plan, { kind: 'timeout', ms: 30_000 })).toMatch(
      /^exec: executable aws did not finish within 30s\n\nInstall/,
    );
  });
});

describe('impersonation headers', () => {
  it('escapes extra keys as client-go does and repeats list headers', () => {
    expect(escapeHeaderKey('example.com/scopes')).toBe('example.com%2Fscopes');
    expect(escapeHeaderKey('100%')).toBe('100%25');
    expect(escapeHeaderKey('ünï')).toBe('%C3%BCn%C3%AF');
    expect(
      impersonationHeaders({
        user: 'jane',
        uid: '42',
        groups: ['dev', 'ops'],
        extra: { 'example.com/scopes': ['a', 'b'], empty: [] },
      }),
    ).toEqual({
      'impersonate-user': 'jane',
      'impersonate-uid': '42',
      'impersonate-group': ['dev', 'ops'],
      'impersonate-extra-example.com%2Fscopes': ['a', 'b'],
    });
  });
});
