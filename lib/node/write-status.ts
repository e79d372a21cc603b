import type { ServerResponse } from 'node:http';
import type { StatusError } from '../errors';
import { SANDBOX_HEADERS } from '../proxy/headers';

/** Answers a Node request with a Status, sandboxed like every `/raw` answer; a 429's wait goes in `Retry-After`. */
export function writeStatus(res: ServerResponse, error: StatusError, extraHeaders: Record<string, string> = {}): void {
  const body = JSON.stringify(error.toStatus());
  const retryAfter = error.details?.retryAfterSeconds;
  res.writeHead(error.code, {
    ...SANDBOX_HEADERS,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...(retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) }),
    ...extraHeaders,
  });
  res.end(body);
}
