/**
 * The access log: one JSON line per request, whichever entrance answered it (the app, the Node `/raw` fast path, an
 * upgrade). Headers are never logged, and the two places a request carries the access token in its target are
 * redacted: the login link's `?token=` and kubectl's `/token/<token>/` prefix (lib/node/path-token.ts).
 */

export interface AccessEntry {
  /** The request id, as echoed in `X-Request-Id`. */
  id: string;
  method: string;
  /** The request target as received (redacted here). */
  path: string;
  /** The matched route pattern, as in the metrics. */
  route: string;
  /** 0: the caller left before an answer. */
  status: number;
  ms: number;
  /** Bytes written on the connection for this answer, headers included. */
  bytes: number;
  remote: string | undefined;
  /** Who the request acted as (lib/auth/principal.ts), when authentication said. */
  user: string | undefined;
}

export type AccessLog = (entry: AccessEntry) => void;

const REDACTED = 'REDACTED';

/** The target without the access token in it: the `/token/<token>` prefix and `token=` query values replaced. */
export function redactTarget(target: string): string {
  const q = target.indexOf('?');
  const path = (q === -1 ? target : target.slice(0, q)).replace(/^\/token\/[^/]*/, `/token/${REDACTED}`);
  if (q === -1) return path;
  return `${path}?${target.slice(q + 1).replace(/(^|&)(token=)[^&]*/gi, `$1$2${REDACTED}`)}`;
}

/** Writes each entry as one JSON line (on Node, where the logger writes: stderr). */
export function accessLogTo(write: (line: string) => void): AccessLog {
  return (entry) =>
    write(
      JSON.stringify({
        time: new Date().toISOString(),
        level: 'info',
        msg: 'request',
        ...entry,
        path: redactTarget(entry.path),
      }),
    );
}
