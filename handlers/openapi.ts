import { Hono } from 'hono';
import { openapiDocument, type RegisteredRoute } from '../lib/openapi/document';
import { PATH_PARAMS, STATUS } from './route-docs/common';
import { ROUTE_DOCS } from './route-docs/index';

/**
 * `GET /openapi.json`: the routes `app` registers (listed at the first request, when all are), described by
 * handlers/route-docs/, whose schemas are those the routes validate with.
 */
export function openapiRoutes(app: { routes: readonly RegisteredRoute[] }): Hono {
  const openapi = new Hono();
  let document: object | undefined;
  openapi.get('/openapi.json', (c) => {
    document ??= openapiDocument(app.routes, ROUTE_DOCS, {
      title: 'kore-board',
      version: '1', // the API's, not the package's: raise it when a route changes shape
      pathParams: PATH_PARAMS,
      error: { name: 'Status', schema: STATUS, description: 'A Kubernetes Status: every error of every route.' },
    });
    return c.json(document);
  });
  return openapi;
}
