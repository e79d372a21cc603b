import { errorMessage } from '../errors';
import type { ContextPlan } from './context-plan';
import { isFileMissing, type RegistryHost } from './host';
import type { ResolvedEntries } from './kubeconfig-view';
import type { ContextInfo } from './types';

/** The context name the original kore-board used for the pod's own service account. */
export const IN_CLUSTER_CONTEXT = 'kubernetes@in-cluster';

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface InClusterOptions {
  tokenPath: string;
  caPath: string;
  namespacePath: string;
  /** Defaults to KUBERNETES_SERVICE_HOST. */
  host?: string;
  /** Defaults to KUBERNETES_SERVICE_PORT. */
  port?: string;
}

export const IN_CLUSTER_DEFAULTS: InClusterOptions = {
  tokenPath: `${SERVICE_ACCOUNT_DIR}/token`,
  caPath: `${SERVICE_ACCOUNT_DIR}/ca.crt`,
  namespacePath: `${SERVICE_ACCOUNT_DIR}/namespace`,
};

/**
 * The pod's service account as a context, like client-go's InClusterConfig: present when the token file
 * exists; the token is read again as it rotates; the CA is the mounted ca.crt.
 */
export async function planInCluster(
  options: InClusterOptions,
  env: RegistryHost['env'],
  readFile: RegistryHost['readFile'],
): Promise<ContextPlan | undefined> {
  const info = {
    name: IN_CLUSTER_CONTEXT,
    cluster: 'in-cluster',
    server: '',
    user: 'serviceaccount',
    namespace: 'default',
    inCluster: true,
    source: 'in-cluster',
  };
  try {
    await readFile(options.tokenPath);
  } catch (err) {
    if (isFileMissing(err)) return undefined;
    return {
      info: {
        ...info,
        error: `unable to read the service account token ${options.tokenPath}: ${errorMessage(err)}`,
      },
    };
  }
  try {
    info.namespace =
      Buffer.from(await readFile(options.namespacePath))
        .toString('utf8')
        .trim() || 'default';
  } catch {
    // client-go also falls back to "default" when the namespace file is absent.
  }
  const host = options.host ?? env.KUBERNETES_SERVICE_HOST;
  const port = options.port ?? env.KUBERNETES_SERVICE_PORT;
  if (host === undefined || host === '' || port === undefined || port === '') {
    return {
      info: {
        ...info,
        error:
          'unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined',
      },
    };
  }
  let server: URL;
  try {
    server = new URL(`https://${host.includes(':') ? `[${host}]` : host}:${port}`);
  } catch {
    return { info: { ...info, error: `KUBERNETES_SERVICE_HOST/PORT do not form a valid URL` } };
  }
  info.server = server.href.replace(/\/$/, '');
  return {
    info,
    plan: {
      server,
      tls: {
        insecure: false,
        ca: { owner: 'the service account', field: 'certificate-authority', path: options.caPath },
      },
      auth: { kind: 'token', tokenFile: options.tokenPath },
    },
  };
}

/** The in-cluster context as kubeconfig entries: its server and the mounted files' paths; no file is read for this. */
export function inClusterEntries(options: InClusterOptions, info: ContextInfo): ResolvedEntries {
  return {
    cluster: { ...(info.server === '' ? {} : { server: info.server }), 'certificate-authority': options.caPath },
    context: { cluster: info.cluster, user: info.user, namespace: info.namespace },
    user: { tokenFile: options.tokenPath },
  };
}
