import { Validator } from '@seriousme/openapi-schema-validator';
import type { Hono } from 'hono';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLY_QUERY } from '../../handlers/apply';
import { createApp } from '../../handlers/app';
import { REDACTED_FLAG } from '../../handlers/contexts';
import { DNS_LABEL } from '../../handlers/path-names';
import { ROUTE_DOCS } from '../../handlers/route-docs/index';
import { jsonSchemaOf, openapiPath } from '../../lib/openapi/document';
import { everyRouteDeps, type EveryRouteDeps } from '../helpers/every-route-app';
import { startStack, type Stack } from '../helpers/stack';

/**
 * GET /openapi.json against the routes the app registers (both ways), checked as OpenAPI 3.1 by a validator of the
 * specification's own JSON Schema; and, on a served stack, values a route's schema refuses are refused by the route
 * (400 Status) and values it takes are taken: the document's schema is the route's.
 */

const SECRET = 'openapi-test-secret';
const OPENAPI_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];
/** The one wildcard route: `*` holds the context and the API path, which OpenAPI names as two parameters. */
const WILDCARDS: Record<string, string> = { '/raw/clusters/*': '/raw/clusters/{cluster}/{path}' };

interface Operation {
  parameters?: Array<{ name: string; in: string; schema: object }>;
  responses: Record<string, unknown>;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}

let everyRoute: EveryRouteDeps;
let app: Hono;
let doc: Document;
let stack: Stack;

beforeAll(async () => {
  everyRoute = await everyRouteDeps();
  const { deps } = everyRoute;
  // Token mode: it registers /api/auth/token/refresh, which `none` does not.
  app = createApp({ ...deps, security: { ...deps.security, authToken: SECRET } });
  const res = await app.request('/openapi.json', {
    headers: { host: '127.0.0.1:3001', authorization: `Bearer ${SECRET}` },
  });
  expect(res.status).toBe(200);
  doc = (await res.json()) as Document;
  stack = await startStack({}, { authToken: SECRET });
});

afterAll(async () => {
  await everyRoute.close();
  await stack.close();
});

const key = (method: string, path: string) => `${method.toUpperCase()} ${path}`;

describe('GET /openapi.json', () => {
  it('describes every route the app registers, and nothing else', () => {
    const registered = app.routes
      .filter((r) => r.path !== '/*') // middleware
      .flatMap((r) => {
        const path = WILDCARDS[r.path] ?? openapiPath(r.path);
        return r.method === 'ALL' ? OPENAPI_METHODS.map((m) => key(m, path)) : [key(r.method, path)];
      });
    const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => key(m, path)));
    expect(registered.length).toBeGreaterThan(40);
    expect(new Set(documented)).toEqual(new Set(registered));
    expect(documented).toHaveLength(registered.length);
  });

  it('describes no route that no app registers (a stale description)', () => {
    const everyRoute = new Set(app.routes.map((r) => key(r.method, r.path)));
    const stale = ROUTE_DOCS.map((d) => key(d.method, d.route)).filter((k) => !everyRoute.has(k));
    expect(stale).toEqual([]);
  });

  it('is valid OpenAPI 3.1, every error a $ref to the shared Status schema', async () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    const result = await new Validator().validate(doc as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    for (const item of Object.values(doc.paths))
      for (const op of Object.values(item))
        expect(op.responses.default).toMatchObject({
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Status' } } },
        });
  });

  it('is guarded as the other API routes: 401 without the token, on the served stack', async () => {
    const res = await fetch(`${stack.url}/openapi.json`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ kind: 'Status', code: 401 });
  });
});

/** The schema the document gives a route's parameter. */
function parameterSchema(path: string, method: string, name: string): object | undefined {
  return doc.paths[path]?.[method]?.parameters?.find((p) => p.name === name)?.schema;
}

describe('a route refuses what its documented schema refuses, and takes what it takes', () => {
  const auth = { authorization: `Bearer ${SECRET}` };
  const get = (path: string) => fetch(`${stack.url}${path}`, { headers: auth });

  it('the namespace of a view (DNS_LABEL, a path parameter)', async () => {
    const path = '/api/clusters/{cluster}/topology/namespaces/{ns}';
    expect(parameterSchema(path, 'get', 'ns')).toEqual(jsonSchemaOf(DNS_LABEL));
    const [bad, good] = ['Not_A-Label', 'default'];
    expect([v.is(DNS_LABEL, bad), v.is(DNS_LABEL, good)]).toEqual([false, true]);
    const refused = await get(`/api/clusters/sim/topology/namespaces/${bad}`);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ kind: 'Status', code: 400 });
    const taken = await get(`/api/clusters/sim/topology/namespaces/${good}`);
    expect(taken.status).toBe(200);
  });

  it("a context's config's ?redacted= (REDACTED_FLAG, a query parameter)", async () => {
    expect(parameterSchema('/api/contexts/{cluster}/config', 'get', 'redacted')).toMatchObject(
      jsonSchemaOf(REDACTED_FLAG),
    );
    const [bad, good] = ['maybe', 'true'];
    expect([v.is(REDACTED_FLAG, bad), v.is(REDACTED_FLAG, good)]).toEqual([false, true]);
    const refused = await get(`/api/contexts/sim/config?redacted=${bad}`);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ kind: 'Status', code: 400 });
    expect((await get(`/api/contexts/sim/config?redacted=${good}`)).status).toBe(200);
  });

  it("apply's ?mode= (APPLY_QUERY.mode)", async () => {
    expect(parameterSchema('/raw/clusters/{cluster}', 'post', 'mode')).toEqual(jsonSchemaOf(APPLY_QUERY.mode));
    const [bad, good] = ['sideways', 'server-side'];
    expect([v.is(APPLY_QUERY.mode, bad), v.is(APPLY_QUERY.mode, good)]).toEqual([false, true]);
    const apply = (mode: string) =>
      fetch(`${stack.url}/raw/clusters/sim?mode=${mode}`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'openapi-mode', namespace: 'default' },
          data: { a: '1' },
        }),
      });
    const refused = await apply(bad);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ kind: 'Status', code: 400 });
    const taken = await apply(good);
    expect(taken.status).toBe(201); // created: an answer the document names
    expect(Object.keys(doc.paths['/raw/clusters/{cluster}']?.post?.responses ?? {})).toContain('201');
  });
});
