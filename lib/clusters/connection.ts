import { createHash } from 'node:crypto';
import type { Clock } from '../clock';
import { errorMessage, StatusError } from '../errors';
import type { Logger } from '../log';
import type { ConnectionPlan, ContextPlan, Material } from './context-plan';
import {
  basicCredentials,
  bearerCredentials,
  execCredentials,
  impersonationHeaders,
  noCredentials,
  tokenFileCredentials,
  type CredentialProvider,
} from './credentials';
import type { ClusterTransport, RegistryHost, TransportOptions } from './host';
import type { ClusterConnection, ContextInfo, CredentialHeaders } from './types';

/** A context with its files read: what is compared on reload to decide whether it changed. */
export interface PreparedContext {
  info: ContextInfo;
  /** Digest of everything the connection is built from; equal digests mean nothing to rebuild. */
  fingerprint: string;
  /** Certificate and key files it uses: watched, so renewing a certificate reloads the context. */
  files: string[];
  connect?: { plan: ConnectionPlan; ca?: Uint8Array; cert?: Uint8Array; key?: Uint8Array };
}

export interface ConnectionDeps {
  host: RegistryHost;
  clock: Clock;
  log: Logger;
  tokenFileTtlMs: number;
  execTimeoutMs: number;
}

/** A connection and the transport it owns, so the registry can close it when it is replaced. */
export interface LiveConnection {
  connection: ClusterConnection;
  transport: ClusterTransport;
}

function digest(value: unknown): string {
  return createHash('sha256')
    .update(
      JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v)),
    )
    .digest('hex');
}

async function readMaterial(
  material: Material | undefined,
  readFile: RegistryHost['readFile'],
): Promise<Uint8Array | undefined> {
  if (material === undefined) return undefined;
  if (material.data !== undefined) return material.data;
  try {
    return await readFile(material.path);
  } catch (err) {
    throw new Error(`unable to read ${material.field} ${material.path} for ${material.owner}: ${errorMessage(err)}`);
  }
}

/** Reads the certificate files a context names. A file that cannot be read fails the context, with why. */
export async function prepareContext(
  contextPlan: ContextPlan,
  readFile: RegistryHost['readFile'],
): Promise<PreparedContext> {
  const { info, plan } = contextPlan;
  if (plan === undefined) return { info, fingerprint: digest({ info }), files: [] };
  const files = [plan.tls.ca, plan.tls.cert, plan.tls.key].flatMap((m) => (m?.path === undefined ? [] : [m.path]));
  try {
    const [ca, cert, key] = await Promise.all(
      [plan.tls.ca, plan.tls.cert, plan.tls.key].map((m) => readMaterial(m, readFile)),
    );
    const connect: NonNullable<PreparedContext['connect']> = { plan };
    if (ca !== undefined) connect.ca = ca;
    if (cert !== undefined) connect.cert = cert;
    if (key !== undefined) connect.key = key;
    const fingerprint = digest({ info, plan, ca, cert, key });
    return { info, fingerprint, files, connect };
  } catch (err) {
    const failed = { ...info, error: errorMessage(err) };
    return { info: failed, fingerprint: digest({ info: failed }), files };
  }
}

function credentialProvider(
  prepared: NonNullable<PreparedContext['connect']>,
  transport: ClusterTransport,
  deps: ConnectionDeps,
): CredentialProvider {
  const auth = prepared.plan.auth;
  switch (auth.kind) {
    case 'none':
      return noCredentials;
    case 'basic':
      return basicCredentials(auth.username, auth.password);
    case 'token':
      if (auth.tokenFile === undefined) return bearerCredentials(auth.token ?? '');
      return tokenFileCredentials({
        path: auth.tokenFile,
        ...(auth.token === undefined ? {} : { fallbackToken: auth.token }),
        ttlMs: deps.tokenFileTtlMs,
        clock: deps.clock,
        readFile: deps.host.readFile,
        log: deps.log,
      });
    case 'exec':
      return execCredentials({
        plan: auth.exec,
        ...(prepared.ca === undefined ? {} : { caData: prepared.ca }),
        env: deps.host.env,
        timeoutMs: deps.execTimeoutMs,
        clock: deps.clock,
        run: deps.host.runPlugin,
        applyIdentity: (identity) => transport.setClientIdentity(identity),
        log: deps.log,
      });
  }
}

