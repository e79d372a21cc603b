import type { KubeconfigEntries } from '../clusters/kubeconfig-view';

/**
 * What a context needs that an edge worker cannot give it. The worker reaches clusters with the platform's fetch
 * alone: no client certificate (without an mTLS binding), no processes, no files, no proxy, no server name or
 * verification switch of its own. Read from the context's redacted kubeconfig entries (field names are enough).
 */

const USER_NEEDS: ReadonlyArray<readonly [field: string, why: string]> = [
  ['client-certificate-data', 'a client certificate (the worker has no mTLS binding configured)'],
  ['client-certificate', 'a client certificate (the worker has no mTLS binding configured)'],
  ['exec', 'an exec credential plugin (the worker cannot run processes)'],
  ['auth-provider', 'an auth-provider plugin (the worker cannot run processes)'],
  ['tokenFile', 'a token file (the worker has no files: put the token in token)'],
];

const CLUSTER_NEEDS: ReadonlyArray<readonly [field: string, why: string]> = [
  ['certificate-authority', 'a certificate authority file (the worker has no files)'],
  ['proxy-url', 'a proxy (the worker connects with fetch, which takes none)'],
  ['tls-server-name', 'a TLS server name of its own (fetch takes none)'],
];

/** Why this context cannot be served from an edge worker, or undefined when it can. */
export function edgeRefusal(entries: KubeconfigEntries): string | undefined {
  const needs: string[] = [];
  for (const [field, why] of USER_NEEDS) if (entries.user[field] !== undefined) needs.push(why);
  for (const [field, why] of CLUSTER_NEEDS) if (entries.cluster[field] !== undefined) needs.push(why);
  const server = entries.cluster.server;
  if (entries.cluster['insecure-skip-tls-verify'] === true && typeof server === 'string' && server.startsWith('https:'))
    needs.push('insecure-skip-tls-verify (fetch always verifies the server certificate)');
  const unique = [...new Set(needs)];
  return unique.length === 0 ? undefined : `it needs ${unique.join(', ')}, which the edge worker cannot provide`;
}
