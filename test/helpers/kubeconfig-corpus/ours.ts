/**
 * kore-board's reading of a KUBECONFIG list: the registry (`openRegistry`) over the host lib/node/registry.ts
 * gives it, recorded, except that exec plugins are never run. Everything is observed from outside the registry:
 * contexts() and currentContext(), the transport each connection asked for (server, CA, client certificate,
 * TLS server name, proxy), the files it read, the plugin it ran, and the headers credentials() returned.
 * No connection is opened: the transports are built (certificates parsed) but never asked to send.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import type { Dispatcher } from 'undici';
import { openRegistry } from '../../../lib/clusters/context-registry';
import { EXEC_INFO_ENV } from '../../../lib/clusters/exec-credential';
import type { RegistryHost, TransportOptions } from '../../../lib/clusters/host';
import type { ClusterConnection, CredentialHeaders } from '../../../lib/clusters/types';
import { silentLogger } from '../../../lib/log';
import { createTransport } from '../../../lib/node/cluster-transport';
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
import { fakeClock } from '../registry-fixtures';

interface PluginRun {
  command: string;
  args: readonly string[];
  env: Record<string, string>;
}

interface RecordingHost extends RegistryHost {
  /** Every file read, in order, and which file each buffer handed out came from. */
  reads: string[];
  fileOf: WeakMap<Uint8Array, string>;
  transports: Map<Dispatcher, TransportOptions>;
  runs: PluginRun[];
  /** Whether the next plugin run finds the plugin (else it is "not found", which shows the installHint). */
  pluginFound: boolean;
}

function recordingHost(): RecordingHost {
  const host: RecordingHost = {
    reads: [],
    fileOf: new WeakMap(),
    transports: new Map(),
    runs: [],
    pluginFound: false,
    async readFile(path) {
      host.reads.push(path);
      const data = await readFile(path);
      host.fileOf.set(data, path);
      return data;
    },
    async runPlugin(command, args, env) {
      host.runs.push({ command, args, env });
      if (!host.pluginFound) return { kind: 'not-found' };
      const { apiVersion } = JSON.parse(env[EXEC_INFO_ENV] ?? '{}') as { apiVersion?: string };
      return {
        kind: 'ok',
        stdout: JSON.stringify({ kind: 'ExecCredential', apiVersion, status: { token: 'from-the-plugin' } }),
      };
    },
    createTransport(options) {
      // The real transport, so certificates and keys are parsed as when serving; nothing connects until a request.
      const transport = createTransport(options, { allowH2: false, retireGraceMs: 0 });
      host.transports.set(transport.dispatcher, options);
      return transport;
    },
    watchFiles: () => ({ update: () => undefined, close: () => undefined }),
    env: {},
  };
  return host;
}

export async function ourReading(list: readonly string[]): Promise<Reading> {
  const host = recordingHost();
  const registry = await openRegistry(
    {
      kubeconfigPaths: list,
      inlineOnly: { paths: [], allowExec: false },
      inlineSources: () => [],
      inCluster: false,
      watch: false,
      clock: fakeClock(),
      log: silentLogger,
      tokenFileTtlMs: 60_000,
      execTimeoutMs: 1_000,
      closeGraceMs: 0,
    },
    host,
  );
  try {
    const contexts: Record<string, ContextReading> = {};
    // One at a time: the files read and plugins run during credentials() belong to this context.
    for (const info of registry.contexts()) {
      const reading: ContextReading = {
        cluster: info.cluster,
        user: info.user,
        namespace: info.namespace,
        server: info.server,
        usable: info.error === undefined,
      };
      if (info.error !== undefined) {
        reading.problem = info.error;
        const unreadable = /unable to read \S+ (\S+) for /.exec(info.error)?.[1];
        if (unreadable !== undefined) reading.unreadable = unreadable;
      } else {
        reading.connect = await connectOf(registry.connection(info.name), host);
      }
      contexts[info.name] = reading;
    }
    const current = registry.currentContext();
    return { ...(current === undefined ? {} : { current }), contexts };
  } finally {
    await registry.close();
  }
}

