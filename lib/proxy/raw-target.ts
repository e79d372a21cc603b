import type { ClusterConnection, ClusterRegistry } from '../clusters/types';
import { StatusError } from '../errors';

/**
 * The request target of a `/raw/clusters/<context>/<path>?<query>` call, checked so that the upstream
 * request goes to exactly the path the caller wrote and nowhere else.
 *
 * It is parsed from the raw request target (Node's `req.url`) whenever one is available: a WHATWG URL
 * has already resolved `..` and `%2e%2e`, so the trick would be invisible and silently "fixed" into a
 * path the caller never named.
 */
export interface RawTarget {
  /** The kubeconfig context name, decoded. */
  context: string;
  /** The Kubernetes API path exactly as received (still percent-encoded): empty, or starting with `/`. */
  path: string;
  /** Everything after the first `?`, byte for byte; undefined when there was no `?`. */
  query: string | undefined;
}

export const RAW_PREFIX = '/raw/clusters/';
/** Longer targets are refused before any parsing; no Kubernetes path comes near this. */
export const MAX_TARGET_LENGTH = 8192;

function badRequest(message: string): StatusError {
  return new StatusError('BadRequest', message);
}

/**
 * Encoded bytes that would change the path once the upstream decodes it: `/` and `\` (new segments),
 * NUL and other control characters; also `%` not followed by two hex digits.
 */
const FORBIDDEN_ESCAPE = /%(?![0-9a-fA-F]{2})|%(?:2[fF]|5[cC]|[01][0-9a-fA-F]|7[fF])/;
/** Literal characters with no business in a path: backslash, controls, space, fragment, non-ASCII. */
const FORBIDDEN_CHAR = /[\\\x00-\x20\x7f#\u0080-\uffff]/;
/** A "." or ".." segment, plain or percent-encoded, anywhere in the path. */
const DOT_SEGMENT = /\/(?:\.|%2[eE]){1,2}(?=\/|$)/;

/** Why this API path is unsafe to forward, or undefined when it is fine. */
function unsafePath(path: string): string | undefined {
  if (path !== '' && path.charCodeAt(0) !== 0x2f) return 'the path after the context must start with "/"';
  if (FORBIDDEN_CHAR.test(path))
    return 'the path contains a backslash, "#", a control character, a space or a raw non-ASCII byte';
  if (FORBIDDEN_ESCAPE.test(path))
    return 'the path contains an encoded "/", "\\" or control character, or a malformed "%" escape';
  if (DOT_SEGMENT.test(path)) return 'the path contains a "." or ".." segment';
  // A trailing slash is harmless; an empty segment is not a path anyone names.
  if (path.includes('//')) return 'the path contains an empty segment ("//")';
  return undefined;
}

function decodeSegment(encoded: string): string {
  if (!encoded.includes('%')) return encoded;
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw badRequest('the context segment is not valid percent-encoding');
  }
}

/** Context names with "/" that clients sent unencoded are tried on at most this many segments. */
const MAX_CONTEXT_SEGMENTS = 8;

/**
 * Where the context name ends. Normally at the first "/", as the name is URL-encoded. But clients
 * built on client-go (kubectl with `--server .../raw/clusters/arn%3A...%2Fprod`) decode the path before
 * sending it, so a name such as `arn:aws:eks:…:cluster/prod` arrives split over segments: when the
 * first segment names no context, the shortest run of segments that does is taken.
 */
function splitContext(
  rest: string,
  isContext: ((name: string) => boolean) | undefined,
): { context: string; path: string } {
  const slash = rest.indexOf('/');
  const first = decodeSegment(slash === -1 ? rest : rest.slice(0, slash));
  if (isContext !== undefined && !isContext(first)) {
    const segments = rest.split('/');
    let joined = first;
    for (let n = 2; n <= Math.min(segments.length, MAX_CONTEXT_SEGMENTS); n++) {
      joined += '/' + decodeSegment(segments[n - 1] as string);
      if (isContext(joined))
        return { context: joined, path: n === segments.length ? '' : '/' + segments.slice(n).join('/') };
    }
  }
  return { context: first, path: slash === -1 ? '' : rest.slice(slash) };
}

