import type { IncomingMessage, ServerResponse } from 'node:http';
import { StatusError } from '../errors';
import { isLongRunning, parseRawTarget, RAW_PREFIX, type RawTarget } from '../proxy/raw-target';
import type { NodeFastPath } from './server';
import { writeStatus } from './write-status';

/**
 * Limits on `/raw` requests counted while they are open, checked on Node before either `/raw` path (the fast
 * path and the Fetch route) sees the request: `--max-watches-per-client` (watches and `follow=true` streams per
 * client address) and `--max-upstream-per-context` (other requests in flight per context). Past either, a 429
 * Status; the count drops when the response closes, however it ends.
 */

/** How many are open per key, up to `max`. */
export class OpenCounts {
  private readonly open = new Map<string, number>();

  constructor(readonly max: number) {}

  /** Counts one more under `key`, or false when `max` are already open. */
  take(key: string): boolean {
    const n = this.open.get(key) ?? 0;
    if (n >= this.max) return false;
    this.open.set(key, n + 1);
    return true;
  }

  give(key: string): void {
    const n = (this.open.get(key) ?? 1) - 1;
    if (n === 0) this.open.delete(key);
    else this.open.set(key, n);
  }
}

/** The `/raw/clusters/` target of a request, or undefined (not one, or malformed: its own route answers that). */
function rawTargetOf(req: IncomingMessage): RawTarget | undefined {
  const url = req.url ?? '';
  if (!url.startsWith(RAW_PREFIX)) return undefined;
  try {
    return parseRawTarget(url);
  } catch {
    return undefined;
  }
}

/** A request counted under the key `keyOf` gives (undefined: not counted), refused with `refusal` past the max. */
function countingGate(
  counts: OpenCounts,
  keyOf: (req: IncomingMessage, target: RawTarget) => string | undefined,
  refusal: (key: string) => StatusError,
): NodeFastPath {
  const keyFor = (req: IncomingMessage) => {
    const target = rawTargetOf(req);
    return target === undefined ? undefined : keyOf(req, target);
  };
  return {
    claims: (req) => keyFor(req) !== undefined,
    serve(req: IncomingMessage, res: ServerResponse): boolean {
      const key = keyFor(req);
      if (key === undefined) return false;
      if (!counts.take(key)) {
        writeStatus(res, refusal(key));
        return true;
      }
      res.once('close', () => counts.give(key));
      return false;
    },
  };
}

/** How long a refused caller is told to wait: a small request in flight usually ends within a second. */
const RETRY_AFTER_SECONDS = 1;

export interface RequestGateLimits {
  maxWatchesPerClient: number;
  maxUpstreamPerContext: number;
}

/** Both gates, in the order the server tries them (each passes the request on unless it refuses it). */
export function requestGates(limits: RequestGateLimits): NodeFastPath[] {
  const watches = countingGate(
    new OpenCounts(limits.maxWatchesPerClient),
    (req, target) => (isLongRunning(target) ? (req.socket.remoteAddress ?? 'unknown') : undefined),
    (client) =>
      new StatusError(
        'TooManyRequests',
        `too many open watches from ${client}: at most ${limits.maxWatchesPerClient} (--max-watches-per-client); close one first`,
      ),
  );
  const upstream = countingGate(
    new OpenCounts(limits.maxUpstreamPerContext),
    (_req, target) => (isLongRunning(target) ? undefined : target.context),
    (context) =>
      new StatusError(
        'TooManyRequests',
        `too many requests in flight to context ${JSON.stringify(context)}: at most ${limits.maxUpstreamPerContext} (--max-upstream-per-context); retry after ${RETRY_AFTER_SECONDS} s`,
        { retryAfterSeconds: RETRY_AFTER_SECONDS },
      ),
  );
  return [watches, upstream];
}
