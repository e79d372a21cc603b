import { MANIFEST_BUDGET } from '../decode/budget';
import { isRecord, type DecodedDocument, type DocumentFault } from '../decode/decoded';
import type { BodyFormat } from '../decode/media-type';
import { checkValueBudget } from '../decode/value-budget';
import { yamlDocuments } from '../decode/yaml-documents';
import { errorMessage, StatusError, type Status } from '../errors';
import { jsonErrorPosition } from '../decode/json-error-position';
import { invalidValue, namespaceProblem, pathSegmentNameProblem, pathSegmentPrefixProblem } from '../kube/names';

/** The metadata fields apply reads: the path it sends an object to, and what it sets when placing or replacing it. */
export interface ManifestMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  resourceVersion?: string;
}

/**
 * A Kubernetes object from a manifest, split for the trip from the decoding worker: what apply reads are
 * values, the rest stays JSON text. Receiving an object graph costs the main thread ~0.25 µs a node (45 ms
 * for a 3 MB object), receiving a string only a copy, and apply sends the object on as JSON anyway.
 */
export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: ManifestMeta;
  /** metadata's other members as JSON text (`"labels":{…},…`), or ''. */
  otherMetadata: string;
  /** The object's members besides apiVersion, kind and metadata, as JSON text (`"spec":{…},…`), or ''. */
  otherFields: string;
}

/** One object to apply, or why its document could not become one. `index` counts objects in request order. */
export type ManifestItem = { index: number; object: ManifestObject } | { index: number; status: Status };

/** Fields apply builds paths from, and the rule each must follow. */
const PATH_RULES: Partial<Record<keyof ManifestMeta, (value: string) => string | undefined>> = {
  name: pathSegmentNameProblem,
  generateName: pathSegmentPrefixProblem,
  namespace: namespaceProblem,
};

const members = (value: object) => JSON.stringify(value).slice(1, -1);
const joined = (...parts: string[]) => parts.filter((part) => part !== '').join(',');

/** The object as JSON, with `metadata` in place of the fields apply reads. */
export function objectJson(obj: ManifestObject, metadata: ManifestMeta): string {
  const head = `"apiVersion":${JSON.stringify(obj.apiVersion)},"kind":${JSON.stringify(obj.kind)},"metadata":{${joined(members(metadata), obj.otherMetadata)}}`;
  return `{${joined(head, obj.otherFields)}}`;
}

/** Checks one decoded value is an object apply can send, as kubectl and the API server check it. */
export function checkObject(value: unknown, index: number, allowGenerateName: boolean): ManifestItem {
  const failed = (error: StatusError): ManifestItem => ({ index, status: error.toStatus() });
  const missing = (message: string, field?: string) =>
    failed(
      new StatusError('BadRequest', `document ${index}: ${message}`, {
        index,
        causes: field === undefined ? [] : [{ reason: 'FieldValueRequired', field, message }],
      }),
    );
  if (!isRecord(value))
    return missing(`expected an object, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`);
  const { apiVersion, kind, metadata, ...otherFields } = value;
  if (typeof apiVersion !== 'string' || apiVersion === '')
    return missing("Object 'apiVersion' is missing", 'apiVersion');
  if (typeof kind !== 'string' || kind === '') return missing("Object 'Kind' is missing", 'kind');
  if (!isRecord(metadata)) return missing('metadata is missing', 'metadata');

  const { name, generateName, namespace, resourceVersion, ...otherMetadata } = metadata;
  const subject = `document ${index}: ${kind} ${JSON.stringify(typeof name === 'string' ? name : '')}`;
  const meta: ManifestMeta = {};
  for (const [field, given] of Object.entries({ name, generateName, namespace, resourceVersion }) as Array<
    [keyof ManifestMeta, unknown]
  >) {
    // Absent, null and empty all mean unset, as they do to the API server.
    if (given === undefined || given === null || given === '') continue;
    const invalid = (problem: string) =>
      failed(invalidValue(subject, `metadata.${field}`, given, problem, { index, kind }));
    if (typeof given !== 'string') return invalid('must be a string');
    const problem = PATH_RULES[field]?.(given);
    if (problem !== undefined) return invalid(problem);
    meta[field] = given;
  }
  if (meta.name === undefined && !(allowGenerateName && meta.generateName !== undefined)) {
    return missing(
      allowGenerateName ? 'metadata.name or metadata.generateName is required' : 'metadata.name is required',
      'metadata.name',
    );
  }
  return {
    index,
    object: {
      apiVersion,
      kind,
      metadata: meta,
      otherMetadata: members(otherMetadata),
      otherFields: members(otherFields),
    },
  };
}

/** A `kind: List` (or any *List with items) is a container: its items are applied, not the list. */
function expand(value: unknown): unknown[] {
  if (isRecord(value) && typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items))
    return value.items;
  return [value];
}

function decodeJson(body: string): DecodedDocument {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    const { line, column } = jsonErrorPosition(body);
    return { fault: { message: errorMessage(err).replace(/\s+/g, ' ').slice(0, 200), line, column } };
  }
  checkValueBudget(value, MANIFEST_BUDGET, 0);
  return { value };
}

function faultStatus(format: BodyFormat, document: number, fault: DocumentFault, index: number): Status {
  if (fault.line === undefined)
    return new StatusError('BadRequest', `document ${document}: ${fault.message}`, { index }).toStatus();
  const position = `line ${fault.line}, column ${fault.column ?? 1}`;
  return new StatusError(
    'BadRequest',
    `${format === 'json' ? 'JSON' : 'YAML'} syntax error in document ${document} at ${position}: ${fault.message}`,
    {
      index,
      causes: [{ reason: 'FieldValueInvalid', field: position, message: fault.message }],
    },
  ).toStatus();
}

/**
 * Splits a request body into the objects to apply, in order, within MANIFEST_BUDGET (a body over it throws
 * 413). Syntax errors and invalid documents become error items at their position, so the caller applies
 * the rest and reports each failure by index. Yields as it decodes, so a worker can send each item alone.
 */
export function* parseManifests(body: string, format: BodyFormat, allowGenerateName: boolean): Generator<ManifestItem> {
  if (body.trim() === '') throw new StatusError('BadRequest', 'the request body is empty: nothing to apply');
  const documents =
    format === 'json'
      ? [decodeJson(body)]
      : yamlDocuments(body, { schema: { version: '1.2' }, budget: MANIFEST_BUDGET });
  let index = 0;
  let document = 0;
  for (const decoded of documents) {
    if ('fault' in decoded) {
      yield { index, status: faultStatus(format, document, decoded.fault, index) };
      index++;
    } else if (decoded.value !== null && decoded.value !== undefined) {
      // (`---` with nothing after it is an empty document, which kubectl skips.)
      for (const value of expand(decoded.value)) yield checkObject(value, index++, allowGenerateName);
    }
    document++;
  }
  if (index === 0) throw new StatusError('BadRequest', 'the request body holds no objects: nothing to apply');
}
