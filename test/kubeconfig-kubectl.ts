/**
 * kubectl's reading of a KUBECONFIG list, from kubectl itself:
 *
 * - `config view --merge --raw -o json`: the merged entries, paths as written (kubectl's `config` commands load
 *   with DoNotResolvePaths, so a relative path is shown relative).
 * - `config view --merge --flatten -o json`: certificate and key files inlined, each read relative to the file
 *   that defined it, so file contents are compared, not paths. Fails as a whole when one file is missing.
 * - per context, `--context NAME get --raw /kore-probe` against servers that refuse connections: whether the
 *   context gets past kubectl's configuration checks (a refused connection means it did), and the absolute
 *   paths kubectl resolved, which its errors name (a missing certificate, token file or exec plugin).
 *
 * What kubectl applies only when it uses a context is taken from client-go and said where it is used: the
 * namespace defaults to "default", the token file wins over `token` while readable, an exec plugin is skipped
 * when the user already has a token, basic auth or a client certificate.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { delimiter, isAbsolute } from 'node:path';
import type { KubeconfigCluster, KubeconfigContext, KubeconfigUser } from '../lib/clusters/kubeconfig-schema';
import { firstLine, type Auth, type Connect, type ContextReading, type Impersonation, type Reading, type Source } from './kubeconfig-readings';

interface KubectlConfig {
  clusters: { name: string; cluster: KubeconfigCluster }[] | null;
  users: { name: string; user: KubeconfigUser }[] | null;
  contexts: { name: string; context: KubeconfigContext }[] | null;
  'current-context': string;
}

export interface KubectlRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl with this KUBECONFIG and HOME only (no inherited kubeconfig, cache or plugins). */
export type Kubectl = (args: readonly string[]) => Promise<KubectlRun>;

export function kubectlFor(list: readonly string[], home: string, limit: <T>(task: () => Promise<T>) => Promise<T>): Kubectl {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, KUBECONFIG: list.join(delimiter) };
  return (args) =>
    limit(
      () =>
        new Promise<KubectlRun>((resolve, reject) => {
          execFile('kubectl', args, { env, timeout: 20_000 }, (error, stdout, stderr) => {
            if (error !== null && typeof error.code !== 'number') return reject(error);
            resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
          });
        }),
    );
}

/** What a use of the context told: configuration refused, or got as far as connecting (and which files it looked for). */
interface UseOutcome {
  usable: boolean;
  problem?: string;
  unreadable?: string;
  tokenFile?: string;
  command?: string;
}

// client-go's messages for the files it could not read, with the path it resolved.
const UNREADABLE = /unable to read (?:certificate-authority|client-cert|client-key) (\S+) for /;
const TOKEN_FILE = /^error: open (\S+): no such file or directory$/m;
const EXEC_PATH = /exec: fork\/exec (\S+): no such file or directory/;
/** Past configuration: a connection was tried (refused, or answered by whatever may listen on kubectl's localhost:8080 default). */
const REACHED = /Unable to connect to the server|connection to the server .* was refused|connect: connection refused|Error from server/;

function useOutcome(run: KubectlRun): UseOutcome {
  if (run.code === 0) return { usable: true };
  const text = run.stderr.trim();
  const unreadable = UNREADABLE.exec(text)?.[1];
  if (unreadable !== undefined) return { usable: false, problem: text, unreadable };
  const tokenFile = TOKEN_FILE.exec(text)?.[1];
  // client-go reads a token file (without `token`) when it builds the client: not a configuration error.
  if (tokenFile !== undefined) return { usable: true, tokenFile };
  if (!REACHED.test(text)) return { usable: false, problem: text };
  const command = EXEC_PATH.exec(text)?.[1];
  return command === undefined ? { usable: true } : { usable: true, command };
}

/** client-go's canIdentifyUser: without any of these kubectl prompts for a username on a TLS server. */
function canIdentify(user: KubeconfigUser | undefined): boolean {
  if (user === undefined) return false;
  const fields = [user.username, user.token, user.tokenFile, user['client-certificate'], user['client-certificate-data']];
  return fields.some((v) => nonEmpty(v) !== undefined) || user.exec !== undefined || user['auth-provider'] !== undefined;
}

const clustersOf = (config: KubectlConfig | undefined) => new Map((config?.clusters ?? []).map((e) => [e.name, e.cluster]));
const usersOf = (config: KubectlConfig | undefined) => new Map((config?.users ?? []).map((e) => [e.name, e.user]));

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
const nonEmpty = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);

