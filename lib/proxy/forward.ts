import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { ClusterConnection, CredentialHeaders } from '../clusters/types';
import { StatusError, toStatusError } from '../errors';
import {
  clientResponseHeaders,
  upgradedResponseHeaders,
  upstreamRequestHeaders,
  type HeaderMap,
  type IncomingHeaderMap,
} from './headers';
import { isLongRunning, isWatch, upstreamPath, type RawTarget } from './raw-target';
import { ReplayableBody } from './replayable-body';
import { declaredTooLarge, withinLimit } from './body-limit';
import { upstreamError } from './upstream-error';

/**
 * One proxied request: sent with the context's credentials through its pooled dispatcher, the answer
 * streamed into a sink chunk by chunk with backpressure. Nothing is buffered whole. A 401 is retried
 * once after the credentials were refreshed, when the body (if any) can still be replayed.
 */

/**
 * How forward learns that the caller left. An AbortSignal is one; the Node entrances pass a cheaper
 * one (creating an AbortController costs more than the rest of a small request's bookkeeping).
 */
export interface LeaveSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface ForwardRequest {
  method: string;
  target: RawTarget;
  headers: IncomingHeaderMap;
  /** The caller's body, when the request has one; read as it arrives. */
  body: AsyncIterable<Uint8Array> | undefined;
  /** Aborted when the caller goes away; the upstream request is then cancelled. */
  signal: LeaveSignal;
  /** The `Upgrade` protocol(s) for exec/attach/port-forward; sent over the HTTP/1.1 upgrade dispatcher. */
  upgrade?: string;
}

/** Where the answer goes: a Node response, or a web ReadableStream. */
export interface ResponseSink {
  start(statusCode: number, headers: HeaderMap): void;
  /** False when the caller is not keeping up; `waitDrain` then gets the function that resumes reading. */
  write(chunk: Uint8Array): boolean;
  waitDrain(resume: () => void): void;
  end(): void;
  /** Before `start`: answer with this Status (with SANDBOX_HEADERS, like every answer). After: cut the stream so the caller sees an error, not a clean end. */
  fail(error: StatusError): void;
  /** The caller left: release everything quietly, nobody is reading any more. */
  abandon(): void;
  /** The cluster switched protocols (101): the socket now belongs to the sink. */
  upgraded?(headers: HeaderMap, socket: Duplex): void;
}

export interface ForwardOptions {
  /** How long a cluster may take to send response headers (every request, upgrades and watches included). */
  headersTimeout: number;
  /** Longest silence inside a response body; watches and followed logs have none. */
  bodyTimeout: number;
  /** `--max-body`: a request body beyond this many bytes is refused (413), before or while it is sent. Default: none. */
  maxBodyBytes?: number;
  /** Where failures and open watches are counted (kore-board's own metrics); absent: nowhere. */
  telemetry?: ForwardTelemetry;
}

/** What the proxy reports to kore-board's own metrics (lib/telemetry/proxy-metrics.ts). */
export interface ForwardTelemetry {
  /** The cluster could not be reached or stopped answering (not: the caller left). */
  upstreamFailed(context: string, err: unknown): void;
  /** A watch went out; the function returned is called once, when it ends. */
  watchOpened(context: string): () => void;
}

/** `--upstream-timeout`: one bound for a frozen cluster, before its answer starts and while it flows. */
export function forwardOptions(upstreamTimeoutMs: number): ForwardOptions {
  return { headersTimeout: upstreamTimeoutMs, bodyTimeout: upstreamTimeoutMs };
}

export const DEFAULT_UPSTREAM_TIMEOUT_MS = 30_000;

export const DEFAULT_FORWARD_OPTIONS: ForwardOptions = forwardOptions(DEFAULT_UPSTREAM_TIMEOUT_MS);

/** A 401 kept back while fresh credentials are fetched; small (a Status), with a cap in case it is not. */
interface HeldUnauthorized {
  headers: HeaderMap;
  chunks: Buffer[];
}
const HELD_401_LIMIT = 64 * 1024;

type Outcome = { kind: 'done' } | { kind: 'unauthorized'; held: HeldUnauthorized };

interface Attempt {
  conn: ClusterConnection;
  req: ForwardRequest;
  body: AsyncIterable<Uint8Array> | undefined;
  credentials: CredentialHeaders;
  /** Whether a 401 may be held back for a retry. */
  mayRetry: () => boolean;
  sink: ResponseSink;
  options: ForwardOptions;
}

