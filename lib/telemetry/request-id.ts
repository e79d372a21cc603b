/**
 * `X-Request-Id`: the caller's own when it is a sane token (so a proxy in front can correlate its logs with ours),
 * else one made here. Anything else the caller sends there (long, or with characters a log reader would trip on)
 * is not repeated back or logged.
 */
const SANE = /^[A-Za-z0-9._:-]{1,128}$/;

export const REQUEST_ID_HEADER = 'x-request-id';

export function requestIdOf(given: string | string[] | undefined): string {
  return typeof given === 'string' && SANE.test(given) ? given : crypto.randomUUID();
}
