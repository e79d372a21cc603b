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

/** How long a refused caller is told to wait: a small request in flight usually ends within a second. */
const RETRY_AFTER_SECONDS = 1;

export interface RequestGateLimits {
  maxWatchesPerClient: number;
  maxUpstreamPerContext: number;
}

/** Which count a `/raw` request joins, and what it is told past the maximum. */
interface Counted {
  counts: OpenCounts;
  key: string;
  refusal(): StatusError;
}

/**
 * One fast path ahead of the `/raw` proxy: it claims `/raw/clusters/` requests, counts each while it is open (a
 * watch or followed log under its client address, anything else under its context) and passes it on, or answers
 * the 429 itself. The target is parsed once per request, in `claims`.
 */
export function rawRequestLimits(limits: RequestGateLimits): NodeFastPath {
  const watches = new OpenCounts(limits.maxWatchesPerClient);
  const inFlight = new OpenCounts(limits.maxUpstreamPerContext);
  const counted = new WeakMap<IncomingMessage, Counted>();
  const countOf = (req: IncomingMessage, target: RawTarget): Counted => {
    if (isLongRunning(target)) {
      const client = req.socket.remoteAddress ?? 'unknown';
      return {
        counts: watches,
        key: client,
        refusal: () =>
          new StatusError(
            'TooManyRequests',
            `too many open watches from ${client}: at most ${limits.maxWatchesPerClient} (--max-watches-per-client); close one first`,
          ),
      };
    }
    const { context } = target;
    return {
      counts: inFlight,
      key: context,
      refusal: () =>
        new StatusError(
          'TooManyRequests',
          `too many requests in flight to context ${JSON.stringify(context)}: at most ${limits.maxUpstreamPerContext} (--max-upstream-per-context); retry after ${RETRY_AFTER_SECONDS} s`,
          { retryAfterSeconds: RETRY_AFTER_SECONDS },
        ),
    };
  };
  return {
    claims(req) {
      const target = rawTargetOf(req);
      if (target === undefined) return false;
      counted.set(req, countOf(req, target));
      return true;
    },
    serve(req: IncomingMessage, res: ServerResponse): boolean {
      const count = counted.get(req);
      if (count === undefined) return false;
      const { counts, key } = count;
      if (!counts.take(key)) {
        writeStatus(res, count.refusal());
        return true;
      }
      res.once('close', () => counts.give(key));
      return false;
    },
  };
}
