import type { ClusterConnection } from '../clusters/types';
import { isStatus, StatusError } from '../errors';
import { bodyError, kubeRequest } from './request';

/** An object event; bookmarks only carry a resourceVersion to resume from. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  object: { metadata?: { resourceVersion?: string } } & Record<string, unknown>;
}

export interface WatchOptions {
  resourceVersion: string;
  /** The server ends the watch after this long; the caller starts a new one from the last resourceVersion. */
  timeoutSeconds: number;
  signal?: AbortSignal;
  headersTimeoutMs?: number;
  /**
   * The longest silence on an open watch before it is given up and ends as if the server had closed it (the
   * caller resumes). A server that sends bookmarks is never silent this long; a frozen one, or a connection
   * that died without a word, is. Default: timeoutSeconds + 30 s.
   */
  silenceMs?: number;
  /** Called once the server accepted the watch (its response headers arrived). */
  onOpen?: () => void;
}

/** True for the error that means "your resourceVersion is too old: list again". */
export function isGone(err: unknown): boolean {
  return err instanceof StatusError && err.code === 410;
}

function statusErrorOf(status: unknown): StatusError {
  if (isStatus(status)) {
    const reason = status.code === 410 ? 'Gone' : 'InternalError';
    return new StatusError(reason, status.message ?? 'watch failed', status.details, { code: status.code });
  }
  return new StatusError('InternalError', `watch failed: ${JSON.stringify(status)}`);
}

function parseEvent(conn: ClusterConnection, line: string): WatchEvent {
  let event: { type?: unknown; object?: unknown };
  try {
    event = JSON.parse(line) as typeof event;
  } catch (err) {
    // Like a list's body: a 502 naming the context, not a bare SyntaxError that would read as our fault.
    throw bodyError(conn, err);
  }
  if (event.type === 'ERROR') throw statusErrorOf(event.object);
  if (event.type !== 'ADDED' && event.type !== 'MODIFIED' && event.type !== 'DELETED' && event.type !== 'BOOKMARK') {
    throw new StatusError('InternalError', `watch sent an event of unknown type ${JSON.stringify(event.type)}`);
  }
  if (typeof event.object !== 'object' || event.object === null)
    throw new StatusError('InternalError', 'watch sent an event without an object');
  return event as WatchEvent;
}

/** The body timeout of an open watch: nothing arrived for silenceMs. */
function isSilence(err: unknown): boolean {
  return err instanceof StatusError && (err.cause as { code?: unknown } | undefined)?.code === 'UND_ERR_BODY_TIMEOUT';
}

/** The body's chunks; a broken stream fails as a Status error naming the cluster. */
async function* readBody(
  conn: ClusterConnection,
  body: AsyncIterable<Uint8Array>,
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array> {
  try {
    yield* body;
  } catch (err) {
    if (signal?.aborted) throw err;
    throw bodyError(conn, err);
  }
}

/**
 * Watches a collection from a resourceVersion, yielding events as the API server streams them (one JSON
 * document per line, bookmarks allowed). Ends when the server closes the stream; throws a 410 StatusError
 * when the resourceVersion is too old — whether the server says so in the response or in an ERROR event.
 */
export async function* watchEvents(
  conn: ClusterConnection,
  path: string,
  options: WatchOptions,
): AsyncGenerator<WatchEvent> {
  const response = await kubeRequest(conn, {
    path,
    query: {
      watch: 1,
      allowWatchBookmarks: true,
      resourceVersion: options.resourceVersion,
      timeoutSeconds: options.timeoutSeconds,
    },
    signal: options.signal,
    headersTimeoutMs: options.headersTimeoutMs,
    // The server ends the stream after timeoutSeconds; a longer silence than that means the connection died.
    bodyTimeoutMs: options.silenceMs ?? (options.timeoutSeconds + 30) * 1000,
  });
  options.onOpen?.();
  const decoder = new TextDecoder();
  let pending = '';
  try {
    for await (const chunk of readBody(conn, response.body, options.signal)) {
      pending += decoder.decode(chunk, { stream: true });
      let start = 0;
      for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n', start)) {
        const line = pending.slice(start, newline).trim();
        start = newline + 1;
        if (line !== '') yield parseEvent(conn, line);
      }
      pending = pending.slice(start);
    }
    const last = (pending + decoder.decode()).trim();
    if (last !== '') yield parseEvent(conn, last);
  } catch (err) {
    if (!isSilence(err)) throw err;
  } finally {
    // Stops the stream when the consumer leaves early (an error in a handler, a stop).
    if (!response.body.destroyed) response.body.destroy();
  }
}
