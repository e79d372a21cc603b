import type { Authentication } from './auth/authentication';
import { authenticate } from './auth/authenticate';
import { csrfRefusal } from './auth/csrf';
import { OWNER, type Principal } from './auth/principal';
import { accessCookieName, cookieValue, hostnameOf } from './auth/session-cookies';
import { tokenAuthentication } from './auth/token-authentication';
import { systemClock } from './clock';
import { StatusError } from './errors';

export { hostnameOf };

/**
 * Who may talk to kore-board at all, and as whom: Host check → origin rule → authentication → a Principal. One
 * function shared by the Hono middleware, the Node fast path and the upgrade listener, so no entrance skips a check.
 */
export interface AdmissionPolicy {
  /** Host names accepted besides the loopback names (ports are not compared). */
  allowedHosts: readonly string[];
  /** Exact origins of other sites trusted to act through kore-board (CORS); the request's own origin always is. */
  allowOrigins: readonly string[];
  /** How callers sign in (lib/auth/authentication.ts). Absent: `authToken` decides. */
  auth?: Authentication;
  /** Shorthand for tests and the edge: token mode with this one static token; undefined with no `auth`: `none`. */
  authToken?: string | undefined;
}

/** A policy whose authentication is settled: every entrance of one kore-board shares this one. */
export type SettledPolicy = AdmissionPolicy & { auth: Authentication };

/** What admission reads of a request; every entrance fills it from its own request type. */
export interface AdmissionRequest {
  method: string;
  path: string;
  /** An upgrade (websocket, SPDY): browsers apply no CORS to these, so a foreign page is refused outright. */
  upgrade: boolean;
  host: string | undefined;
  origin: string | undefined;
  /** `Sec-Fetch-Site`, sent by browsers. */
  fetchSite: string | undefined;
  authorization: string | undefined;
  cookie: string | undefined;
  /** `X-Requested-With`: the CSRF header a cookie-authenticated state change must carry (lib/auth/csrf.ts). */
  requestedWith?: string | undefined;
  /** The peer's address, where failed sign-ins are counted. */
  clientAddress?: string | undefined;
}

/** Admitted: who the caller is, or undefined on an open path (probes, the sign-in, the UI's files) without credentials. */
export interface Admitted {
  principal: Principal | undefined;
}

export type Admit = (req: AdmissionRequest) => Promise<Admitted | StatusError>;

