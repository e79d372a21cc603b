import type { Clock } from '../clock';
import { errorMessage } from '../errors';
import type { Logger } from '../log';
import type { ExecPlan, ImpersonationPlan } from './context-plan';
import { describePluginFailure, execEnv, execInfo, parseExecCredential } from './exec-credential';
import type { ClientIdentity, RegistryHost } from './host';
import type { CredentialHeaders } from './types';

/**
 * Where a context's authentication headers come from. `current()` returns the same object until the
 * credentials change, so a caller that got a 401 can say which credentials failed.
 */
export interface CredentialProvider {
  current(): Promise<CredentialHeaders>;
  /** After a 401 with `used`: fetches fresh credentials unless someone already did; true when fresh ones are ready. */
  refresh(used: CredentialHeaders | undefined): Promise<boolean>;
}

const NO_HEADERS: CredentialHeaders = Object.freeze({});

function bearer(token: string): CredentialHeaders {
  return Object.freeze({ authorization: `Bearer ${token}` });
}

/** Coalesces concurrent calls into one run of `task` (one plugin in flight, one file read in flight). */
function singleFlight<T>(task: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  return () => {
    running ??= task().finally(() => {
      running = undefined;
    });
    return running;
  };
}

export function staticCredentials(headers: CredentialHeaders): CredentialProvider {
  const frozen = Object.freeze({ ...headers });
  return { current: async () => frozen, refresh: async () => false };
}

export const noCredentials: CredentialProvider = staticCredentials(NO_HEADERS);

export function bearerCredentials(token: string): CredentialProvider {
  return staticCredentials(bearer(token));
}

export function basicCredentials(username: string, password: string): CredentialProvider {
  return staticCredentials({ authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` });
}

export interface TokenFileOptions {
  path: string;
  /** The kubeconfig's `token`, used while the file cannot be read (client-go does the same). */
  fallbackToken?: string;
  /** The file is read again when the token is older than this, so rotation is picked up. */
  ttlMs: number;
  clock: Clock;
  readFile: RegistryHost['readFile'];
  log: Logger;
}

/** A bearer token read from a file (tokenFile, the service account token), re-read as it rotates. */
export function tokenFileCredentials(options: TokenFileOptions): CredentialProvider {
  const { path, clock, log } = options;
  let token: string | undefined;
  let headers: CredentialHeaders | undefined;
  let readAt = Number.NEGATIVE_INFINITY;
  const use = (next: string) => {
    if (next !== token) {
      token = next;
      headers = bearer(next);
    }
  };
  const read = singleFlight(async (): Promise<CredentialHeaders> => {
    try {
      const text = Buffer.from(await options.readFile(path))
        .toString('utf8')
        .trim();
      if (text === '') throw new Error('the file is empty');
      use(text);
    } catch (err) {
      const reason = `unable to read token file ${path}: ${errorMessage(err)}`;
      if (headers === undefined && options.fallbackToken === undefined) throw new Error(reason);
      log.warn(`${reason}; using the ${headers === undefined ? "kubeconfig's token" : 'last token read'}`);
      if (headers === undefined) use(options.fallbackToken!);
    }
    readAt = clock.now();
    return headers!;
  });
  return {
    current: () => (headers !== undefined && clock.now() - readAt < options.ttlMs ? Promise.resolve(headers) : read()),
    refresh: async (used) => {
      if (used !== undefined && headers !== undefined && used !== headers) return true;
      const before = headers;
      try {
        return (await read()) !== before;
      } catch {
        return false;
      }
    },
  };
}

export interface ExecOptions {
  plan: ExecPlan;
  /** The cluster's CA, passed to plugins that asked for cluster info. */
  caData?: Uint8Array;
  env: RegistryHost['env'];
  timeoutMs: number;
  clock: Clock;
  run: RegistryHost['runPlugin'];
  /** Called before the credential is handed out when the plugin issued another client certificate. */
  applyIdentity(identity: ClientIdentity): void;
  log: Logger;
}

/**
 * An exec credential plugin: run without a terminal, its answer cached until `expirationTimestamp`
 * (forever when absent), one run at a time however many requests wait for it.
 */
export function execCredentials(options: ExecOptions): CredentialProvider {
  const { plan, clock, log } = options;
  let cached: { headers: CredentialHeaders; expiresAt: number | undefined } | undefined;
  let identityKey: string | undefined;

  const run = singleFlight(async (): Promise<CredentialHeaders> => {
    const env = execEnv(options.env, plan, execInfo(plan, options.caData));
    const outcome = await options.run(plan.command, plan.args, env, options.timeoutMs);
    if (outcome.kind !== 'ok') throw new Error(describePluginFailure(plan, outcome));
    const credential = parseExecCredential(outcome.stdout, plan.apiVersion);
    if (credential.clientCertificatePem !== undefined && credential.clientKeyPem !== undefined) {
      const key = credential.clientCertificatePem + '\0' + credential.clientKeyPem;
      if (key !== identityKey) {
        try {
          options.applyIdentity({
            cert: Buffer.from(credential.clientCertificatePem),
            key: Buffer.from(credential.clientKeyPem),
          });
        } catch (err) {
          throw new Error(`exec plugin returned an unusable client certificate or key: ${errorMessage(err)}`);
        }
        identityKey = key;
      }
    }
    const headers = credential.token === undefined ? Object.freeze({}) : bearer(credential.token);
    cached = { headers, expiresAt: credential.expiresAt };
    log.debug('exec plugin issued credentials', {
      user: plan.user,
      expires: credential.expiresAt === undefined ? 'never' : new Date(credential.expiresAt).toISOString(),
    });
    return headers;
  });
  const fresh = () => cached !== undefined && (cached.expiresAt === undefined || clock.now() < cached.expiresAt);

  return {
    current: () => (fresh() ? Promise.resolve(cached!.headers) : run()),
    refresh: async (used) => {
      if (used !== undefined && cached !== undefined && used !== cached.headers) return true;
      cached = undefined;
      try {
        await run();
        return true;
      } catch (err) {
        log.warn('exec plugin failed after a 401', { user: plan.user, error: errorMessage(err) });
        return false;
      }
    },
  };
}

/**
 * client-go's header key escaping for Impersonate-Extra-*: anything that is not an HTTP token
 * character (and `%` itself) is percent-encoded, so keys like `example.com/scopes` round-trip.
 */
export function escapeHeaderKey(key: string): string {
  let out = '';
  for (const byte of Buffer.from(key, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out +=
      byte < 128 && /[A-Za-z0-9!#$&'*+\-.^_`|~]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Impersonate-* headers; groups and extra values repeat the header, one value each, as Kubernetes expects. */
export function impersonationHeaders(plan: ImpersonationPlan): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = { 'impersonate-user': plan.user };
  if (plan.uid !== undefined) headers['impersonate-uid'] = plan.uid;
  if (plan.groups.length > 0) headers['impersonate-group'] = [...plan.groups];
  for (const [key, values] of Object.entries(plan.extra)) {
    if (values.length > 0) headers[`impersonate-extra-${escapeHeaderKey(key)}`] = [...values];
  }
  return headers;
}