async function connectOf(connection: ClusterConnection, host: RecordingHost): Promise<Connect> {
  const options = host.transports.get(connection.dispatcher);
  if (options === undefined) throw new Error(`no transport recorded for context ${connection.context.name}`);
  const source = (data: Uint8Array): Source => {
    const file = host.fileOf.get(data);
    if (file !== undefined && !isAbsolute(file))
      throw new Error(`context ${connection.context.name} read a relative path: ${file}`);
    return { from: file === undefined ? 'data' : 'file', firstLine: firstLine(Buffer.from(data).toString('utf8')) };
  };
  const { auth, headers } = await authOf(connection, host);
  const connect: Connect = { url: origin(options.server), insecure: options.insecure, auth };
  if (options.ca !== undefined) connect.ca = source(options.ca);
  if (options.identity !== undefined)
    connect.clientCert = { cert: source(options.identity.cert), key: source(options.identity.key) };
  if (options.servername !== undefined) connect.tlsServerName = options.servername;
  if (options.proxyUrl !== undefined) connect.proxyUrl = options.proxyUrl.href;
  const impersonate = headers === undefined ? undefined : impersonationOf(headers);
  if (impersonate !== undefined) connect.impersonate = impersonate;
  return connect;
}

/**
 * Asks for credentials twice when a plugin is involved: first it is "not found" (the failure carries the
 * installHint), then it answers (the headers carry the impersonation).
 */
async function authOf(
  connection: ClusterConnection,
  host: RecordingHost,
): Promise<{ auth: Auth; headers?: CredentialHeaders }> {
  const readsBefore = host.reads.length;
  const runsBefore = host.runs.length;
  host.pluginFound = false;
  const first = await connection.credentials().then(
    (headers) => ({ headers, failure: undefined }),
    (err: Error) => ({ headers: undefined, failure: err.message }),
  );
  const run = host.runs[runsBefore];
  if (run !== undefined) {
    host.pluginFound = true;
    const headers = await connection.credentials();
    const { [EXEC_INFO_ENV]: info, ...env } = run.env;
    const { apiVersion, spec } = JSON.parse(info ?? '{}') as { apiVersion?: string; spec?: { cluster?: unknown } };
    const auth: Auth = {
      kind: 'exec',
      command: run.command,
      args: [...run.args],
      env,
      apiVersion: apiVersion ?? '',
      provideClusterInfo: spec?.cluster !== undefined,
    };
    // The failure reads "<what happened>\n\n<installHint>".
    const hintAt = first.failure?.indexOf('\n\n') ?? -1;
    if (hintAt >= 0) auth.installHint = first.failure!.slice(hintAt + 2);
    return { auth, headers };
  }
  const headers = first.headers;
  const authorization = headers?.authorization;
  const bearer =
    typeof authorization === 'string' && authorization.startsWith('Bearer ') ? authorization.slice(7) : undefined;
  const tokenFile = host.reads[readsBefore];
  if (tokenFile !== undefined)
    return {
      auth: bearer === undefined ? { kind: 'token', tokenFile } : { kind: 'token', bearer, tokenFile },
      headers,
    };
  if (bearer !== undefined) return { auth: { kind: 'token', bearer }, headers };
  if (typeof authorization === 'string' && authorization.startsWith('Basic ')) {
    const [username = '', ...password] = Buffer.from(authorization.slice(6), 'base64').toString('utf8').split(':');
    return { auth: { kind: 'basic', username, password: password.join(':') }, headers };
  }
  return { auth: { kind: 'none' }, headers };
}

function impersonationOf(headers: CredentialHeaders): Impersonation | undefined {
  const list = (value: string | string[] | undefined) =>
    value === undefined ? [] : Array.isArray(value) ? value : [value];
  const user = headers['impersonate-user'];
  if (typeof user !== 'string') return undefined;
  const extra: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('impersonate-extra-')) extra[extraKey(name)] = list(value);
  }
  const impersonation: Impersonation = { user, groups: list(headers['impersonate-group']), extra };
  const uid = headers['impersonate-uid'];
  if (typeof uid === 'string') impersonation.uid = uid;
  return impersonation;
}
