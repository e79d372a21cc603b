import type { MergedKubeconfig } from './kubeconfig-merge';
import type { KubeconfigCluster, KubeconfigContext, KubeconfigUser } from './kubeconfig-schema';

/**
 * One context's kubeconfig entries as `kubectl config view` shows them: kubeconfig field names, every secret
 * replaced. This is the only form in which entries leave lib/clusters; it may be serialized as is.
 */
export interface KubeconfigEntries {
  cluster: Record<string, unknown>;
  context: Record<string, unknown>;
  user: Record<string, unknown>;
}

/**
 * One context's entries as read, secrets included; a broken context has what it has. They stay inside the process:
 * redacted for the API, or written for a process acting as that context (standalone-kubeconfig.ts).
 */
export interface ResolvedEntries {
  cluster?: KubeconfigCluster | undefined;
  context?: KubeconfigContext | undefined;
  user?: KubeconfigUser | undefined;
}

/** What `kubectl config view` prints for a secret string (client-go's RedactSecrets/ShortenConfig). */
export const REDACTED = 'REDACTED';
/** What `kubectl config view` prints for certificate and key bytes (client-go's ShortenConfig, `dataOmittedBytes`). */
export const DATA_OMITTED = 'DATA+OMITTED';

/** A flag (`--client-secret=x`, or `--client-secret x`) of an exec plugin whose value is a credential. */
const SECRET_FLAG = /^--?[\w.-]*(secret|token|password|passwd|credential|key)[\w.-]*$/i;

/** Any `user[:password]@` in a URL (a proxy or server URL): kubectl prints it, we do not. */
function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, `$1${REDACTED}@`);
}

function redactArgs(args: readonly string[]): string[] {
  return args.map((arg, i) => {
    const eq = arg.indexOf('=');
    if (eq > 0 && SECRET_FLAG.test(arg.slice(0, eq))) return `${arg.slice(0, eq + 1)}${REDACTED}`;
    const previous = args[i - 1];
    if (previous !== undefined && !previous.includes('=') && SECRET_FLAG.test(previous) && !arg.startsWith('-'))
      return REDACTED;
    return arg;
  });
}

/** Drops absent fields, as kubectl omits empty ones. */
function present(entry: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entry).filter(([, value]) => value !== undefined));
}

const omitted = (data: string | undefined) => (data === undefined ? undefined : DATA_OMITTED);
const redacted = (secret: string | undefined) => (secret === undefined ? undefined : REDACTED);
/** Extensions are opaque to us: their names stay, their content (which may be anything) does not. */
const extensionNames = (list: KubeconfigCluster['extensions']) =>
  list?.map((e) => ({ name: e.name, extension: REDACTED }));

/**
 * The entries with every secret replaced. kubectl's own choices, followed exactly (checked against
 * `kubectl config view` 1.32): `token` and `password` print REDACTED; `certificate-authority-data`,
 * `client-certificate-data` and `client-key-data` print DATA+OMITTED; file paths (`tokenFile`,
 * `certificate-authority`, `client-certificate`, `client-key`) print as they are, their files unread.
 * Beyond kubectl, which prints them: exec env values, auth-provider config values, exec args that are the
 * value of a secret-looking flag (`--client-secret=…`), extension contents and a URL's `user:password@`
 * are REDACTED too.
 */
export function redactKubeconfigEntries(entries: ResolvedEntries): KubeconfigEntries {
  const { cluster, context, user } = entries;
  const exec = user?.exec;
  const provider = user?.['auth-provider'];
  return {
    cluster:
      cluster === undefined
        ? {}
        : present({
            ...cluster,
            server: redactUrl(cluster.server),
            'proxy-url': redactUrl(cluster['proxy-url']),
            'certificate-authority-data': omitted(cluster['certificate-authority-data']),
            // Go's omitempty, as kubectl prints them: false is not shown.
            'insecure-skip-tls-verify': cluster['insecure-skip-tls-verify'] === true ? true : undefined,
            'disable-compression': cluster['disable-compression'] === true ? true : undefined,
            extensions: extensionNames(cluster.extensions),
          }),
    context: context === undefined ? {} : present({ ...context, extensions: extensionNames(context.extensions) }),
    user:
      user === undefined
        ? {}
        : present({
            ...user,
            token: redacted(user.token),
            password: redacted(user.password),
            'client-certificate-data': omitted(user['client-certificate-data']),
            'client-key-data': omitted(user['client-key-data']),
            'auth-provider':
              provider === undefined
                ? undefined
                : present({
                    ...provider,
                    config:
                      provider.config === undefined
                        ? undefined
                        : Object.fromEntries(Object.keys(provider.config).map((key) => [key, REDACTED])),
                  }),
            exec:
              exec === undefined
                ? undefined
                : present({
                    ...exec,
                    args: exec.args === undefined ? undefined : redactArgs(exec.args),
                    env: exec.env?.map((e) => present({ name: e.name, value: redacted(e.value) })),
                  }),
            extensions: extensionNames(user.extensions),
          }),
  };
}

/** A context's entries as the merged kubeconfig resolves them (first file wins per name), secrets and all. */
export function resolvedEntries(merged: MergedKubeconfig, name: string): ResolvedEntries {
  const context = merged.contexts.get(name)?.value;
  return {
    context,
    cluster: merged.clusters.get(context?.cluster ?? '')?.value,
    user: merged.users.get(context?.user ?? '')?.value,
  };
}
