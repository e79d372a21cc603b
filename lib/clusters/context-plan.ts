import { describeHostAccess, hostAccessOf } from './inline-only';
import type { MergedKubeconfig } from './kubeconfig-merge';
import type { Entry } from './kubeconfig-parse';
import type { KubeconfigCluster, KubeconfigExec, KubeconfigUser } from './kubeconfig-schema';
import type { ContextInfo } from './types';
import { namespaceProblem } from '../kube/names';

/** Certificate or key material: inline bytes, or a file to read when the connection is built. */
export type Material = { field: string; owner: string } & (
  { data: Uint8Array; path?: undefined } | { path: string; data?: undefined }
);

export interface TlsPlan {
  ca?: Material;
  cert?: Material;
  key?: Material;
  insecure: boolean;
  servername?: string;
}

export const EXEC_API_VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'] as const;
export type ExecApiVersion = (typeof EXEC_API_VERSIONS)[number];

/** The cluster as an exec plugin sees it in KUBERNETES_EXEC_INFO (provideClusterInfo), minus the CA bytes. */
export interface ExecClusterInfo {
  server: string;
  'tls-server-name'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'proxy-url'?: string;
  'disable-compression'?: boolean;
  config?: unknown;
}

export interface ExecPlan {
  user: string;
  command: string;
  args: string[];
  env: { name: string; value: string }[];
  apiVersion: ExecApiVersion;
  installHint?: string;
  provideClusterInfo: boolean;
  cluster: ExecClusterInfo;
}

export type AuthPlan =
  | { kind: 'none' }
  /** tokenFile wins while readable; token is the fallback (client-go's bearer-with-refresh). */
  | { kind: 'token'; token?: string; tokenFile?: string }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'exec'; exec: ExecPlan };

export interface ImpersonationPlan {
  user: string;
  uid?: string;
  groups: string[];
  extra: Record<string, string[]>;
}

/** Everything needed to connect a context, before any file is read. */
export interface ConnectionPlan {
  server: URL;
  tls: TlsPlan;
  proxyUrl?: URL;
  auth: AuthPlan;
  impersonate?: ImpersonationPlan;
}

/** A context as listed, and how to connect it unless `info.error` says why it cannot be. */
export interface ContextPlan {
  info: ContextInfo;
  plan?: ConnectionPlan;
}

const DEFAULT_NAMESPACE = 'default';
const EXEC_EXTENSION = 'client.authentication.k8s.io/exec';

class PlanError extends Error {}
function fail(message: string): never {
  throw new PlanError(message);
}

/** Which sources are trusted as kubectl trusts a kubeconfig, and which may carry only inline material. */
export interface PlanPolicy {
  /** True for a source (kore-board's own kubeconfig) whose entries may not run commands or name files. */
  inlineOnly(source: string): boolean;
  /** Exec plugins are allowed even in inline-only sources (--allow-added-context-exec). */
  allowExec: boolean;
}

const TRUST_ALL: PlanPolicy = { inlineOnly: () => false, allowExec: true };

/** Plans every context of a merged kubeconfig, sorted by name as `kubectl config get-contexts` lists them. */
export function planContexts(merged: MergedKubeconfig, policy: PlanPolicy = TRUST_ALL): ContextPlan[] {
  return [...merged.contexts.keys()].sort().map((name) => planContext(merged, name, policy));
}