function sendOnce(a: Attempt): Promise<Outcome> {
  const { conn, req, sink } = a;
  return new Promise<Outcome>((resolve) => {
    let controller: Dispatcher.DispatchController | undefined;
    let held: HeldUnauthorized | undefined;
    let heldBytes = 0;
    const onAbort = () => controller?.abort(new StatusError('InternalError', 'the client went away'));
    const settle = (outcome: Outcome) => {
      req.signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const pass = (chunk: Buffer, ctl: Dispatcher.DispatchController) => {
      if (!sink.write(chunk)) {
        ctl.pause();
        sink.waitDrain(() => ctl.resume());
      }
    };
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(ctl) {
        controller = ctl;
        if (req.signal.aborted) onAbort();
      },
      onRequestUpgrade(_ctl, _statusCode, headers, socket) {
        if (sink.upgraded === undefined) socket.destroy();
        else sink.upgraded(upgradedResponseHeaders(headers), socket);
        settle({ kind: 'done' });
      },
      onResponseStart(_ctl, statusCode, headers) {
        const filtered = clientResponseHeaders(headers);
        if (statusCode === 401 && a.mayRetry()) held = { headers: filtered, chunks: [] };
        else sink.start(statusCode, filtered);
      },
      onResponseData(ctl, chunk) {
        if (held === undefined) return pass(chunk, ctl);
        heldBytes += chunk.length;
        held.chunks.push(chunk);
        if (heldBytes <= HELD_401_LIMIT) return;
        // Not a small Status after all: give up the retry and stream it on as it is.
        sink.start(401, held.headers);
        const kept = held.chunks;
        held = undefined;
        for (const c of kept) pass(c, ctl);
      },
      onResponseEnd() {
        if (held !== undefined) return settle({ kind: 'unauthorized', held });
        sink.end();
        settle({ kind: 'done' });
      },
      onResponseError(_ctl, err) {
        if (req.signal.aborted) sink.abandon();
        else {
          a.options.telemetry?.upstreamFailed(conn.context.name, err);
          const { headersTimeout: headersMs, bodyTimeout: bodyMs } = a.options;
          sink.fail(upstreamError(conn.context.name, conn.server, err, { headersMs, bodyMs }));
        }
        settle({ kind: 'done' });
      },
    };
    if (req.signal.aborted) {
      sink.abandon();
      return settle({ kind: 'done' });
    }
    req.signal.addEventListener('abort', onAbort);
    const longRunning = isLongRunning(req.target);
    const dispatcher = req.upgrade === undefined ? conn.dispatcher : conn.upgradeDispatcher;
    dispatcher.dispatch(
      {
        origin: conn.server.origin,
        upgrade: req.upgrade ?? null,
        path: upstreamPath(conn.server, req.target),
        method: req.method,
        headers: upstreamRequestHeaders(req.headers, a.credentials),
        body: a.body === undefined ? null : (a.body as unknown as Dispatcher.DispatchOptions['body']),
        headersTimeout: a.options.headersTimeout,
        bodyTimeout: longRunning ? 0 : a.options.bodyTimeout,
      },
      handler,
    );
  });
}

function relay(sink: ResponseSink, held: HeldUnauthorized): void {
  sink.start(401, held.headers);
  for (const chunk of held.chunks) sink.write(chunk);
  sink.end();
}

/** Sends the request and streams the answer into `sink`; always settles the sink (start…end, or fail). */
export function forward(
  conn: ClusterConnection,
  req: ForwardRequest,
  sink: ResponseSink,
  options: ForwardOptions = DEFAULT_FORWARD_OPTIONS,
): Promise<void> {
  const ended = isWatch(req.target) ? options.telemetry?.watchOpened(conn.context.name) : undefined;
  const sent = send(conn, req, sink, options);
  return ended === undefined ? sent : sent.finally(ended);
}

async function send(
  conn: ClusterConnection,
  req: ForwardRequest,
  sink: ResponseSink,
  options: ForwardOptions,
): Promise<void> {
  const limit = options.maxBodyBytes;
  const refused = limit === undefined || req.body === undefined ? undefined : declaredTooLarge(req.headers, limit);
  if (refused !== undefined) return sink.fail(refused);
  const given = limit === undefined || req.body === undefined ? req.body : withinLimit(req.body, limit);
  const body = given === undefined ? undefined : new ReplayableBody(given);
  const mayRetry = () => body === undefined || body.replayable;
  let credentials: CredentialHeaders;
  try {
    // A connection's credentials() already fails as a 503 that names the context.
    credentials = await conn.credentials();
  } catch (err) {
    return sink.fail(toStatusError(err));
  }
  const first = await sendOnce({ conn, req, body: body?.stream(), credentials, mayRetry, sink, options });
  if (first.kind === 'done') return;

  let refreshed = false;
  try {
    refreshed = (await conn.refreshCredentials(credentials)) && mayRetry() && !req.signal.aborted;
    if (refreshed) credentials = await conn.credentials();
  } catch {
    refreshed = false;
  }
  if (!refreshed) return relay(sink, first.held);
  await sendOnce({ conn, req, body: body?.replay(), credentials, mayRetry: () => false, sink, options });
}
