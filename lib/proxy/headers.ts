/**
 * Which headers cross the proxy. Hop-by-hop headers describe one connection and stop here, in both
 * directions. Going up, what the caller says about itself (credentials, origin, where it came from) stays
 * with kore-board: the context's credentials are applied instead. Coming back, a cluster (or whatever pod
 * answers through its proxy subresource) must not act on kore-board's origin, which every cluster shares:
 * such headers are dropped, and every answer is sandboxed.
 */

/** Header values as Node and undici carry them: lower-case names, repeated headers as arrays. */
export type HeaderValue = string | string[];
export type HeaderMap = Record<string, HeaderValue>;
export type IncomingHeaderMap = Readonly<Record<string, HeaderValue | undefined>>;

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

/** Identity of the caller towards kore-board, not towards the cluster. */
const CALLER_ONLY = new Set([
  'authorization',
  'cookie',
  // kore-board judges a browser's origin (admission, its own CORS); an API server with CORS enabled would
  // otherwise answer for our origin.
  'origin',
  // Where the caller claims to come from: a cluster that trusts a front proxy would take it as proven.
  'forwarded',
  'x-real-ip',
  // undici sets Host from the cluster URL.
  'host',
  // undici refuses `expect`; Kubernetes clients do not send it.
  'expect',
]);

function callerOnly(name: string): boolean {
  return (
    CALLER_ONLY.has(name) ||
    // h2's pseudo-headers (`:method`, `:path`, `:authority`) are the request line, which the proxy writes itself.
    name.startsWith(':') ||
    name.startsWith('impersonate-') ||
    // The front-proxy identity headers (kube-apiserver's --requestheader-*-headers convention).
    name.startsWith('x-remote-') ||
    name.startsWith('x-forwarded-')
  );
}

/** Response headers by which a cluster would act on our origin rather than describe its own answer. */
const ACTS_ON_OUR_ORIGIN = new Set([
  // Cookies for our origin, readable by every page of it.
  'set-cookie',
  // Ours replace them (an upstream `report-uri` would also learn what our pages do).
  'content-security-policy',
  'content-security-policy-report-only',
  'x-content-type-options',
  // Erases our origin's cookies and storage.
  'clear-site-data',
  // Origin- or host-wide policies: HTTPS pinning, another place to reach our origin at, reports about our
  // origin's traffic sent to the cluster's endpoint, a service worker scope over all of it.
  'strict-transport-security',
  'alt-svc',
  'nel',
  'report-to',
  'reporting-endpoints',
  'service-worker-allowed',
  // A browser login prompt that would show our host name; no Kubernetes client reads the challenge.
  'www-authenticate',
]);

function actsOnOurOrigin(name: string): boolean {
  // A cluster's CORS answer would let foreign pages read through us with the browser's credentials.
  return ACTS_ON_OUR_ORIGIN.has(name) || name.startsWith('access-control-');
}

function isProxyHeader(name: string): boolean {
  return name.startsWith('proxy-');
}

/** `Connection` values that name no other header (the common case: skip the parsing). */
const PLAIN_CONNECTION = /^\s*(?:keep-alive|close|upgrade)\s*$/i;

/** Names listed in `Connection` are hop-by-hop too (RFC 9110 §7.6.1). */
function connectionListed(value: HeaderValue): Set<string> | undefined {
  if (typeof value === 'string' && PLAIN_CONNECTION.test(value)) return undefined;
  const listed = new Set<string>();
  for (const line of Array.isArray(value) ? value : [value]) {
    for (const token of line.split(',')) {
      const name = token.trim().toLowerCase();
      if (name !== '') listed.add(name);
    }
  }
  return listed;
}

/** Names must be lower-case, as Node, undici and Fetch `Headers` all give them. Copied into `out`. */
function copyExcept(headers: IncomingHeaderMap, drop: (name: string) => boolean, out: HeaderMap): HeaderMap {
  const connection = headers['connection'];
  const listed = connection === undefined ? undefined : connectionListed(connection);
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name) || isProxyHeader(name) || listed?.has(name) === true || drop(name))
      continue;
    out[name] = value;
  }
  return out;
}

/**
 * The caller's headers as the cluster should see them, with the context's credentials (bearer token,
 * impersonation) applied last so nothing the caller sends can override them.
 * With `upgrade`, `Connection`/`Upgrade` are still removed: undici writes them from its `upgrade` option.
 */
export function upstreamRequestHeaders(
  incoming: IncomingHeaderMap,
  credentials: Readonly<Record<string, HeaderValue>>,
): HeaderMap {
  const out = copyExcept(incoming, callerOnly, {});
  for (const [name, value] of Object.entries(credentials)) out[name.toLowerCase()] = value;
  return out;
}

/**
 * Kubernetes API media types (`;stream=watch`, `;as=Table` and the like are parameters). A browser shows
 * them as data; everything else, a pod's HTML behind the proxy subresource above all, is a document.
 */
const API_MEDIA_TYPES = new Set(['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']);

function isApiMediaType(contentType: HeaderValue | undefined): boolean {
  if (typeof contentType !== 'string') return false;
  // The usual value is exactly one of them: no parsing.
  if (API_MEDIA_TYPES.has(contentType)) return true;
  const semicolon = contentType.indexOf(';');
  return API_MEDIA_TYPES.has((semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase());
}

/**
 * `sandbox` gives the document an opaque origin and no scripts, forms, popups or top navigation: nothing
 * in it can reach our origin's cookies or APIs. Data is never parsed as markup (nosniff keeps it so), so
 * that is all it needs. Anything else may be markup, which could still frame kore-board's own pages (to
 * trick a click) or send what it shows to another site through an image or a style sheet:
 * `default-src 'none'` lets it load nothing. `text/plain` (logs) counts as markup here: it renders the
 * same without subresources, and a pod behind the proxy subresource picks its own content type.
 */
const DATA_POLICY = 'sandbox';
const DOCUMENT_POLICY = "sandbox; default-src 'none'";

/** What every answer through `/raw` carries, kore-board's own Status answers included. */
export const SANDBOX_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': DATA_POLICY,
  'x-content-type-options': 'nosniff',
};

/** The cluster's response headers as the caller should see them. Content-Encoding and Content-Length pass as they are. */
export function clientResponseHeaders(upstream: IncomingHeaderMap): HeaderMap {
  // Ours first: the upstream's own are dropped on the way.
  const policy = isApiMediaType(upstream['content-type']) ? DATA_POLICY : DOCUMENT_POLICY;
  return copyExcept(upstream, actsOnOurOrigin, {
    'content-security-policy': policy,
    'x-content-type-options': 'nosniff',
  });
}

/**
 * The headers of a successful upgrade (101), which a browser reads too (it stores a WebSocket handshake's
 * cookies): the handshake's own (`Connection`, `Upgrade`, `Sec-WebSocket-*`) stay; no document follows, so no policy.
 */
export function upgradedResponseHeaders(upstream: IncomingHeaderMap): HeaderMap {
  const out: HeaderMap = {};
  for (const name in upstream) {
    const value = upstream[name];
    if (value !== undefined && !actsOnOurOrigin(name)) out[name] = value;
  }
  return out;
}

/** Whether a request carries a body, judged the way HTTP/1.1 frames it. */
export function hasRequestBody(headers: IncomingHeaderMap): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return typeof length === 'string' && length !== '0';
}