/** Resolves one context against the merged clusters and users, validating as client-go does. */
export function planContext(merged: MergedKubeconfig, name: string, policy: PlanPolicy = TRUST_ALL): ContextPlan {
  const entry = merged.contexts.get(name);
  const context = entry?.value;
  const clusterName = context?.cluster ?? '';
  const userName = context?.user ?? '';
  const clusterEntry = merged.clusters.get(clusterName);
  const userEntry = merged.users.get(userName);
  const info: ContextInfo = {
    name,
    cluster: clusterName,
    server: displayServer(clusterEntry?.value?.server),
    user: userName,
    namespace: context?.namespace ?? DEFAULT_NAMESPACE,
    inCluster: false,
    source: entry?.origin ?? '',
  };
  try {
    const namespace = entryValue(entry, `context "${name}" is not defined`).namespace;
    if (namespace !== undefined && namespaceProblem(namespace) !== undefined) {
      fail(`namespace "${namespace}" for context "${name}" does not conform to the kubernetes DNS_LABEL rules`);
    }
    if (clusterName === '') fail(`cluster was not specified for context "${name}"`);
    const cluster = entryValue(clusterEntry, `cluster "${clusterName}" was not found for context "${name}"`);
    // A context without a user is anonymous; kubectl's own checks differ by version, anonymous is the useful reading.
    const user = userName === '' ? {} : entryValue(userEntry, `user "${userName}" was not found for context "${name}"`);
    // Any entry from an inline-only source restricts the whole context: an added context must not pair the
    // user's own exec credentials with a server the caller chose, nor a trusted context use an added user.
    if ([entry, clusterEntry, userEntry].some((e) => e !== undefined && policy.inlineOnly(e.origin))) {
      const found = hostAccessOf(merged, name, policy.allowExec);
      if (found.length > 0)
        fail(
          `context "${name}" may carry only inline material, as it uses kore-board's own kubeconfig: ${describeHostAccess(found)}`,
        );
    }
    return { info, plan: planConnection(clusterName, cluster, userName, user) };
  } catch (err) {
    if (!(err instanceof PlanError)) throw err;
    return { info: { ...info, error: err.message } };
  }
}

function entryValue<T>(entry: Entry<T> | undefined, missing: string): T {
  if (entry === undefined) fail(missing);
  if (entry.error !== undefined) fail(entry.error);
  return entry.value;
}

function planConnection(
  clusterName: string,
  cluster: KubeconfigCluster,
  userName: string,
  user: KubeconfigUser,
): ConnectionPlan {
  const clusterOwner = `cluster "${clusterName}"`;
  const userOwner = `user "${userName}"`;
  const ca = material(
    clusterOwner,
    'certificate-authority',
    cluster['certificate-authority-data'],
    cluster['certificate-authority'],
  );
  const cert = material(userOwner, 'client-certificate', user['client-certificate-data'], user['client-certificate']);
  const key = material(userOwner, 'client-key', user['client-key-data'], user['client-key']);
  const insecure = cluster['insecure-skip-tls-verify'] === true;
  if (insecure && ca !== undefined)
    fail(`${clusterOwner}: specifying a root certificates file with the insecure flag is not allowed`);
  if (cert !== undefined && key === undefined) {
    fail(
      `client-key-data or client-key must be specified for ${userOwner} to use the clientCert authentication method`,
    );
  }
  if (key !== undefined && cert === undefined) {
    fail(
      `client-certificate-data or client-certificate must be specified for ${userOwner} to use the clientCert authentication method`,
    );
  }

  const server = serverUrl(clusterOwner, cluster.server);
  const proxyUrl =
    cluster['proxy-url'] === undefined || cluster['proxy-url'] === ''
      ? undefined
      : parseProxyUrl(clusterOwner, cluster['proxy-url']);
  const tls: TlsPlan = { insecure };
  if (ca !== undefined) tls.ca = ca;
  if (cert !== undefined) tls.cert = cert;
  if (key !== undefined) tls.key = key;
  if (cluster['tls-server-name'] !== undefined && cluster['tls-server-name'] !== '')
    tls.servername = cluster['tls-server-name'];

  const plan: ConnectionPlan = { server, tls, auth: planAuth(userName, user, cert !== undefined, cluster) };
  if (proxyUrl !== undefined) plan.proxyUrl = proxyUrl;
  const impersonate = planImpersonation(userName, user);
  if (impersonate !== undefined) plan.impersonate = impersonate;
  // kubectl applies no credentials and no TLS settings over http, only the proxy and impersonation (client-go's
  // "only try to read the auth information if we are secure"): a token is never sent in the clear.
  if (server.protocol === 'http:') {
    plan.tls = { insecure: false };
    plan.auth = { kind: 'none' };
  }
  return plan;
}

