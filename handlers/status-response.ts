import { StatusError, toStatusError, type Status } from '../lib/errors';

/** A Status object as an HTTP response; the one way every handler reports a failure. */
export function statusResponse(status: Status): Response {
  return new Response(JSON.stringify(status), {
    status: status.code,
    headers: { 'content-type': 'application/json' },
  });
}

/** Hono's onError: anything thrown in a handler becomes a Status; unexpected errors are logged, not leaked. */
export function renderError(err: unknown, logUnexpected: (err: unknown) => void): Response {
  const statusError = toStatusError(err);
  if (!(err instanceof StatusError)) logUnexpected(err);
  return statusResponse(statusError.toStatus());
}