/**
 * Splits and checks a raw request target that starts with `/raw/clusters/`.
 * `isContext` (the registry's names) lets a context name with an unencoded "/" be recognised.
 * Throws StatusError 400 for anything that could reach a path the caller did not name.
 */
export function parseRawTarget(target: string, isContext?: (name: string) => boolean): RawTarget {
  if (target.length > MAX_TARGET_LENGTH)
    throw badRequest(`the request target is longer than ${MAX_TARGET_LENGTH} bytes`);
  if (!target.startsWith(RAW_PREFIX)) throw badRequest(`the request target must start with ${RAW_PREFIX}`);
  const q = target.indexOf('?');
  const pathPart = q === -1 ? target : target.slice(0, q);
  const query = q === -1 ? undefined : target.slice(q + 1);
  const { context, path } = splitContext(pathPart.slice(RAW_PREFIX.length), isContext);
  if (context === '') throw badRequest('the context name is missing: /raw/clusters/<context>/<path>');
  if (/[\x00-\x1f\x7f]/.test(context)) throw badRequest('the context name contains a control character');

  const why = unsafePath(path);
  if (why !== undefined) throw badRequest(`refusing to forward ${JSON.stringify(path)}: ${why}`);
  return { context, path, query };
}

/** The path and query to request from a cluster whose base URL is `server` (which may carry a path prefix). */
export function upstreamPath(server: URL, target: RawTarget): string {
  const prefix = server.pathname.replace(/\/+$/, '');
  const path = target.path === '' ? '/' : target.path;
  return target.query === undefined ? prefix + path : `${prefix}${path}?${target.query}`;
}

function queryFlag(query: string | undefined, name: string): boolean {
  if (query === undefined) return false;
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    const key = eq === -1 ? pair : pair.slice(0, eq);
    if (key !== name) continue;
    const value = eq === -1 ? '' : pair.slice(eq + 1).toLowerCase();
    // The API server parses these with strconv.ParseBool; only explicit false values switch them off.
    return value !== 'false' && value !== '0' && value !== 'f';
  }
  return false;
}

/**
 * Watches (`?watch=`, the legacy `/watch/` paths) and followed logs stay open for as long as the client
 * wants, with long quiet gaps: they must not be cut by an idle timeout.
 */
export function isLongRunning(target: RawTarget): boolean {
  return isWatch(target) || queryFlag(target.query, 'follow');
}

/** `?watch=` or a legacy `/watch/` path: what the open-watches gauge counts. */
export function isWatch(target: RawTarget): boolean {
  return queryFlag(target.query, 'watch') || /^\/(?:api\/[^/]+|apis\/[^/]+\/[^/]+)\/watch\//.test(target.path);
}

/** `POST`/`PUT /raw/clusters/:cluster` with no API path is the apply route, which this proxy leaves to its own handler. */
export function isApplyRoute(method: string, target: RawTarget): boolean {
  return target.path === '' && (method === 'POST' || method === 'PUT');
}

/**
 * The target and the connection of its context. The plain split is tried first (one map lookup); the
 * registry's name list is consulted only when that names no context, for names sent with a raw "/".
 * Throws StatusError: 400 for an unsafe target, 404 unknown context, 503 context that failed to load.
 */
export function resolveRawTarget(
  registry: ClusterRegistry,
  rawTarget: string,
): { target: RawTarget; conn: ClusterConnection } {
  const target = parseRawTarget(rawTarget);
  try {
    return { target, conn: registry.connection(target.context) };
  } catch (err) {
    if (!(err instanceof StatusError) || err.code !== 404) throw err;
    const names = new Set(registry.contexts().map((c) => c.name));
    const again = parseRawTarget(rawTarget, (name) => names.has(name));
    if (again.context === target.context) throw err;
    return { target: again, conn: registry.connection(again.context) };
  }
}
