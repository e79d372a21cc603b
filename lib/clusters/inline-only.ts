import { StatusError } from '../errors';
import { mergeKubeconfigs, type MergedKubeconfig } from './kubeconfig-merge';
import type { KubeconfigFile } from './kubeconfig-parse';

/**
 * Contexts added through the API come from whoever may call it, while kore-board's host holds every other
 * context's credentials and its own service-account token. Such contexts may carry only inline material:
 * nothing that makes kore-board run a command on its host (exec) or read a file there and send it to a
 * server the caller chose (tokenFile, certificate paths).
 */

/** A field that would make kore-board run a command or read a file on its host. */
export interface HostAccess {
  /** Where it is, as `users[NAME].user.exec`. */
  field: string;
  /** What it would do, and what to use instead. */
  effect: string;
}

// Allow-lists rather than deny-lists: a field added to the schema later is refused here until someone
// decides it is inline. Basic auth (username, password) is inline: it is sent to the server, nothing more.
const CLUSTER_FIELDS: ReadonlySet<string> = new Set([
  'server',
  'certificate-authority-data',
  'tls-server-name',
  'insecure-skip-tls-verify',
  'proxy-url',
  'disable-compression',
  'extensions',
]);
const USER_FIELDS: ReadonlySet<string> = new Set([
  'client-certificate-data',
  'client-key-data',
  'token',
  'as',
  'as-uid',
  'as-groups',
  'as-user-extra',
  'username',
  'password',
  'extensions',
]);
const USER_FIELDS_WITH_EXEC: ReadonlySet<string> = new Set([...USER_FIELDS, 'exec']);

const READS_FILE = 'reads a file on the kore-board host';
const EFFECTS: Readonly<Record<string, string>> = {
  exec: 'runs a command on the kore-board host (allowed only when kore-board runs with --allow-added-context-exec)',
  'auth-provider':
    'is an auth-provider plugin, which runs commands or reads files on the kore-board host; put its token in token',
  tokenFile: `${READS_FILE}; put the token itself in token`,
  'certificate-authority': `${READS_FILE}; embed it as certificate-authority-data (kubectl config view --flatten)`,
  'client-certificate': `${READS_FILE}; embed it as client-certificate-data (kubectl config view --flatten)`,
  'client-key': `${READS_FILE}; embed it as client-key-data (kubectl config view --flatten)`,
};

/** What in a context's cluster and user entries reaches beyond inline material. Missing or broken entries are planning's to report. */
export function hostAccessOf(merged: MergedKubeconfig, context: string, allowExec: boolean): HostAccess[] {
  const body = merged.contexts.get(context)?.value;
  const cluster = body?.cluster ?? '';
  const user = body?.user ?? '';
  return [
    ...beyond(`clusters[${cluster}].cluster`, merged.clusters.get(cluster)?.value, CLUSTER_FIELDS),
    ...beyond(`users[${user}].user`, merged.users.get(user)?.value, allowExec ? USER_FIELDS_WITH_EXEC : USER_FIELDS),
  ];
}

function beyond(
  prefix: string,
  entry: Readonly<Record<string, unknown>> | undefined,
  allowed: ReadonlySet<string>,
): HostAccess[] {
  // Empty and absent are the same to client-go (and to planning): an empty path reads nothing.
  return Object.entries(entry ?? {})
    .filter(([key, value]) => !allowed.has(key) && value !== undefined && value !== '')
    .map(([key]) => ({ field: `${prefix}.${key}`, effect: EFFECTS[key] ?? 'is not known to be inline material' }));
}

export function describeHostAccess(found: readonly HostAccess[]): string {
  return found.map((f) => `${f.field} ${f.effect}`).join('; ');
}

/** Refuses (422, each field a cause) an uploaded kubeconfig any of whose contexts reaches beyond inline material. */
export function refuseHostAccess(upload: KubeconfigFile, allowExec: boolean): void {
  const merged = mergeKubeconfigs([upload]);
  const byField = new Map(
    upload.contexts.flatMap((c) => hostAccessOf(merged, c.name, allowExec)).map((f) => [f.field, f]),
  );
  if (byField.size === 0) return;
  const found = [...byField.values()];
  throw new StatusError(
    'Invalid',
    `the uploaded kubeconfig may carry only inline material: ${describeHostAccess(found)}`,
    {
      kind: 'Config',
      causes: found.map((f) => ({ reason: 'FieldValueForbidden', field: f.field, message: f.effect })),
    },
  );
}
