import { toJsonSchema, type JsonSchema } from '@valibot/to-json-schema';
import type { GenericSchema } from 'valibot';

/**
 * An OpenAPI 3.1 document assembled from the routes an app registers and a description of each, whose parameters
 * and bodies are the valibot schemas the routes validate with (turned into JSON Schema here), so the two cannot
 * drift. Pure: the caller gives the routes (Hono's `app.routes`) and the descriptions.
 */

/** A method as Hono registers it; ALL is every method. */
export type RouteMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'ALL';

export interface Answer {
  status: number;
  description: string;
  /** JSON answers: the shape (at least its top-level fields). */
  schema?: GenericSchema;
  /** Default: application/json. */
  mediaType?: string;
}

/** One route as /openapi.json describes it. */
export interface RouteDoc {
  method: RouteMethod;
  /** The pattern as `app.routes` lists it (`/api/clusters/:cluster`). */
  route: string;
  /** The OpenAPI path, when the pattern has a wildcard `{param}` cannot say mechanically. */
  template?: string;
  summary: string;
  /** Path parameters whose schema is not the shared one of their name. */
  params?: Record<string, GenericSchema>;
  /** Query parameters, all optional. */
  query?: Record<string, GenericSchema>;
  body?: { schema: GenericSchema; mediaTypes: readonly string[]; required: boolean };
  answers: readonly Answer[];
}

export interface DocumentOptions {
  title: string;
  version: string;
  /** Each path parameter's schema by name, unless a route gives its own. */
  pathParams: Record<string, GenericSchema>;
  /** The one error shape, referred to by every operation's `default` answer. */
  error: { name: string; schema: GenericSchema; description: string };
}

export interface RegisteredRoute {
  method: string;
  path: string;
}

type JsonObject = Record<string, unknown>;

const ALL_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

/** `/a/:b/c` → `/a/{b}/c`: the OpenAPI path of a Hono pattern without wildcards. */
export function openapiPath(route: string): string {
  return route.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** The JSON Schema of a valibot schema, in the 2020-12 dialect OpenAPI 3.1 uses (its `$schema` is the document's). */
export function jsonSchemaOf(schema: GenericSchema): JsonSchema {
  const { $schema: _dialect, ...rest } = toJsonSchema(schema, { target: 'draft-2020-12', errorMode: 'throw' });
  return rest;
}

const paramsOf = (template: string) => [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? '');

function operation(doc: RouteDoc, template: string, options: DocumentOptions): JsonObject {
  const parameters = [
    ...paramsOf(template).map((name) => {
      const schema = doc.params?.[name] ?? options.pathParams[name];
      if (schema === undefined) throw new Error(`${doc.method} ${doc.route}: no schema for path parameter ${name}`);
      return { name, in: 'path', required: true, schema: jsonSchemaOf(schema) };
    }),
    ...Object.entries(doc.query ?? {}).map(([name, schema]) => ({
      name,
      in: 'query',
      required: false,
      schema: jsonSchemaOf(schema),
    })),
  ];
  const responses: JsonObject = {};
  for (const answer of doc.answers) {
    const content =
      answer.schema === undefined
        ? undefined
        : { [answer.mediaType ?? 'application/json']: { schema: jsonSchemaOf(answer.schema) } };
    responses[String(answer.status)] = { description: answer.description, ...(content && { content }) };
  }
  responses.default = {
    description: options.error.description,
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${options.error.name}` } } },
  };
  const body = doc.body;
  return {
    summary: doc.summary,
    ...(parameters.length > 0 && { parameters }),
    ...(body && {
      requestBody: {
        required: body.required,
        content: Object.fromEntries(body.mediaTypes.map((type) => [type, { schema: jsonSchemaOf(body.schema) }])),
      },
    }),
    responses,
  };
}

const routeKey = (method: string, path: string) => `${method} ${path}`;

/**
 * The document of `routes` (`/*` left out: middleware, and a web UI's catch-all). Every route must have a description:
 * one without is a mistake of ours, thrown. Descriptions of routes this app did not register (an area it was built
 * without) are left out.
 */
export function openapiDocument(
  routes: readonly RegisteredRoute[],
  docs: readonly RouteDoc[],
  options: DocumentOptions,
): JsonObject {
  const byKey = new Map(docs.map((d) => [routeKey(d.method, d.route), d]));
  const paths: Record<string, JsonObject> = {};
  for (const route of routes) {
    if (route.path === '/*') continue; // middleware (ALL) and the web UI's files (GET/HEAD with --ui-dir)
    const doc = byKey.get(routeKey(route.method, route.path));
    if (doc === undefined) throw new Error(`no description of ${route.method} ${route.path} for /openapi.json`);
    const template = doc.template ?? openapiPath(doc.route);
    if (template.includes('*')) throw new Error(`${doc.route}: a wildcard route needs a template`);
    const item = (paths[template] ??= {});
    const methods = doc.method === 'ALL' ? ALL_METHODS : [doc.method.toLowerCase()];
    for (const method of methods) item[method] = operation(doc, template, options);
  }
  return {
    openapi: '3.1.1',
    info: { title: options.title, version: options.version },
    paths,
    components: { schemas: { [options.error.name]: jsonSchemaOf(options.error.schema) } },
  };
}