/** `*-data` (base64) or a file path; both at once is an error in kubectl, and so here. */
function material(
  owner: string,
  field: string,
  data: string | undefined,
  path: string | undefined,
): Material | undefined {
  const hasData = data !== undefined && data !== '';
  const hasPath = path !== undefined && path !== '';
  if (hasData && hasPath) fail(`${field}-data and ${field} are both specified for ${owner}`);
  if (hasData) return { owner, field: `${field}-data`, data: decodeBase64(data, `${field}-data of ${owner}`) };
  if (hasPath) return { owner, field, path };
  return undefined;
}

/** Strict base64 as Go decodes `[]byte` fields: line breaks allowed, padding required, nothing else. */
export function decodeBase64(text: string, what: string): Uint8Array {
  const compact = text.replace(/[\r\n]/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) fail(`${what} is not valid base64`);
  return Buffer.from(compact, 'base64');
}

/**
 * client-go's DefaultServerURL as kubectl reaches it: a bare host[:port] gets http://, as kubectl decides
 * before it applies the cluster's TLS settings (so a CA does not make it https).
 */
function serverUrl(owner: string, server: string | undefined): URL {
  if (server === undefined || server === '') fail(`no server found for ${owner}`);
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(server);
  let url: URL;
  try {
    url = new URL(hasScheme ? server : `http://${server}`);
  } catch {
    return fail(`server "${displayServer(server)}" of ${owner} is not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    fail(`server "${displayServer(server)}" of ${owner} must be an http or https URL`);
  if (!hasScheme && url.pathname !== '/')
    fail(`server "${displayServer(server)}" of ${owner}: host must be a URL or a host:port pair`);
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  return url;
}

function parseProxyUrl(owner: string, proxy: string): URL {
  let url: URL;
  try {
    url = new URL(proxy);
  } catch {
    return fail(`invalid proxy-url for ${owner}: not a URL`);
  }
  if (!['http:', 'https:', 'socks5:'].includes(url.protocol)) {
    fail(
      `invalid proxy-url for ${owner}: unsupported scheme "${url.protocol.slice(0, -1)}", must be http, https, or socks5`,
    );
  }
  return url;
}

function planAuth(
  userName: string,
  user: KubeconfigUser,
  hasClientCert: boolean,
  cluster: KubeconfigCluster,
): AuthPlan {
  const owner = `user "${userName}"`;
  const token = nonEmpty(user.token);
  const tokenFile = nonEmpty(user.tokenFile);
  const basic = nonEmpty(user.username) !== undefined || nonEmpty(user.password) !== undefined;
  if (token !== undefined && basic)
    fail(`more than one authentication method found for ${owner}; found [token basicAuth], only one is allowed`);
  if (user.exec !== undefined && user['auth-provider'] !== undefined)
    fail(`authProvider cannot be provided in combination with an exec plugin for ${owner}`);
  const exec = user.exec === undefined ? undefined : planExec(userName, user.exec, cluster);

  if (token !== undefined || tokenFile !== undefined) {
    const auth: AuthPlan = { kind: 'token' };
    if (token !== undefined) auth.token = token;
    if (tokenFile !== undefined) auth.tokenFile = tokenFile;
    return auth;
  }
  if (basic) return { kind: 'basic', username: user.username ?? '', password: user.password ?? '' };
  // client-go skips the exec plugin when the user already authenticates with a token, basic auth or a client cert.
  if (exec !== undefined && !hasClientCert) return { kind: 'exec', exec };
  const provider = user['auth-provider'];
  if (provider !== undefined && !hasClientCert) {
    const idToken = provider.name === 'oidc' ? nonEmpty(provider.config?.['id-token']) : undefined;
    if (idToken === undefined) {
      fail(
        provider.name === 'oidc'
          ? `auth-provider oidc of ${owner} has no id-token; kore-board does not refresh oidc tokens, use an exec plugin (e.g. kubelogin)`
          : `auth-provider "${provider.name ?? ''}" of ${owner} is not supported (kubectl removed it); use its exec plugin instead`,
      );
    }
    return { kind: 'token', token: idToken };
  }
  return { kind: 'none' };
}

function planExec(userName: string, exec: KubeconfigExec, cluster: KubeconfigCluster): ExecPlan {
  const owner = `user "${userName}"`;
  const command = nonEmpty(exec.command);
  if (command === undefined) fail(`command must be specified for ${owner} to use exec authentication plugin`);
  const apiVersion = nonEmpty(exec.apiVersion);
  if (apiVersion === undefined) fail(`apiVersion must be specified for ${owner} to use exec authentication plugin`);
  if (!(EXEC_API_VERSIONS as readonly string[]).includes(apiVersion)) {
    fail(
      `exec plugin of ${owner}: unsupported apiVersion "${apiVersion}" (supported: ${EXEC_API_VERSIONS.join(', ')})`,
    );
  }
  const env = (exec.env ?? []).map((e) => {
    if (e.name === undefined || e.name === '')
      fail(`env variable name must be specified for ${owner} to use exec authentication plugin`);
    return { name: e.name, value: e.value ?? '' };
  });
  // v1beta1 defaults interactiveMode to IfAvailable; v1 requires it to be set (client-go's defaulting).
  const mode =
    nonEmpty(exec.interactiveMode) ??
    (apiVersion === 'client.authentication.k8s.io/v1beta1' ? 'IfAvailable' : undefined);
  if (mode === undefined) fail(`interactiveMode must be specified for ${owner} to use exec authentication plugin`);
  if (!['Never', 'IfAvailable', 'Always'].includes(mode)) fail(`invalid interactiveMode for ${owner}: "${mode}"`);
  if (mode === 'Always')
    fail(
      `exec plugin of ${owner} requires an interactive terminal (interactiveMode: Always); kore-board never runs plugins interactively`,
    );

  const clusterInfo: ExecClusterInfo = { server: cluster.server ?? '' };
  if (cluster['tls-server-name'] !== undefined) clusterInfo['tls-server-name'] = cluster['tls-server-name'];
  if (cluster['insecure-skip-tls-verify'] !== undefined)
    clusterInfo['insecure-skip-tls-verify'] = cluster['insecure-skip-tls-verify'];
  if (cluster['proxy-url'] !== undefined) clusterInfo['proxy-url'] = cluster['proxy-url'];
  if (cluster['disable-compression'] !== undefined) clusterInfo['disable-compression'] = cluster['disable-compression'];
  const extension = cluster.extensions?.find((e) => e.name === EXEC_EXTENSION);
  if (extension !== undefined) clusterInfo.config = extension.extension;

  const plan: ExecPlan = {
    user: userName,
    command,
    args: exec.args ?? [],
    env,
    apiVersion: apiVersion as ExecApiVersion,
    provideClusterInfo: exec.provideClusterInfo === true,
    cluster: clusterInfo,
  };
  if (nonEmpty(exec.installHint) !== undefined) plan.installHint = exec.installHint!;
  return plan;
}

function planImpersonation(userName: string, user: KubeconfigUser): ImpersonationPlan | undefined {
  const as = nonEmpty(user.as);
  const uid = nonEmpty(user['as-uid']);
  const groups = user['as-groups'] ?? [];
  const extra = user['as-user-extra'] ?? {};
  if (as === undefined) {
    if (uid !== undefined || groups.length > 0 || Object.keys(extra).length > 0) {
      fail(`requesting uid, groups or user-extra for user "${userName}" without impersonating a user`);
    }
    return undefined;
  }
  const plan: ImpersonationPlan = { user: as, groups, extra };
  if (uid !== undefined) plan.uid = uid;
  return plan;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** The server as listed: never with credentials, even if someone put them in the URL. */
export function displayServer(server: string | undefined): string {
  if (server === undefined) return '';
  return server.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}
