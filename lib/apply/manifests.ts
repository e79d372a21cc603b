import { parseAllDocuments, type Document } from 'yaml';
import { StatusError } from '../errors';
import { jsonErrorPosition } from './json-error-position';

/** A Kubernetes object as it arrives in a manifest: only the fields apply needs are typed. */
export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; generateName?: string; namespace?: string; resourceVersion?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** One object to apply, or why its document could not become one. `index` counts objects in request order. */
export type ManifestItem = { index: number; object: ManifestObject } | { index: number; error: StatusError };

export type ManifestFormat = 'json' | 'yaml';

const YAML_TYPES = new Set(['application/yaml', 'application/x-yaml', 'text/yaml', 'application/apply-patch+yaml']);
/** Anchors and aliases that expand past this many are a "billion laughs" attack, not a manifest. */
const MAX_ALIAS_COUNT = 1_000;

/** The body's format from its Content-Type, else sniffed from its first non-blank character. */
export function manifestFormat(contentType: string | undefined, body: string): ManifestFormat | StatusError {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType === undefined || mediaType === '' || mediaType === 'text/plain' || mediaType === 'application/octet-stream') {
    return /^\s*[{[]/.test(body) ? 'json' : 'yaml';
  }
  if (mediaType === 'application/json') return 'json';
  if (YAML_TYPES.has(mediaType)) return 'yaml';
  return new StatusError('UnsupportedMediaType', `unsupported media type ${JSON.stringify(mediaType)}: send application/json or application/yaml`);
}

/** Builds a document's error once its position among the request's objects is known. */
type DeferredError = (index: number) => StatusError;

function syntaxError(format: ManifestFormat, doc: number, message: string, line?: number, column?: number): DeferredError {
  const where = line === undefined ? '' : ` at line ${line}, column ${column ?? 1}`;
  return (index) => new StatusError('BadRequest', `${format === 'json' ? 'JSON' : 'YAML'} syntax error in document ${doc}${where}: ${message}`, {
    index,
    causes: line === undefined ? [] : [{ reason: 'FieldValueInvalid', field: `line ${line}, column ${column ?? 1}`, message }],
  });
}

function yamlErrorAt(doc: Document, docNumber: number, format: ManifestFormat): DeferredError | undefined {
  const first = doc.errors[0];
  if (first === undefined) return undefined;
  const pos = first.linePos?.[0];
  return syntaxError(format, docNumber, first.message.split('\n')[0] ?? first.code, pos?.line, pos?.col);
}

/** Checks one decoded value is an object apply can send, as kubectl checks before sending. */
export function checkObject(value: unknown, index: number, allowGenerateName: boolean): ManifestItem {
  const fail = (message: string, field?: string) =>
    ({ index, error: new StatusError('BadRequest', `document ${index}: ${message}`, { index, causes: field === undefined ? [] : [{ reason: 'FieldValueRequired', field, message }] }) }) as const;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(`expected an object, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`);
  const obj = value as Record<string, unknown>;
  if (typeof obj.apiVersion !== 'string' || obj.apiVersion === '') return fail("Object 'apiVersion' is missing", 'apiVersion');
  if (typeof obj.kind !== 'string' || obj.kind === '') return fail("Object 'Kind' is missing", 'kind');
  const metadata = obj.metadata;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return fail('metadata is missing', 'metadata');
  const meta = metadata as Record<string, unknown>;
  const named = typeof meta.name === 'string' && meta.name !== '';
  const generated = allowGenerateName && typeof meta.generateName === 'string' && meta.generateName !== '';
  if (!named && !generated) return fail(allowGenerateName ? 'metadata.name or metadata.generateName is required' : 'metadata.name is required', 'metadata.name');
  return { index, object: obj as ManifestObject };
}

/** A `kind: List` (or any *List with items) is a container: its items are applied, not the list. */
function expand(value: unknown): unknown[] {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    if (typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items)) return obj.items;
  }
  return [value];
}

function decodeJson(body: string): { value: unknown } | { error: DeferredError } {
  try {
    return { value: JSON.parse(body) };
  } catch (err) {
    const { line, column } = jsonErrorPosition(body);
    const message = (err as Error).message.replace(/\s+/g, ' ').slice(0, 200);
    return { error: syntaxError('json', 0, message, line, column) };
  }
}

/**
 * Splits a request body into the objects to apply, in order. Syntax errors and invalid documents become
 * error items at their position, so the caller applies the rest and reports each failure by index.
 */
export function parseManifests(body: string, format: ManifestFormat, allowGenerateName: boolean): ManifestItem[] {
  if (body.trim() === '') throw new StatusError('BadRequest', 'the request body is empty: nothing to apply');
  const decoded: Array<{ value: unknown } | { error: DeferredError }> = [];
  if (format === 'json') {
    decoded.push(decodeJson(body));
  } else {
    const docs = parseAllDocuments(body);
    const list = Array.isArray(docs) ? docs : [docs];
    list.forEach((doc, i) => {
      const error = 'errors' in doc ? yamlErrorAt(doc as Document, i, 'yaml') : undefined;
      if (error !== undefined) return decoded.push({ error });
      try {
        const value: unknown = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
        // `---` with nothing after it is an empty document, which kubectl skips.
        if (value !== null && value !== undefined) decoded.push({ value });
      } catch (err) {
        const message = (err as Error).message;
        decoded.push({ error: (index) => new StatusError('BadRequest', `document ${i}: ${message}`, { index }) });
      }
    });
  }
  const items: ManifestItem[] = [];
  for (const d of decoded) {
    if ('error' in d) {
      items.push({ index: items.length, error: d.error(items.length) });
      continue;
    }
    for (const value of expand(d.value)) items.push(checkObject(value, items.length, allowGenerateName));
  }
  if (items.length === 0) throw new StatusError('BadRequest', 'the request body holds no objects: nothing to apply');
  return items;
}
