import { createApp, type SecurityOptions } from '../../handlers/app';
import { statusResponse } from '../../handlers/status-response';
import { createAdmission, settle } from '../admission';
import { tokenAuthentication } from '../auth/token-authentication';
import { systemClock } from '../clock';
import { StatusError } from '../errors';
import { createLogger } from '../log';
import { createViewStore } from '../views/store';
import { openEdgeRegistry } from './edge-registry';
import { nodeOnlyRoutes, noContextStore } from './node-only';
import { upgradeRefusal } from './upgrades';

/** The worker's bindings (wrangler.toml [vars], secrets, or `.dev.vars`/`--env-file` under `wrangler dev`). */
export interface EdgeEnv {
  /** The clusters: one kubeconfig's YAML (a secret). */
  KUBECONFIG?: string;
  /** Callers present it as `Authorization: Bearer …`, or sign in with it for session tokens (a secret). */
  KORE_AUTH_TOKEN?: string;
  /** Signs the session tokens, so every isolate accepts them (a secret); unset: random per isolate. */
  KORE_SESSION_SECRET?: string;
  /** Comma-separated host names served besides loopback, e.g. the worker's workers.dev name. */
  KORE_ALLOWED_HOSTS?: string;
  /** Comma-separated exact origins trusted for CORS. */
  KORE_ALLOW_ORIGINS?: string;
}

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/** The admission policy from the bindings; a worker reachable beyond loopback without a token is refused. */
export function edgeSecurity(env: EdgeEnv): SecurityOptions | StatusError {
  const allowedHosts = list(env.KORE_ALLOWED_HOSTS);
  const authToken = env.KORE_AUTH_TOKEN === undefined || env.KORE_AUTH_TOKEN === '' ? undefined : env.KORE_AUTH_TOKEN;
  if (allowedHosts.length > 0 && authToken === undefined)
    return new StatusError(
      'ServiceUnavailable',
      'KORE_ALLOWED_HOSTS serves the clusters beyond loopback: set the KORE_AUTH_TOKEN secret too (wrangler secret put KORE_AUTH_TOKEN)',
    );
  const allowOrigins = list(env.KORE_ALLOW_ORIGINS);
  if (authToken === undefined) return { allowedHosts, allowOrigins };
  const secret = env.KORE_SESSION_SECRET;
  const sessionSecret =
    secret === undefined || secret === ''
      ? crypto.getRandomValues(new Uint8Array(32))
      : new TextEncoder().encode(secret);
  return { allowedHosts, allowOrigins, auth: tokenAuthentication([authToken], { sessionSecret, clock: systemClock }) };
}

/** What the worker answers a request with. */
export type EdgeFetch = (request: Request) => Response | Promise<Response>;

/**
 * The same app as on Node, fed for a worker: the kubeconfig secret's contexts over fetch, views listed per request
 * (nothing outlives a request to keep a watch), request bodies decoded inline, 501 for what needs Node.
 */
export async function createEdgeApp(env: EdgeEnv): Promise<EdgeFetch | StatusError> {
  const policy = edgeSecurity(env);
  if (policy instanceof StatusError) return policy;
  const security = settle(policy);
  const clock = systemClock;
  const log = createLogger('warn', (line) => console.error(line));
  const registry = await openEdgeRegistry(env.KUBECONFIG ?? '', clock, log);
  const views = createViewStore({ registry, clock, log, watch: false });
  const app = createApp({ registry, clock, log, security, views, contextStore: noContextStore });
  app.route('/', nodeOnlyRoutes());
  const admit = createAdmission(security);
  return async (request) => {
    const refused = await upgradeRefusal(request, admit);
    return refused === undefined ? app.fetch(request) : statusResponse(refused.toStatus());
  };
}
