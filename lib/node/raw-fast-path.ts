import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../auth/principal';
import { connectionFor } from '../clusters/principal-connection';
import type { ClusterRegistry } from '../clusters/types';
import { StatusError, toStatusError } from '../errors';
import { DEFAULT_FORWARD_OPTIONS, forward, type ForwardOptions, type ResponseSink } from '../proxy/forward';
import { hasRequestBody } from '../proxy/headers';
import { isApplyRoute, isWatch, RAW_PREFIX, resolveRawTarget } from '../proxy/raw-target';
import { endingRetiredWatches } from '../proxy/retired-watch';
import { leaveSignal } from './leave-signal';
import type { NodeFastPath } from './server';
import { writeStatus } from './write-status';

/**
 * `/raw/clusters/...` served straight from Node's request to Node's response, skipping the Fetch
 * Request/Response objects (and their copies) that the Hono route needs. Same forwarding core as the
 * route in handlers/raw.ts.
 *
 * It also sees the raw request target, before any URL parser has resolved `..` or `%2e%2e`: every
 * `/raw/clusters/` request has its path checked here, even the ones passed on to the app.
 */

/**
 * How much may wait in the response buffer before the upstream is paused. Node's own mark (16 KiB) is
 * one TLS record: pausing at it stops and restarts the upstream socket for nearly every chunk.
 */
const MAX_BUFFERED = 256 * 1024;

function nodeSink(res: ServerResponse): ResponseSink {
  let corked = false;
  const uncork = () => {
    corked = false;
    res.uncork();
  };
  return {
    start(statusCode, headers) {
      if (!res.destroyed) res.writeHead(statusCode, headers);
    },
    write(chunk) {
      if (res.destroyed) return true;
      // TLS hands the body over record by record (16 KiB), each in its own callback: the chunks of one
      // event-loop turn go out in one write (nextTick would flush after every record).
      if (!corked) {
        corked = true;
        res.cork();
        setImmediate(uncork);
      }
      res.write(chunk);
      return res.writableLength < MAX_BUFFERED;
    },
    waitDrain: (resume) => void res.once('drain', resume),
    end: () => void res.end(),
    abandon: () => void res.destroy(),
    fail(error) {
      if (res.destroyed) return;
      if (res.headersSent) res.destroy(error);
      else writeStatus(res, error);
    },
  };
}

/**
 * A target outside `/raw/clusters/` that a URL parser would resolve into it (`/x/../raw/clusters/...`):
 * the app would see only the resolved path, so the trick is refused here.
 */
function dotSegmentsIntoRaw(url: string): boolean {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (!/\/(?:\.|%2e)/i.test(path)) return false;
  try {
    return new URL(path, 'http://localhost').pathname.startsWith(RAW_PREFIX);
  } catch {
    return false;
  }
}

export function createRawFastPath(
  registry: ClusterRegistry,
  options: ForwardOptions = DEFAULT_FORWARD_OPTIONS,
): NodeFastPath {
  return {
    // Browsers (CORS) are the app's business, but a path that resolves into `/raw/clusters/` is refused here anyway.
    claims: (req) => {
      const url = req.url ?? '';
      return (url.startsWith(RAW_PREFIX) && req.headers.origin === undefined) || dotSegmentsIntoRaw(url);
    },
    // The owner's connection is the context's own (connectionFor returns it as is: nothing added on this path).
    serve(req: IncomingMessage, res: ServerResponse, principal: Principal): boolean {
      const url = req.url ?? '';
      if (!url.startsWith(RAW_PREFIX)) {
        writeStatus(
          res,
          new StatusError(
            'BadRequest',
            'refusing a request target whose "." or ".." segments lead into /raw/clusters/',
          ),
        );
        return true;
      }
      const method = req.method ?? 'GET';
      try {
        const resolved = resolveRawTarget(registry, url);
        const { target } = resolved;
        // The apply route is the app's.
        if (isApplyRoute(method, target)) return false;
        const conn = connectionFor(resolved.conn, principal);
        const signal = leaveSignal(res, () => res.writableFinished);
        const body = hasRequestBody(req.headers) ? req : undefined;
        void forward(
          conn,
          { method, target, headers: req.headers, body, signal },
          endingRetiredWatches(nodeSink(res), isWatch(target)),
          options,
        );
      } catch (err) {
        writeStatus(res, toStatusError(err));
      }
      return true;
    },
  };
}
