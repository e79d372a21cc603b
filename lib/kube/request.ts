import type { Dispatcher } from 'undici';
import { request } from './undici';
import type { ClusterConnection } from '../clusters/types';
import { isStatus, STATUS_REASONS, StatusError, type StatusReason } from '../errors';
import { upstreamError } from '../proxy/upstream-error';

/**
 * One request to a cluster's API server through its connection: credentials added, one retry after a 401
 * when fresh credentials can be had, and every failure turned into a Status error — the cluster's own
 * Status when it answered, 502/504 when it could not be reached.
 */

/** An unreachable cluster must be reported within 10 s; leave room for the answer to travel. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 9_000;

export type QueryValue = string | number | boolean | undefined;

export interface KubeRequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API path without query, e.g. `/api/v1/namespaces/default/pods`. */
  path: string;
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Longest wait for the response headers. */
  headersTimeoutMs?: number;
  /** Longest silence between two chunks of the body; 0 waits forever. Default 60 s. */
  bodyTimeoutMs?: number;
}

/** undici's answer as it arrives: status and headers, the body a stream not yet read. */
export type StreamingKubeResponse = Dispatcher.ResponseData;

const MAX_ERROR_BODY = 1 << 20;

/** The URL of an API path on a cluster whose server URL may carry a path prefix (Rancher, proxies). */
export function apiUrl(server: URL, path: string, query?: Record<string, QueryValue>): URL {
  const url = new URL(server.href);
  url.pathname = server.pathname.replace(/\/+$/, '') + path;
  url.search = '';
  for (const [key, value] of Object.entries(query ?? {}))
    if (value !== undefined) url.searchParams.set(key, String(value));
  return url;
}

function reasonFor(code: number, reason: unknown): StatusReason {
  if (typeof reason === 'string' && reason in STATUS_REASONS) return reason as StatusReason;
  const byCode = (Object.keys(STATUS_REASONS) as StatusReason[]).find((r) => STATUS_REASONS[r] === code);
  return byCode ?? (code >= 500 ? 'InternalError' : 'BadRequest');
}

/** The cluster's answer to a failed request as a StatusError, keeping its message, reason and code. */
export async function responseError(response: StreamingKubeResponse): Promise<StatusError> {
  const code = response.statusCode;
  let text = '';
  for await (const chunk of response.body) {
    text += String(chunk);
    if (text.length > MAX_ERROR_BODY) {
      response.body.destroy();
      break;
    }
  }
  return answerError(code, text);
}

/** A failed answer's status code and body (a Status, or anything else) as a StatusError. */
export function answerError(code: number, text: string): StatusError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (isStatus(parsed)) {
    return new StatusError(
      reasonFor(code, parsed.reason),
      parsed.message ?? `the server responded with HTTP ${code}`,
      parsed.details,
      { code },
    );
  }
  const snippet = text.trim().slice(0, 200);
  return new StatusError(
    reasonFor(code, undefined),
    `the server responded with HTTP ${code}${snippet === '' ? '' : `: ${snippet}`}`,
    undefined,
    { code },
  );
}

async function send(conn: ClusterConnection, options: KubeRequestOptions): Promise<StreamingKubeResponse> {
  const headersTimeoutMs = options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
  const deadline = new AbortController();
  const signal = options.signal === undefined ? deadline.signal : AbortSignal.any([deadline.signal, options.signal]);
  const where = `context ${JSON.stringify(conn.context.name)}: ${conn.server.origin}`;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      deadline.abort();
      reject(new StatusError('Timeout', `${where}: no answer within ${headersTimeoutMs} ms`));
    }, headersTimeoutMs);
  });
  const attempt = (async () => {
    const credentials = await conn.credentials();
    return request(apiUrl(conn.server, options.path, options.query), {
      dispatcher: conn.dispatcher,
      method: options.method ?? 'GET',
      headers: { accept: 'application/json', ...credentials, ...options.headers },
      body: options.body ?? null,
      signal,
      headersTimeout: headersTimeoutMs,
      bodyTimeout: options.bodyTimeoutMs ?? 60_000,
    });
  })();
  try {
    // Raced, not just aborted: undici lets a connection attempt run to its own timeout before the abort lands.
    return await Promise.race([attempt, timedOut]);
  } catch (err) {
    if (err instanceof StatusError || options.signal?.aborted) throw err;
    throw upstreamError(conn.context.name, conn.server, err);
  } finally {
    clearTimeout(timer);
    // A late answer to a request given up on must not hold its connection.
    attempt.then(
      (response) => deadline.signal.aborted && response.body.destroy(),
      () => undefined,
    );
  }
}

/** Sends a request and returns the successful (2xx) response with its body unread; throws StatusError otherwise. */
export async function kubeRequest(
  conn: ClusterConnection,
  options: KubeRequestOptions,
): Promise<StreamingKubeResponse> {
  let response = await send(conn, options);
  if (response.statusCode === 401) {
    const rejected = await responseError(response);
    if (!(await conn.refreshCredentials())) throw rejected;
    response = await send(conn, options);
  }
  if (response.statusCode >= 200 && response.statusCode < 300) return response;
  throw await responseError(response);
}

/** A failure while reading an answer's body (the connection dropped, the JSON was cut), as a Status error. */
export function bodyError(conn: ClusterConnection, err: unknown): StatusError {
  if (err instanceof StatusError) return err;
  if (err instanceof SyntaxError)
    return new StatusError(
      'BadGateway',
      `context ${JSON.stringify(conn.context.name)}: ${conn.server.origin}: the answer is not valid JSON: ${err.message}`,
      undefined,
      { cause: err },
    );
  return upstreamError(conn.context.name, conn.server, err);
}

/** A request whose successful answer is one JSON document. */
export async function kubeJson<T>(conn: ClusterConnection, options: KubeRequestOptions): Promise<T> {
  const response = await kubeRequest(conn, options);
  try {
    return (await response.body.json()) as T;
  } catch (err) {
    if (options.signal?.aborted) throw err;
    throw bodyError(conn, err);
  }
}
