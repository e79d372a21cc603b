import * as v from 'valibot';
import type { Answer } from '../../lib/openapi/document';
import { COMBINE_OP } from '../../lib/metrics/combine';
import { WORKLOAD_RESOURCE } from '../../lib/metrics/workload-pods';
import { DNS_LABEL, DNS_SUBDOMAIN } from '../path-names';

/** What the routes' descriptions share: the error shape, path parameters by name, answer shorthands. */

/** A Kubernetes `Status`: every error of every route (lib/errors.ts). */
export const STATUS = v.object({
  kind: v.literal('Status'),
  apiVersion: v.literal('v1'),
  metadata: v.object({}),
  status: v.picklist(['Success', 'Failure']),
  message: v.optional(v.string()),
  reason: v.optional(v.string()),
  details: v.optional(v.looseObject({ name: v.optional(v.string()), kind: v.optional(v.string()) })),
  code: v.number(),
});

const CONTEXT_NAME = v.pipe(v.string(), v.description('A context name, URL-encoded (it may hold /, @ and :).'));

/** Path parameters by the name the routes give them, unless a route says otherwise. */
export const PATH_PARAMS = {
  cluster: CONTEXT_NAME,
  ns: DNS_LABEL,
  pod: DNS_SUBDOMAIN,
  node: DNS_SUBDOMAIN,
  name: DNS_SUBDOMAIN,
  container: DNS_LABEL,
  resource: WORKLOAD_RESOURCE,
  op: v.pipe(COMBINE_OP, v.description('How several series combine; case-insensitive.')),
};

/** A 200 JSON answer of this shape. */
export const ok = (description: string, schema: v.GenericSchema = v.looseObject({})): Answer => ({
  status: 200,
  description,
  schema,
});

/** A 200 text answer. */
export const text = (description: string, mediaType = 'text/plain'): Answer => ({
  status: 200,
  description,
  schema: v.string(),
  mediaType,
});

/** The cpu/memory series the metrics routes answer: `[{ timestamp, cpu, memory }]`, oldest first. */
export const SERIES = v.array(v.object({ timestamp: v.string(), cpu: v.number(), memory: v.number() }));

export const STRUCTURED_TYPES = ['application/json', 'application/yaml'] as const;
