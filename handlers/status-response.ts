import { StatusError, toStatusError, type Status } from '../lib/errors';
import { SANDBOX_HEADERS } from '../lib/proxy/headers';

/**
 * A Status object as an HTTP response; the one way every handler reports a failure. Sandboxed like every `/raw`
 * answer (which these may be): an error message can echo what a caller put in the path.
 */
export function statusResponse(status: Status): Response {
  const retryAfter = status.details?.retryAfterSeconds;
  return new Response(JSON.stringify(status), {
    status: status.code,
    headers: {
      'content-type': 'application/json',
      ...SANDBOX_HEADERS,
      // A 429 says when to come back, in the header clients read as well as in the Status.
      ...(retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) }),
    },
  });
}

/** Hono's onError: anything thrown in a handler becomes a Status; unexpected errors are logged, not leaked. */
export function renderError(err: unknown, logUnexpected: (err: unknown) => void): Response {
  const statusError = toStatusError(err);
  if (!(err instanceof StatusError)) logUnexpected(err);
  return statusResponse(statusError.toStatus());
}
