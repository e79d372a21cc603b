import { errorMessage, StatusError } from '../errors';

/**
 * Failures talking to a cluster, as Status errors that name the context and the cause, so a caller
 * can tell "the cluster is down" from "kore-board is broken" from "the TLS setup is wrong".
 */

const TIMEOUTS: Record<string, string> = {
  UND_ERR_CONNECT_TIMEOUT: 'timed out connecting',
  UND_ERR_HEADERS_TIMEOUT: 'timed out waiting for the response headers',
  UND_ERR_BODY_TIMEOUT: 'the response stalled',
};

/** The caller's limits, named in the message when one of them ran out (undici's connect timeout is its own). */
export interface UpstreamTimeouts {
  headersMs: number;
  bodyMs: number;
}

function limitOf(code: string, timeouts: UpstreamTimeouts | undefined): number | undefined {
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return timeouts?.headersMs;
  return code === 'UND_ERR_BODY_TIMEOUT' ? timeouts?.bodyMs : undefined;
}

const NETWORK: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed (temporary)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed while sending',
  UND_ERR_SOCKET: 'connection closed by the cluster',
  UND_ERR_CLOSED: 'connection pool closed',
  UND_ERR_DESTROYED: 'connection pool closed',
};

const CLIENT_FAULTS = new Set([
  'UND_ERR_INVALID_ARG',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
  'ERR_INVALID_CHAR',
  'ERR_INVALID_HTTP_TOKEN',
]);

/** Node's TLS verification codes (OpenSSL names) and its own TLS error codes. */
function isTlsCode(code: string): boolean {
  return /CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS_|ERR_SSL_|^EPROTO$/.test(code);
}

function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, errors, cause } = err as { code?: unknown; errors?: unknown; cause?: unknown };
  if (typeof code === 'string') return code;
  // Happy-eyeballs connects fail with an AggregateError holding one error per address.
  if (Array.isArray(errors) && errors.length > 0) return codeOf(errors[0]);
  return cause === undefined ? undefined : codeOf(cause);
}

function messageOf(err: unknown): string {
  // An AggregateError (happy eyeballs) may carry no message of its own: its first error's says why.
  const inner = err instanceof Error && err.message === '' ? (err as { errors?: unknown }).errors : undefined;
  return errorMessage(Array.isArray(inner) && inner[0] instanceof Error ? inner[0] : err);
}

export function upstreamError(context: string, server: URL, err: unknown, timeouts?: UpstreamTimeouts): StatusError {
  if (err instanceof StatusError) return err;
  const code = codeOf(err) ?? 'unknown';
  const detail = `${messageOf(err)} (${code})`;
  const where = `context ${JSON.stringify(context)}: ${server.origin}`;
  const options = { cause: err };
  const timeout = TIMEOUTS[code];
  if (timeout !== undefined) {
    const limit = limitOf(code, timeouts);
    const beyond = limit === undefined ? '' : ` for longer than the upstream timeout (${limit} ms)`;
    return new StatusError('Timeout', `${where}: ${timeout}${beyond}: ${detail}`, undefined, options);
  }
  if (CLIENT_FAULTS.has(code))
    return new StatusError('BadRequest', `${where}: the request cannot be forwarded: ${detail}`, undefined, options);
  if (isTlsCode(code))
    return new StatusError('BadGateway', `${where}: TLS handshake failed: ${detail}`, undefined, options);
  const network = NETWORK[code];
  return new StatusError('BadGateway', `${where}: ${network ?? 'request failed'}: ${detail}`, undefined, options);
}

/**
 * The cause of a failure as a bounded metric label: the code this module recognises (a timeout, a network failure, a
 * request that cannot be forwarded, a TLS code), `other` for a code it does not, `unknown` when there is none.
 */
export function upstreamCause(err: unknown): string {
  const code = codeOf(err);
  if (code === undefined) return 'unknown';
  const known = code in TIMEOUTS || code in NETWORK || CLIENT_FAULTS.has(code) || isTlsCode(code);
  return known ? code : 'other';
}
