import { StatusError } from '../errors';
import type { IncomingHeaderMap } from './headers';

/**
 * `--max-body` for bodies the proxy streams on (a `/raw` write): refused before anything is sent when the declared
 * length says so, else cut as soon as the count passes the limit, which fails the upstream request with the 413.
 */

function tooLarge(limit: number): StatusError {
  return new StatusError(
    'RequestEntityTooLarge',
    `request body is larger than the limit of ${limit} bytes (--max-body)`,
  );
}

/** The 413 when `content-length` already says the body is too large. */
export function declaredTooLarge(headers: IncomingHeaderMap, limit: number): StatusError | undefined {
  const declared = Number(headers['content-length']);
  return declared > limit ? tooLarge(limit) : undefined;
}

/** The body's chunks as they come, throwing the 413 at the chunk that passes `limit`. */
export async function* withinLimit(body: AsyncIterable<Uint8Array>, limit: number): AsyncIterable<Uint8Array> {
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > limit) throw tooLarge(limit);
    yield chunk;
  }
}