function unobservable(context: string, what: string): never {
  throw new Error(`corpus: kubectl does not show which ${what} context "${context}" resolves to; make the path absolute, or name a missing file so kubectl's error shows it`);
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
    [...users.values()].some((u) => nonEmpty(u['client-certificate']) !== undefined || nonEmpty(u['client-key']) !== undefined);
  const flat = namesFiles ? await kubectl(['config', 'view', '--merge', '--flatten', '-o', 'json']) : undefined;
  const flattened = flat?.code === 0 ? (JSON.parse(flat.stdout) as KubectlConfig) : undefined;
  const flatClusters = clustersOf(flattened);
  const flatUsers = usersOf(flattened);

  const readings = await Promise.all(
    [...contexts].map(async ([name, context]): Promise<[string, ContextReading]> => {
      const cluster = clusters.get(context.cluster ?? '');
      const user = users.get(context.user ?? '');
      const identify = canIdentify(user) ? [] : ['--username', 'kore-probe', '--password', 'kore-probe'];
      const use = useOutcome(await kubectl(['--context', name, '--request-timeout', '5s', ...identify, 'get', '--raw', '/kore-probe']));
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
        const material = (path: string | undefined, data: string | undefined, flatData: string | undefined, what: string): Source | undefined => {
          if (nonEmpty(path) !== undefined) {
            if (flatData === undefined) throw new Error(`corpus: context "${name}": no ${what} from kubectl --flatten: ${flat?.stderr ?? ''}`);
            return { from: 'file', firstLine: firstLine(decode(flatData)) };
          }
          return nonEmpty(data) === undefined ? undefined : { from: 'data', firstLine: firstLine(decode(data!)) };
        };
        const flatCluster = flatClusters.get(context.cluster ?? '');
        const flatUser = flatUsers.get(context.user ?? '');
        reading.connect = await connectOf(name, cluster ?? {}, user ?? {}, use, {
          ca: material(cluster?.['certificate-authority'], cluster?.['certificate-authority-data'], flatCluster?.['certificate-authority-data'], 'CA'),
          cert: material(user?.['client-certificate'], user?.['client-certificate-data'], flatUser?.['client-certificate-data'], 'client certificate'),
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
  use: UseOutcome,
  tls: { ca: Source | undefined; cert: Source | undefined; key: Source | undefined },
): Promise<Connect> {
  const connect: Connect = { insecure: cluster['insecure-skip-tls-verify'] === true, auth: await authOf(name, user, use, tls.cert !== undefined) };
  if (tls.ca !== undefined) connect.ca = tls.ca;
  if (tls.cert !== undefined && tls.key !== undefined) connect.clientCert = { cert: tls.cert, key: tls.key };
  const serverName = nonEmpty(cluster['tls-server-name']);
  if (serverName !== undefined) connect.tlsServerName = serverName;
  const proxy = nonEmpty(cluster['proxy-url']);
  if (proxy !== undefined) connect.proxyUrl = new URL(proxy).href;
  const impersonate = impersonationOf(user);
  if (impersonate !== undefined) connect.impersonate = impersonate;
  return connect;
}

async function authOf(name: string, user: KubeconfigUser, use: UseOutcome, hasClientCert: boolean): Promise<Auth> {
  const token = nonEmpty(user.token);
  const tokenFile = nonEmpty(user.tokenFile);
  if (token !== undefined || tokenFile !== undefined) {
    const auth: Auth = { kind: 'token' };
    if (tokenFile !== undefined) {
      const path = isAbsolute(tokenFile) ? tokenFile : (use.tokenFile ?? unobservable(name, 'token file'));
      auth.tokenFile = path;
      // client-go's bearer-with-refresh: the file's token while it can be read, else `token`.
      const content = await readFile(path, 'utf8').then((text) => text.trim(), () => undefined);
      const bearer = content ?? token;
      if (bearer !== undefined) auth.bearer = bearer;
    } else {
      auth.bearer = token!;
    }
    return auth;
  }
  if (nonEmpty(user.username) !== undefined || nonEmpty(user.password) !== undefined) {
    return { kind: 'basic', username: user.username ?? '', password: user.password ?? '' };
  }
  // client-go's exec authenticator stands aside for a token, basic auth or a client certificate.
  if (user.exec !== undefined && !hasClientCert) {
    const command = user.exec.command ?? '';
    const resolved = !command.includes('/') || isAbsolute(command) ? command : (use.command ?? unobservable(name, 'exec command'));
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
  return { kind: 'none' };
}

function impersonationOf(user: KubeconfigUser): Impersonation | undefined {
  const as = nonEmpty(user.as);
  if (as === undefined) return undefined;
  // Extra keys without values send no header, so they are no part of the identity.
  const extra = Object.fromEntries(Object.entries(user['as-user-extra'] ?? {}).filter(([, values]) => values.length > 0));
  const impersonation: Impersonation = { user: as, groups: user['as-groups'] ?? [], extra };
  const uid = nonEmpty(user['as-uid']);
  if (uid !== undefined) impersonation.uid = uid;
  return impersonation;
}
