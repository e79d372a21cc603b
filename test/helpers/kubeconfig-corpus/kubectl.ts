/**
 * kubectl's reading of a KUBECONFIG list, from kubectl itself:
 *
 * - `config view --merge --raw -o json`: the merged entries, paths as written (kubectl's `config` commands load
 *   with DoNotResolvePaths, so a relative path is shown relative).
 * - `config view --merge --flatten -o json`: certificate and key files inlined, each read relative to the file
 *   that defined it, so they are known by content, not path. Fails as a whole when one file is missing.
 * - a use of each context (test/helpers/kubeconfig-corpus/kubectl-probe.ts): whether it is usable, what kubectl sent (URL,
 *   Authorization or not, impersonation) and the paths it resolved.
 *
 * What no output shows is taken from client-go and said where it is used: the namespace defaults to
 * "default"; the token file wins over `token` while readable; TLS settings apply to https servers only.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { delimiter, isAbsolute } from 'node:path';
import type { KubeconfigCluster, KubeconfigContext, KubeconfigUser } from '../../../lib/clusters/kubeconfig-schema';
import { probe, type Kubectl, type KubectlRun, type Probe } from './kubectl-probe';
import {
  extraKey,
  firstLine,
  origin,
  type Auth,
  type Connect,
  type ContextReading,
  type Impersonation,
  type Reading,
  type Source,
} from './readings';

interface KubectlConfig {
  clusters: { name: string; cluster: KubeconfigCluster }[] | null;
  users: { name: string; user: KubeconfigUser }[] | null;
  contexts: { name: string; context: KubeconfigContext }[] | null;
  'current-context': string;
}

/** Runs kubectl with this KUBECONFIG and HOME only (no inherited kubeconfig, cache or plugins). */
export function kubectlFor(
  list: readonly string[],
  home: string,
  limit: <T>(task: () => Promise<T>) => Promise<T>,
): Kubectl {
  // GOGC and GOMAXPROCS: a kubectl that lives 50 ms needs no garbage collector nor more than one thread (a quarter less CPU).
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    KUBECONFIG: list.join(delimiter),
    GOGC: 'off',
    GOMAXPROCS: '1',
  };
  return (args) =>
    limit(
      () =>
        new Promise<KubectlRun>((resolve, reject) => {
          execFile('kubectl', args, { env, timeout: 20_000 }, (error, stdout, stderr) => {
            // A number code is kubectl's exit status; anything else (ENOENT, a timeout) is a failure to run it.
            if (error === null || typeof error.code === 'number') {
              resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
            } else reject(new Error(`kubectl did not run: ${error.message}`, { cause: error }));
          });
        }),
    );
}

const clustersOf = (config: KubectlConfig | undefined) =>
  new Map((config?.clusters ?? []).map((e) => [e.name, e.cluster]));
const usersOf = (config: KubectlConfig | undefined) => new Map((config?.users ?? []).map((e) => [e.name, e.user]));

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
const nonEmpty = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);

function unobservable(context: string, what: string): never {
  throw new Error(
    `corpus: kubectl does not show which ${what} context "${context}" resolves to; make the path absolute, or name a missing file so kubectl's error shows it`,
  );
}

export async function kubectlReading(kubectl: Kubectl): Promise<Reading> {
  const raw = await kubectl(['config', 'view', '--merge', '--raw', '-o', 'json']);
  if (raw.code !== 0) return { refused: raw.stderr.trim() };
  const config = JSON.parse(raw.stdout) as KubectlConfig;
  const clusters = clustersOf(config);
  const users = usersOf(config);
  const contexts = new Map((config.contexts ?? []).map((e) => [e.name, e.context]));

  const namesFiles =
    [...clusters.values()].some((c) => nonEmpty(c['certificate-authority']) !== undefined) ||
    [...users.values()].some(
      (u) => nonEmpty(u['client-certificate']) !== undefined || nonEmpty(u['client-key']) !== undefined,
    );
  const flat = namesFiles ? await kubectl(['config', 'view', '--merge', '--flatten', '-o', 'json']) : undefined;
  const flattened = flat?.code === 0 ? (JSON.parse(flat.stdout) as KubectlConfig) : undefined;
  const flatClusters = clustersOf(flattened);
  const flatUsers = usersOf(flattened);

  const readings = await Promise.all(
    [...contexts].map(async ([name, context]): Promise<[string, ContextReading]> => {
      const cluster = clusters.get(context.cluster ?? '');
      const user = users.get(context.user ?? '');
      const use = await probe(kubectl, name, user);
      const reading: ContextReading = {
        cluster: context.cluster ?? '',
        user: context.user ?? '',
        // client-go: a context without a namespace works in "default".
        namespace: nonEmpty(context.namespace) ?? 'default',
        server: cluster?.server ?? '',
        usable: use.usable,
      };
      if (use.unreadable !== undefined) reading.unreadable = use.unreadable;
      if (use.problem !== undefined) reading.problem = use.problem;
      if (use.usable) {
        const material = (
          path: string | undefined,
          data: string | undefined,
          flatData: string | undefined,
          what: string,
        ): Source | undefined => {
          if (nonEmpty(path) !== undefined) {
            if (flatData === undefined)
              throw new Error(`corpus: context "${name}": no ${what} from kubectl --flatten: ${flat?.stderr ?? ''}`);
            return { from: 'file', firstLine: firstLine(decode(flatData)) };
          }
          return nonEmpty(data) === undefined ? undefined : { from: 'data', firstLine: firstLine(decode(data!)) };
        };
        const flatCluster = flatClusters.get(context.cluster ?? '');
        const flatUser = flatUsers.get(context.user ?? '');
        reading.connect = await connectOf(name, cluster ?? {}, user ?? {}, use, {
          ca: material(
            cluster?.['certificate-authority'],
            cluster?.['certificate-authority-data'],
            flatCluster?.['certificate-authority-data'],
            'CA',
          ),
          cert: material(
            user?.['client-certificate'],
            user?.['client-certificate-data'],
            flatUser?.['client-certificate-data'],
            'client certificate',
          ),
          key: material(user?.['client-key'], user?.['client-key-data'], flatUser?.['client-key-data'], 'client key'),
        });
      }
      return [name, reading];
    }),
  );
  const current = nonEmpty(config['current-context']);
  return { ...(current === undefined ? {} : { current }), contexts: Object.fromEntries(readings) };
}

