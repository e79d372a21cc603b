/**
 * Which headers cross the proxy. Hop-by-hop headers describe one connection and stop here, in both
 * directions; the caller's own credentials never reach a cluster (the context's are applied instead).
 */

/** Header values as Node and undici carry them: lower-case names, repeated headers as arrays. */
export type HeaderValue = string | string[];
export type HeaderMap = Record<string, HeaderValue>;
export type IncomingHeaderMap = Readonly<Record<string, HeaderValue | undefined>>;

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'http2-settings']);

/** Identity of the caller towards kore-board, not towards the cluster. */
const CALLER_ONLY = new Set([
  'authorization',
  'cookie',
  // undici sets Host from the cluster URL.
  'host',
  // undici refuses `expect`; Kubernetes clients do not send it.
  'expect',
]);

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

/** Names must be lower-case, as Node, undici and Fetch `Headers` all give them. */
function copyExcept(headers: IncomingHeaderMap, drop: (name: string) => boolean): HeaderMap {
  const connection = headers['connection'];
  const listed = connection === undefined ? undefined : connectionListed(connection);
  const out: HeaderMap = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name) || isProxyHeader(name) || listed?.has(name) === true || drop(name)) continue;
    out[name] = value;
  }
  return out;
}

/**
 * The caller's headers as the cluster should see them, with the context's credentials (bearer token,
 * impersonation) applied last so nothing the caller sends can override them.
 * With `upgrade`, `Connection`/`Upgrade` are still removed: undici writes them from its `upgrade` option.
 */
export function upstreamRequestHeaders(incoming: IncomingHeaderMap, credentials: Readonly<Record<string, HeaderValue>>): HeaderMap {
  const out = copyExcept(incoming, (name) => CALLER_ONLY.has(name) || name.startsWith('impersonate-'));
  for (const [name, value] of Object.entries(credentials)) out[name.toLowerCase()] = value;
  return out;
}

/** The cluster's response headers as the caller should see them. Content-Encoding and Content-Length pass as they are. */
export function clientResponseHeaders(upstream: IncomingHeaderMap): HeaderMap {
  return copyExcept(upstream, () => false);
}

/** Whether a request carries a body, judged the way HTTP/1.1 frames it. */
export function hasRequestBody(headers: IncomingHeaderMap): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return typeof length === 'string' && length !== '0';
}
