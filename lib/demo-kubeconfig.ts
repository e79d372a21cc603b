import { stringify } from 'yaml';

/** The context name the spec's examples use for a kubeconfig's default context. */
export const DEMO_CONTEXT = 'kubernetes-admin@kubernetes';

export interface DemoClusterAccess {
  url: string;
  caPem: string;
  client: { certPem: string; keyPem: string };
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

/**
 * A kubeconfig (YAML) for the built-in demo cluster, credentials inline so no file is written; also for any
 * other cluster reached with a CA and a client certificate (the tests' and benchmarks' clusters).
 */
export function demoKubeconfig(sim: DemoClusterAccess, contextName = DEMO_CONTEXT): string {
  // YAML 1.1, as kubectl reads it (an unquoted `on` or `no` would be a boolean).
  return stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'kubernetes', cluster: { server: sim.url, 'certificate-authority-data': b64(sim.caPem) } }],
      users: [
        {
          name: 'kubernetes-admin',
          user: { 'client-certificate-data': b64(sim.client.certPem), 'client-key-data': b64(sim.client.keyPem) },
        },
      ],
      contexts: [
        { name: contextName, context: { cluster: 'kubernetes', user: 'kubernetes-admin', namespace: 'default' } },
      ],
      'current-context': contextName,
    },
    { version: '1.1' },
  );
}