async function connectOf(
  name: string,
  cluster: KubeconfigCluster,
  user: KubeconfigUser,
  use: Probe,
  tls: { ca: Source | undefined; cert: Source | undefined; key: Source | undefined },
): Promise<Connect> {
  const connect: Connect = { insecure: false, auth: await authOf(name, user, use) };
  const proxy = nonEmpty(cluster['proxy-url']);
  if (proxy !== undefined) connect.proxyUrl = new URL(proxy).href;
  const impersonate = use.sent === undefined ? undefined : impersonationOf(use.sent.headers);
  if (impersonate !== undefined) connect.impersonate = impersonate;
  if (use.sent !== undefined) connect.url = origin(new URL(use.sent.url));
  // client-go applies the cluster's TLS settings only to an https server ("only try to read the auth
  // information if we are secure"); a request it never sent (an unreadable token file) was bound for one.
  if (use.sent !== undefined && !use.sent.url.startsWith('https:')) return connect;
  connect.insecure = cluster['insecure-skip-tls-verify'] === true;
  if (tls.ca !== undefined) connect.ca = tls.ca;
  if (tls.cert !== undefined && tls.key !== undefined) connect.clientCert = { cert: tls.cert, key: tls.key };
  const serverName = nonEmpty(cluster['tls-server-name']);
  if (serverName !== undefined) connect.tlsServerName = serverName;
  return connect;
}

/**
 * Which credential kubectl used, from what it sent: the exec plugin it ran, or the Authorization it sent
 * (masked in the log, so the value is the kubeconfig's), else none.
 */
async function authOf(name: string, user: KubeconfigUser, use: Probe): Promise<Auth> {
  const authorization = use.sent?.headers.find(([header]) => header === 'authorization')?.[1];
  // A token file it could not read stopped kubectl before it sent anything; the file was its credential.
  if (use.tokenFile !== undefined || authorization?.startsWith('Bearer ') === true) return tokenAuth(name, user, use);
  if (authorization?.startsWith('Basic ') === true && !use.standIn)
    return { kind: 'basic', username: user.username ?? '', password: user.password ?? '' };
  if (!use.execRan || user.exec === undefined) return { kind: 'none' };
  const command = user.exec.command ?? '';
  const resolved =
    !command.includes('/') || isAbsolute(command) ? command : (use.command ?? unobservable(name, 'exec command'));
  const auth: Auth = {
    kind: 'exec',
    command: resolved,
    args: user.exec.args ?? [],
    env: Object.fromEntries((user.exec.env ?? []).map((e) => [e.name ?? '', e.value ?? ''])),
    apiVersion: user.exec.apiVersion ?? '',
    provideClusterInfo: user.exec.provideClusterInfo === true,
  };
  const hint = nonEmpty(user.exec.installHint);
  if (hint !== undefined) auth.installHint = hint;
  return auth;
}

async function tokenAuth(name: string, user: KubeconfigUser, use: Probe): Promise<Auth> {
  const token = nonEmpty(user.token);
  const tokenFile = nonEmpty(user.tokenFile);
  if (tokenFile === undefined) return { kind: 'token', bearer: token ?? '' };
  const path = isAbsolute(tokenFile) ? tokenFile : (use.tokenFile ?? unobservable(name, 'token file'));
  // client-go's bearer-with-refresh: the file's token while it can be read, else `token`.
  const bearer =
    (await readFile(path, 'utf8').then(
      (text) => text.trim(),
      () => undefined,
    )) ?? token;
  return bearer === undefined ? { kind: 'token', tokenFile: path } : { kind: 'token', bearer, tokenFile: path };
}

/** Impersonate-* headers as the API server reads them: extra keys unescaped and in lower case. */
function impersonationOf(headers: readonly [string, string][]): Impersonation | undefined {
  const user = headers.find(([name]) => name === 'impersonate-user')?.[1];
  if (user === undefined) return undefined;
  const impersonation: Impersonation = { user, groups: [], extra: {} };
  for (const [name, value] of headers) {
    if (name === 'impersonate-uid') impersonation.uid = value;
    if (name === 'impersonate-group') impersonation.groups.push(value);
    if (name.startsWith('impersonate-extra-')) (impersonation.extra[extraKey(name)] ??= []).push(value);
  }
  return impersonation;
}
