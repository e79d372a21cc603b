import { StatusError } from '../errors';

/**
 * The CSRF rule for callers signed in by cookie: a browser attaches the cookie to any page's request, so a
 * state-changing one must also carry `X-Requested-With` (which a foreign page cannot add without a CORS preflight,
 * refused for origins not trusted) or come from our own origin (or one trusted with `--allow-origin`). Callers with an `Authorization` header need
 * neither: no browser adds that header on its own.
 */
export const CSRF_HEADER = 'x-requested-with';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface CsrfFacts {
  method: string;
  /** Whether the request carries the CSRF header. */
  csrfHeader: boolean;
  /** Whether the request has an `Origin` that is our own (the Host's) or one trusted with `--allow-origin`. */
  trustedOrigin: boolean;
}

export function csrfRefusal({ method, csrfHeader, trustedOrigin }: CsrfFacts): StatusError | undefined {
  if (SAFE_METHODS.has(method) || csrfHeader || trustedOrigin) return undefined;
  return new StatusError(
    'Forbidden',
    `a ${method} request signed in by cookie needs the X-Requested-With header or a same-origin Origin (CSRF)`,
  );
}
