import { StatusError } from './errors';

/**
 * Who may talk to kore-board at all, decided from request headers alone. One pure function shared by the
 * Hono middleware, the Node fast path and the upgrade listener, so no entrance skips a check.
 */
export interface AdmissionPolicy {
  /** Host names accepted besides the loopback names (ports are not compared). */
  allowedHosts: readonly string[];
  /** Exact origins of other sites trusted to act through kore-board (CORS); the request's own origin always is. */
  allowOrigins: readonly string[];
  /** When set, callers present it as `Authorization: Bearer <token>` or in the login cookie. */
  authToken: string | undefined;
}

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
  /** `?token=` of a login link: only the app's entrance passes it (it then sets the cookie and redirects). */
  queryToken?: string | undefined;
}

export type Admit = (req: AdmissionRequest) => StatusError | undefined;

/** What an entrance knows about the app besides the policy. */
export interface AdmissionOptions {
  /**
   * A web UI is served from a folder (`--ui-dir`): GET/HEAD of a path outside the API's prefixes then needs no
   * token. The UI's files hold no data, and its sign-in page must load before the user has signed in.
   */
  uiFiles?: boolean;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
/** Probes come from the kubelet, which cannot hold our token. */
const UNAUTHENTICATED_PATHS = new Set(['/healthz', '/readyz', '/healthy']);
/** The UI's sign-in: GET says how to sign in, POST trades the token for the login cookie; neither can need it. */
const LOGIN_PATH = '/api/auth/login';
const LOGIN_METHODS = new Set(['GET', 'HEAD', 'POST']);
/** Paths that are the API's, whatever files a UI folder holds: the token guards them and their misses stay Status 404s. */
const API_PREFIXES = ['/api', '/raw', '/metrics', '/healthz', '/readyz', '/healthy', '/token'];
/** A week: the token itself outlives restarts (it is kept in the data dir), so a browser need not sign in daily. */
const LOGIN_COOKIE_MAX_AGE_S = 7 * 24 * 3600;
/** Methods a foreign page may send and still be served (never with CORS headers, so it cannot read the answer). */
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** The hostname part of a Host header, lower-cased; brackets kept for IPv6 literals. */
export function hostnameOf(host: string): string {
  const trimmed = host.trim().toLowerCase();
  if (trimmed.startsWith('[')) return trimmed.slice(0, trimmed.indexOf(']') + 1);
  const colon = trimmed.lastIndexOf(':');
  return colon === -1 ? trimmed : trimmed.slice(0, colon);
}

function bracketed(name: string): string {
  return name.includes(':') && !name.startsWith('[') ? `[${name}]` : name;
}

/**
 * The login cookie's name. Browsers send a host's cookies to every port of it, so the port is in the name:
 * two kore-boards on one machine keep apart instead of overwriting each other's cookie.
 */
export function loginCookieName(host: string): string {
  const port = host.trim().slice(hostnameOf(host).length + 1);
  return port === '' ? 'kore-board-token' : `kore-board-token-${port}`;
}

/**
 * The `Set-Cookie` that signs a browser in (HttpOnly, SameSite=Strict, a week), or with no token, the one that signs
 * it out (Max-Age=0). The login link (`/?token=`) and `POST /api/auth/login` both set it.
 */
export function loginCookie(host: string, token: string | undefined): string {
  const maxAge = token === undefined ? 0 : LOGIN_COOKIE_MAX_AGE_S;
  return `${loginCookieName(host)}=${token ?? ''}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}`;
}

/**
 * Whether a path is the API's. Also true when it would be once decoded, with doubled slashes, backslashes or
 * another case: a path that merely looks like a file's is never let past the token.
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

/** One cookie's value from a `Cookie` header, or undefined. */
function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq !== -1 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The foreign page a browser request comes from, or undefined when it comes from our own origin, a trusted
 * one, or no browser at all (kubectl and curl send neither header).
 */
function foreignPage(req: AdmissionRequest, trusted: ReadonlySet<string>): string | undefined {
  const origin = req.origin;
  if (origin !== undefined) {
    if (trusted.has(origin)) return undefined;
    const host = req.host?.trim().toLowerCase();
    const lower = origin.toLowerCase();
    // Our own origin is whatever scheme reached the Host the browser used (TLS may end at a proxy in front).
    if (host !== undefined && (lower === `http://${host}` || lower === `https://${host}`)) return undefined;
    return `origin ${JSON.stringify(origin)}`;
  }
  return req.fetchSite === 'cross-site' ? 'a cross-site page' : undefined;
}

/** Requests that need no token: probes, the UI's sign-in, and (with a UI) reads of the UI's own files. */
function isOpen(req: AdmissionRequest, uiFiles: boolean): boolean {
  if (UNAUTHENTICATED_PATHS.has(req.path)) return true;
  if (req.path === LOGIN_PATH) return LOGIN_METHODS.has(req.method);
  return uiFiles && !req.upgrade && SAFE_METHODS.has(req.method) && !isApiPath(req.path);
}

export function createAdmission(policy: AdmissionPolicy, { uiFiles = false }: AdmissionOptions = {}): Admit {
  const hosts = new Set([...LOOPBACK_NAMES, ...policy.allowedHosts.map((h) => hostnameOf(bracketed(h)))]);
  const trusted = new Set(policy.allowOrigins);
  const token = policy.authToken;
  return (req) => {
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
    if (token === undefined || isOpen(req, uiFiles)) return undefined;
    if (presentsToken(req, token)) return undefined;
    return new StatusError(
      'Unauthorized',
      'kore-board requires its access token: "Authorization: Bearer <token>", kubectl --server http://HOST:PORT/token/<token>/raw/clusters/<context>, or the login URL printed at start',
    );
  };
}

/** The token in `Authorization: Bearer <token>`. */
function bearerToken(header: string | undefined): string | undefined {
  return header !== undefined && /^bearer /i.test(header) ? header.slice(7).trim() : undefined;
}

function presentsToken(req: AdmissionRequest, token: string): boolean {
  const cookie = req.host === undefined ? undefined : cookieValue(req.cookie, loginCookieName(req.host));
  return [bearerToken(req.authorization), cookie, req.queryToken].some((given) => tokenMatches(given, token));
}

/** Whether `given` is the access token; false when there is none to match. */
export function tokenMatches(given: string | undefined, token: string | undefined): boolean {
  return given !== undefined && token !== undefined && constantTimeEqual(given, token);
}

/** Compares without an early exit, so response time does not reveal how much of a guess was right. */
function constantTimeEqual(given: string, expected: string): boolean {
  let diff = given.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) diff |= (given.charCodeAt(i) | 0) ^ expected.charCodeAt(i);
  return diff === 0;
}
