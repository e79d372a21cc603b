/**
 * Kubernetes objects as the simulator stores them: the shape, the key order the API server serializes in,
 * and the metadata validation the real registries apply before anything is stored.
 */
import { StatusError, type StatusCause } from '../errors';
import type { ApiResource } from './api/resources';

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | null;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: {
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    controller?: boolean;
    blockOwnerDeletion?: boolean;
  }[];
  finalizers?: string[];
  managedFields?: unknown[];
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

const META_ORDER = [
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
];

function ordered(value: Record<string, unknown>, first: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of first) if (value[key] !== undefined) out[key] = value[key];
  for (const [key, v] of Object.entries(value)) if (!(key in out) && v !== undefined) out[key] = v;
  return out;
}

/** The object with keys in the order the API server writes them: kind, apiVersion, metadata (struct order), the rest. */
export function normalizeObject(obj: KubeObject): KubeObject {
  const withMeta = { ...obj, metadata: ordered(obj.metadata, META_ORDER) };
  const rest = ordered(withMeta, ['kind', 'apiVersion', 'metadata']);
  // status last, as every built-in type declares it after spec.
  if ('status' in rest) {
    const { status, ...others } = rest;
    return { ...others, status } as unknown as KubeObject;
  }
  return rest as KubeObject;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `pods`, or `deployments.apps`: how error messages name a resource. */
function qualifiedResource(res: ApiResource): string {
  return res.group === '' ? res.resource : `${res.resource}.${res.group}`;
}

export function errorDetails(res: ApiResource, name: string): { name: string; group?: string; kind: string } {
  return res.group === '' ? { name, kind: res.resource } : { name, group: res.group, kind: res.resource };
}

export function notFound(res: ApiResource, name: string): StatusError {
  return new StatusError('NotFound', `${qualifiedResource(res)} "${name}" not found`, errorDetails(res, name));
}

export function alreadyExists(res: ApiResource, name: string): StatusError {
  return new StatusError(
    'AlreadyExists',
    `${qualifiedResource(res)} "${name}" already exists`,
    errorDetails(res, name),
  );
}

export function conflict(
  res: ApiResource,
  name: string,
  why = 'the object has been modified; please apply your changes to the latest version and try again',
): StatusError {
  return new StatusError(
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(res)} "${name}": ${why}`,
    errorDetails(res, name),
  );
}

/** 422 Invalid with one cause per problem, worded like apimachinery's field errors. */
export function invalid(res: ApiResource, name: string, causes: StatusCause[]): StatusError {
  const text = causes.map((c) => `${c.field}: ${c.message}`);
  const kind = res.group === '' ? res.kind : `${res.kind}.${res.group}`;
  const message = `${kind} "${name}" is invalid: ${text.length === 1 ? text[0] : `[${text.join(', ')}]`}`;
  return new StatusError('Invalid', message, { ...errorDetails(res, name), kind: res.kind, causes });
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Kinds whose names must be DNS-1123 labels (they become DNS names or label values). */
const LABEL_NAMED = new Set(['Namespace', 'Service']);

function nameCauses(kind: string, name: string): StatusCause[] {
  const asLabel = LABEL_NAMED.has(kind);
  const limit = asLabel ? 63 : 253;
  const causes: StatusCause[] = [];
  if (name.length > limit) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: "${name}": must be no more than ${limit} characters`,
      field: 'metadata.name',
    });
  }
  const problem = asLabel ? dns1123LabelProblem(name) : dns1123SubdomainProblem(name);
  if (problem !== undefined) causes.push({ reason: 'FieldValueInvalid', message: problem, field: 'metadata.name' });
  return causes;
}

/** apimachinery's IsDNS1123Label message for a value that is not one (undefined when it is). */
export function dns1123LabelProblem(value: string): string | undefined {
  if (DNS1123_LABEL.test(value)) return undefined;
  return `Invalid value: "${value}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`;
}

/** apimachinery's IsDNS1123Subdomain message for a value that is not one (undefined when it is). */
export function dns1123SubdomainProblem(value: string): string | undefined {
  if (DNS1123_SUBDOMAIN.test(value)) return undefined;
  return `Invalid value: "${value}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;
}

/** The checks every create/update goes through: name present and well-formed, plus a few per-kind musts. */
export function validateObject(res: ApiResource, obj: KubeObject): void {
  const name = obj.metadata.name ?? '';
  const causes: StatusCause[] = [];
  if (name === '')
    causes.push({
      reason: 'FieldValueRequired',
      message: 'Required value: name or generateName is required',
      field: 'metadata.name',
    });
  else causes.push(...nameCauses(res.kind, name));
  if (res.kind === 'Pod') {
    const containers = (obj.spec as { containers?: unknown } | undefined)?.containers;
    if (!Array.isArray(containers) || containers.length === 0)
      causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' });
    else
      containers.forEach((c: unknown, i) => {
        const container = isObject(c) ? c : {};
        if (typeof container.name !== 'string' || container.name === '')
          causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `spec.containers[${i}].name` });
        if (typeof container.image !== 'string' || container.image === '')
          causes.push({
            reason: 'FieldValueRequired',
            message: 'Required value',
            field: `spec.containers[${i}].image`,
          });
      });
  }
  if (causes.length > 0) throw invalid(res, name, causes);
}