/** A context reached as a user: their bearer token alone, over the context's transport without a client identity. */
function bearerConnection(context: ClusterConnection, transport: ClusterTransport, token: string): ClusterConnection {
  const headers: CredentialHeaders = Object.freeze({ authorization: `Bearer ${token}` });
  const self: ClusterConnection = {
    context: context.context,
    server: context.server,
    dispatcher: transport.dispatcher,
    upgradeDispatcher: transport.upgradeDispatcher,
    credentials: () => Promise.resolve(headers),
    // The user's token is theirs to renew: a 401 goes back to them, never to the context's credentials.
    refreshCredentials: () => Promise.resolve(false),
    asBearer: (other) => (other === token ? self : context.asBearer(other)),
  };
  return self;
}

/**
 * Builds the dispatchers and credential source of a prepared context. Throws (with a message fit for
 * ContextInfo.error) when its certificates or key cannot be used.
 */
export function connectContext(prepared: PreparedContext, deps: ConnectionDeps): LiveConnection {
  const input = prepared.connect;
  if (input === undefined) throw new Error(prepared.info.error ?? 'context has no connection plan');
  const { plan } = input;
  const anonymous: TransportOptions = {
    server: plan.server,
    ...(input.ca === undefined ? {} : { ca: input.ca }),
    insecure: plan.tls.insecure,
    ...(plan.tls.servername === undefined ? {} : { servername: plan.tls.servername }),
    ...(plan.proxyUrl === undefined ? {} : { proxyUrl: plan.proxyUrl }),
  };
  const transport = deps.host.createTransport(
    input.cert === undefined || input.key === undefined
      ? anonymous
      : { ...anonymous, identity: { cert: input.cert, key: input.key } },
  );
  const provider = credentialProvider(input, transport, deps);
  const impersonation = plan.impersonate === undefined ? {} : impersonationHeaders(plan.impersonate);
  const name = prepared.info.name;
  // Users' requests (`--auth user`) share one transport per context that presents no client certificate: each
  // request carries its own bearer token, so one pool serves every user, and the context's identity is never sent.
  let bearerTransport: ClusterTransport | undefined;
  let closed = false;

  // The merged object is kept while the provider's is unchanged, so callers can hand it back after a 401.
  let lastAuth: CredentialHeaders | undefined;
  let lastMerged: CredentialHeaders | undefined;
  const connection: ClusterConnection = {
    context: prepared.info,
    server: plan.server,
    dispatcher: transport.dispatcher,
    upgradeDispatcher: transport.upgradeDispatcher,
    async credentials() {
      let auth: CredentialHeaders;
      try {
        auth = await provider.current();
      } catch (err) {
        throw new StatusError(
          'ServiceUnavailable',
          `context "${name}": getting credentials: ${errorMessage(err)}`,
          undefined,
          { cause: err },
        );
      }
      if (auth !== lastAuth || lastMerged === undefined) {
        lastAuth = auth;
        lastMerged = Object.freeze({ ...auth, ...impersonation });
      }
      return lastMerged;
    },
    refreshCredentials(used) {
      return provider.refresh(used === undefined ? undefined : used === lastMerged ? lastAuth : used);
    },
    asBearer(token) {
      if (closed) throw new StatusError('ServiceUnavailable', `context "${name}" was replaced by a reload; try again`);
      bearerTransport ??= deps.host.createTransport(anonymous);
      return bearerConnection(connection, bearerTransport, token);
    },
  };
  const owned: ClusterTransport = {
    dispatcher: transport.dispatcher,
    upgradeDispatcher: transport.upgradeDispatcher,
    setClientIdentity: (identity) => transport.setClientIdentity(identity),
    async close(graceMs) {
      closed = true;
      await Promise.all([transport.close(graceMs), bearerTransport?.close(graceMs)]);
    },
  };
  return { connection, transport: owned };
}