/** What an entrance knows about the app besides the policy. */
export interface AdmissionOptions {
  /**
   * A web UI is served from a folder (`--ui-dir`): GET/HEAD of a path outside the API's prefixes then needs no
   * sign-in. The UI's files hold no data, and its sign-in page must load before the user has signed in.
   */
  uiFiles?: boolean;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
/** Probes come from the kubelet, which cannot hold our token. */
const UNAUTHENTICATED_PATHS = new Set(['/healthz', '/readyz', '/healthy']);
/** The UI's sign-in, session refresh and sign-out: they take the credentials they act on, so they cannot need them. */
const SIGN_IN_ROUTES = new Map([
  ['/api/auth/login', new Set(['GET', 'HEAD', 'POST'])],
  ['/api/auth/token/refresh', new Set(['POST'])],
  // Signing out must work with an expired session too; it only ends what the request itself presents.
  ['/api/auth/logout', new Set(['GET'])],
]);
/** Paths that are the API's, whatever files a UI folder holds: sign-in guards them and their misses stay Status 404s. */
const API_PREFIXES = ['/api', '/raw', '/metrics', '/openapi.json', '/healthz', '/readyz', '/healthy', '/token'];
/** Methods a foreign page may send and still be served (never with CORS headers, so it cannot read the answer). */
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * The policy with its authentication made, once: the entrances of one kore-board must share it, or a session one
 * minted would not open another. Without `auth`: token mode with `authToken` (sessions signed with a key of this
 * process), or `none`.
 */
export function settle(policy: AdmissionPolicy): SettledPolicy {
  if (policy.auth !== undefined) return { ...policy, auth: policy.auth };
  const auth: Authentication =
    policy.authToken === undefined
      ? { mode: 'none' }
      : tokenAuthentication([policy.authToken], {
          sessionSecret: crypto.getRandomValues(new Uint8Array(32)),
          clock: systemClock,
        });
  return { ...policy, auth };
}

function bracketed(name: string): string {
  return name.includes(':') && !name.startsWith('[') ? `[${name}]` : name;
}

/**
 * Whether a path is the API's. Also true when it would be once decoded, with doubled slashes, backslashes or
 * another case: a path that merely looks like a file's is never let past the sign-in.
 */
export function isApiPath(path: string): boolean {
  let loose = path;
  try {
    loose = decodeURIComponent(path);
  } catch {
    // undecodable: compared as it is
  }
  loose = loose.replace(/[\\/]+/g, '/').toLowerCase();
  return [path, loose].some((p) => API_PREFIXES.some((prefix) => p === prefix || p.startsWith(`${prefix}/`)));
}

/** Whether the request's `Origin` is the origin of the Host it reached (by whatever scheme: TLS may end at a proxy). */
function isOwnOrigin(req: AdmissionRequest): boolean {
  const host = req.host?.trim().toLowerCase();
  const origin = req.origin?.toLowerCase();
  return host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
}

/**
 * The foreign page a browser request comes from, or undefined when it comes from our own origin, a trusted
 * one, or no browser at all (kubectl and curl send neither header).
 */
function foreignPage(req: AdmissionRequest, trusted: ReadonlySet<string>): string | undefined {
  if (req.origin !== undefined)
    return trusted.has(req.origin) || isOwnOrigin(req) ? undefined : `origin ${JSON.stringify(req.origin)}`;
  return req.fetchSite === 'cross-site' ? 'a cross-site page' : undefined;
}

/** Requests that need no sign-in: probes, the UI's sign-in, and (with a UI) reads of the UI's own files. */
function isOpen(req: AdmissionRequest, uiFiles: boolean): boolean {
  if (UNAUTHENTICATED_PATHS.has(req.path)) return true;
  const signIn = SIGN_IN_ROUTES.get(req.path);
  if (signIn !== undefined) return signIn.has(req.method);
  return uiFiles && !req.upgrade && SAFE_METHODS.has(req.method) && !isApiPath(req.path);
}

export function createAdmission(policy: SettledPolicy, { uiFiles = false }: AdmissionOptions = {}): Admit {
  const hosts = new Set([...LOOPBACK_NAMES, ...policy.allowedHosts.map((h) => hostnameOf(bracketed(h)))]);
  const trusted = new Set(policy.allowOrigins);
  const { auth } = policy;
  return async (req) => {
    // A page on an attacker's domain whose DNS name was rebound to 127.0.0.1 arrives with that name as Host.
    if (req.host === undefined || !hosts.has(hostnameOf(req.host))) {
      return new StatusError(
        'Forbidden',
        `host ${JSON.stringify(req.host ?? '')} is not allowed; use localhost or add it with --allow-host`,
      );
    }
    // The Host is right here, so this is the user's own browser carrying another page's request.
    if (req.upgrade || !SAFE_METHODS.has(req.method)) {
      const page = foreignPage(req, trusted);
      if (page !== undefined) {
        const what = req.upgrade ? 'an upgrade' : `a ${req.method} request`;
        return new StatusError(
          'Forbidden',
          `${what} from ${page} is refused: only kore-board's own pages and origins given with --allow-origin may change anything`,
        );
      }
    }
    // With `--auth none` everyone who reaches the address is the owner, on open paths too.
    if (isOpen(req, uiFiles)) return { principal: auth.mode === 'none' ? OWNER : undefined };
    const who = await authenticate(auth, {
      authorization: req.authorization,
      sessionCookie: cookieValue(req.cookie, accessCookieName(req.host)),
      clientAddress: req.clientAddress,
    });
    if (who instanceof StatusError) return who;
    if (who.viaCookie) {
      const csrf = csrfRefusal({
        method: req.method,
        csrfHeader: req.requestedWith !== undefined,
        // Our own origin, or one trusted with --allow-origin (which may add the header anyway, after a preflight).
        trustedOrigin: req.origin !== undefined && foreignPage(req, trusted) === undefined,
      });
      if (csrf !== undefined) return csrf;
    }
    return { principal: who.principal };
  };
}
