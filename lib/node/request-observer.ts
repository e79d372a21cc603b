import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { AccessLog } from '../telemetry/access-log';
import { methodLabel, UNMATCHED_ROUTE, type HttpMetrics } from '../telemetry/http-metrics';
import { REQUEST_ID_HEADER, requestIdOf } from '../telemetry/request-id';

/**
 * Every request the Node server takes, whichever entrance answers it: given its `X-Request-Id` (echoed on the
 * answer), then counted in the request metrics and written to the access log when its answer ends (a plain request)
 * or its socket closes (an upgrade). The Hono app reports the route it matched (`routed`); the `/raw` fast path is
 * one route; an upgrade's route is its prefix.
 */
export interface RequestObserver {
  request(req: IncomingMessage, res: ServerResponse): void;
  /** The `/raw` fast path took it: answered it, or admission refused it there. */
  fastPath(req: IncomingMessage): void;
  /** Admission named who a request the app does not see (the fast path's, an upgrade) acts as: the log's `user`. */
  admitted(req: IncomingMessage, user: string): void;
  /** The app matched it to `route` (a pattern), acting as `user` when authentication named one. */
  routed(req: IncomingMessage, route: string, user: string | undefined): void;
  /** An upgrade, dispatched to the route with this prefix (undefined: none). The socket is the caller's. */
  upgrade(req: IncomingMessage, socket: Duplex, prefix: string | undefined): void;
}

export interface RequestObserverOptions {
  metrics: HttpMetrics | undefined;
  accessLog: AccessLog | undefined;
  /** The route label of the fast path's answers. */
  fastPathRoute: string;
}

/** What is kept of a request until its answer ends. */
interface Track {
  id: string;
  start: number;
  route: string;
  user: string | undefined;
  bytesBefore: number;
}

const TRACK = Symbol('kore-board request track');
type Tracked = IncomingMessage & { [TRACK]?: Track };

/** `/raw/clusters/` → `/raw/clusters/*`: the prefix as the pattern the Routes table names. */
export function upgradeRoute(prefix: string | undefined): string {
  if (prefix === undefined) return UNMATCHED_ROUTE;
  return prefix.endsWith('/') ? `${prefix}*` : prefix;
}

/** The status line's code at the start of what an upgrade answers first, or undefined. */
function statusOf(head: string): number | undefined {
  const match = /^HTTP\/1\.1 (\d{3}) /.exec(head);
  return match === null ? undefined : Number(match[1]);
}

export function requestObserver(options: RequestObserverOptions): RequestObserver {
  const { metrics, accessLog, fastPathRoute } = options;
  const log = (req: IncomingMessage, track: Track, status: number, bytes: number) =>
    accessLog?.({
      id: track.id,
      method: req.method ?? '',
      path: req.url ?? '',
      route: track.route,
      status,
      ms: Math.round((performance.now() - track.start) * 1000) / 1000,
      bytes,
      remote: req.socket.remoteAddress,
      user: track.user,
    });
  // One listener function for every response (`this` is the response): nothing allocated per request for it.
  function ended(this: ServerResponse) {
    const req = this.req as Tracked;
    const track = req[TRACK];
    if (track === undefined) return;
    const status = this.headersSent ? this.statusCode : 0;
    metrics?.observe(track.route, methodLabel(req.method), status, (performance.now() - track.start) / 1000);
    log(req, track, status, req.socket.bytesWritten - track.bytesBefore);
  }

  return {
    request(req, res) {
      const id = requestIdOf(req.headers[REQUEST_ID_HEADER]);
      res.setHeader(REQUEST_ID_HEADER, id);
      const track: Track = {
        id,
        start: performance.now(),
        route: UNMATCHED_ROUTE,
        user: undefined,
        bytesBefore: req.socket.bytesWritten,
      };
      (req as Tracked)[TRACK] = track;
      res.once('close', ended);
    },
    fastPath(req) {
      const track = (req as Tracked)[TRACK];
      if (track !== undefined) track.route = fastPathRoute;
    },
    admitted(req, user) {
      const track = (req as Tracked)[TRACK];
      if (track !== undefined) track.user = user;
    },
    routed(req, route, user) {
      const track = (req as Tracked)[TRACK];
      if (track === undefined) return;
      track.route = route;
      track.user = user;
    },
    upgrade(req, socket, prefix) {
      const id = requestIdOf(req.headers[REQUEST_ID_HEADER]);
      const track: Track = {
        id,
        start: performance.now(),
        route: upgradeRoute(prefix),
        user: undefined,
        bytesBefore: (socket as Socket).bytesWritten ?? 0,
      };
      (req as Tracked)[TRACK] = track;
      let status = 0;
      // Whoever answers (the raw passthrough, the terminal's websocket server, a refusal) writes a status line first:
      // the id goes in after it, and its code is what the upgrade is counted under, as soon as it is known.
      const { write, end } = socket;
      const first = (chunk: unknown): unknown => {
        socket.write = write;
        socket.end = end;
        const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('latin1') : undefined;
        const code = text === undefined ? undefined : statusOf(text);
        if (text === undefined || code === undefined) return chunk;
        status = code;
        metrics?.observe(track.route, methodLabel(req.method), status, (performance.now() - track.start) / 1000);
        const eol = text.indexOf('\r\n');
        const withId = `${text.slice(0, eol + 2)}${REQUEST_ID_HEADER}: ${id}\r\n${text.slice(eol + 2)}`;
        return typeof chunk === 'string' ? withId : Buffer.from(withId, 'latin1');
      };
      socket.write = function (this: Duplex, chunk: unknown, ...rest: unknown[]) {
        return (write as (...args: unknown[]) => boolean).call(this, first(chunk), ...rest);
      } as Duplex['write'];
      socket.end = function (this: Duplex, ...args: unknown[]) {
        if (args.length > 0 && typeof args[0] !== 'function') args[0] = first(args[0]);
        return (end as (...a: unknown[]) => Duplex).apply(this, args);
      } as Duplex['end'];
      socket.once('close', () => {
        // Left before any answer: counted now, under 0.
        if (status === 0)
          metrics?.observe(track.route, methodLabel(req.method), 0, (performance.now() - track.start) / 1000);
        log(req, track, status, ((socket as Socket).bytesWritten ?? 0) - track.bytesBefore);
      });
    },
  };
}
