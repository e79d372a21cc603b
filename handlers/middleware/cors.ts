import type { MiddlewareHandler } from 'hono';

const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';

/**
 * CORS for an explicit list of origins only. No origins configured means no CORS headers at all, and
 * `*` is never sent: responses carry credentials-bearing data, so each origin is echoed back by name.
 */
export function cors(allowOrigins: readonly string[]): MiddlewareHandler {
  const origins = new Set(allowOrigins);
  return async (c, next) => {
    const origin = c.req.header('origin');
    const allowed = origin !== undefined && origins.has(origin);
    if (allowed && c.req.method === 'OPTIONS' && c.req.header('access-control-request-method') !== undefined) {
      const requested = c.req.header('access-control-request-headers');
      const headers: Record<string, string> = {
        'access-control-allow-origin': origin,
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': ALLOWED_METHODS,
        'access-control-max-age': '600',
        vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
      };
      if (requested !== undefined) headers['access-control-allow-headers'] = requested;
      return new Response(null, { status: 204, headers });
    }
    await next();
    if (allowed) {
      c.res.headers.set('access-control-allow-origin', origin);
      c.res.headers.set('access-control-allow-credentials', 'true');
    }
    // The answer differs by Origin (CORS headers or none), so a cache must not hand one origin's to another.
    if (origins.size > 0) c.res.headers.append('vary', 'Origin');
  };
}
