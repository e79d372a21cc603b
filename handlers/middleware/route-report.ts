import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { PRINCIPAL, principalName, type Principal } from '../../lib/auth/principal';

/** Told, after each request, the route pattern it matched (undefined: none) and who it acted as. */
export type RouteSeen = (c: Context, route: string | undefined, user: string | undefined) => void;

/** `app.use('*', …)` registers as ALL /*: middleware, not a route. */
const isMiddleware = (r: { method: string; path: string }) => r.method === 'ALL' && r.path === '/*';

/**
 * The route pattern a request matched, for metrics and the access log (bounded, unlike the path): the one that
 * answered, else (admission or CORS answered first) the first route that would have.
 */
export function matchedRoute(c: Context): string | undefined {
  const routes = matchedRoutes(c);
  const answered = routes[c.req.routeIndex];
  if (answered !== undefined && !isMiddleware(answered)) return answered.path;
  return routes.find((r) => !isMiddleware(r))?.path;
}

/** First of all middleware: reports each request's route and user once its answer is made. */
export function routeReport(seen: RouteSeen): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const principal = c.get(PRINCIPAL) as Principal | undefined;
    seen(c, matchedRoute(c), principal === undefined ? undefined : principalName(principal));
  };
}
