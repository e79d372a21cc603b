/**
 * Strategic merge patch, as served for `application/strategic-merge-patch+json` (what `kubectl patch`
 * and client-side `kubectl apply` send): maps merge, `null` deletes, lists merge by their patch merge key
 * or are replaced, and the `$patch`, `$retainKeys`, `$deleteFromPrimitiveList/` and `$setElementOrder/`
 * directives are honoured.
 */
import { StatusError } from '../../errors';
import { cloneJson, isJsonObject, jsonEqual, jsonKind, type JsonObject } from './json-value';
import { kindSchema, structSchema, type FieldStrategy, type StructSchema } from './strategic-schema';

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';
const SET_ELEMENT_ORDER = '$setElementOrder/';

/** Returned by a merge whose patch said `$patch: delete`. */
const DELETED = Symbol('deleted');

/**
 * The patched object. `kind` selects the list strategies (unknown kinds merge maps and replace lists).
 * Inputs are not modified and the result shares no structure with them.
 */
export function applyStrategicMergePatch(target: unknown, patch: unknown, kind: string): unknown {
  if (!isJsonObject(patch)) {
    throw new StatusError(
      'BadRequest',
      `json: cannot unmarshal ${jsonKind(patch)} into Go value of type map[string]interface {}`,
    );
  }
  const original = isJsonObject(target) ? cloneJson(target) : {};
  const merged = mergeMap(original, patch, kindSchema(kind));
  return merged === DELETED ? {} : merged;
}

/** `original` is a private copy and is edited in place. */
function mergeMap(
  original: JsonObject,
  patch: JsonObject,
  schema: StructSchema | undefined,
): JsonObject | typeof DELETED {
  const directive = patch[PATCH];
  if (directive === 'delete') return DELETED;
  if (directive === 'replace') return mergeMap({}, withoutKey(patch, PATCH), schema);
  if (directive !== undefined && directive !== 'merge') {
    throw new StatusError('BadRequest', `unknown patch type: ${String(directive)} in map: ${JSON.stringify(patch)}`);
  }

  if (Object.hasOwn(patch, RETAIN_KEYS)) retainKeys(original, patch);

  const orders: Array<[string, unknown[]]> = [];
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      deleteFromPrimitiveList(original, key.slice(DELETE_FROM_PRIMITIVE_LIST.length), value);
    } else if (key.startsWith(SET_ELEMENT_ORDER)) {
      if (!Array.isArray(value)) throw new StatusError('BadRequest', 'invalid type for $setElementOrder list');
      orders.push([key.slice(SET_ELEMENT_ORDER.length), value]);
    } else if (key.startsWith('$')) {
      // Other directives ($patch, $retainKeys) are handled above; unknown ones would be dropped by the typed decode.
    } else if (value === null) {
      delete original[key];
    } else {
      const field = schema?.[key];
      const merged = mergeValue(original[key], value, field);
      if (merged === DELETED) delete original[key];
      else original[key] = merged;
    }
  }
  for (const [key, order] of orders) applyElementOrder(original, key, order, schema?.[key]);
  return original;
}

function mergeValue(original: unknown, patch: unknown, field: FieldStrategy | undefined): unknown {
  if (isJsonObject(patch)) return mergeMap(isJsonObject(original) ? original : {}, patch, structSchema(field?.type));
  if (Array.isArray(patch)) return mergeList(Array.isArray(original) ? original : [], patch, field);
  return patch;
}

function mergeList(original: unknown[], patch: unknown[], field: FieldStrategy | undefined): unknown[] {
  if (field?.mergeKey !== undefined) return mergeKeyedList(original, patch, field.mergeKey, structSchema(field.type));
  if (field?.mergeSet === true) {
    const result = [...original];
    for (const item of patch) if (!result.some((existing) => jsonEqual(existing, item))) result.push(cloneJson(item));
    return result;
  }
  return patch.map((item) => (isJsonObject(item) ? stripDirectives(item) : cloneJson(item)));
}

function mergeKeyedList(
  original: unknown[],
  patch: unknown[],
  mergeKey: string,
  itemSchema: StructSchema | undefined,
): unknown[] {
  const items = patch.map((item) => {
    if (!isJsonObject(item)) {
      throw new StatusError(
        'BadRequest',
        `list merged by key "${mergeKey}" contains a non-object: ${JSON.stringify(item)}`,
      );
    }
    return item;
  });
  if (items.some((item) => item[PATCH] === 'replace')) {
    return items.filter((item) => item[PATCH] !== 'replace').map((item) => stripDirectives(item, itemSchema));
  }
  const result = [...original];
  for (const item of items) {
    if (!Object.hasOwn(item, mergeKey)) {
      // The API server lets this error through unwrapped, so clients see a 500 with this text.
      throw new StatusError(
        'InternalError',
        `map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`,
      );
    }
    const matches = (existing: unknown) => isJsonObject(existing) && jsonEqual(existing[mergeKey], item[mergeKey]);
    if (item[PATCH] === 'delete') {
      for (let i = result.length - 1; i >= 0; i--) if (matches(result[i])) result.splice(i, 1);
      continue;
    }
    const index = result.findIndex(matches);
    const existing = result[index];
    const merged = mergeMap(isJsonObject(existing) ? existing : {}, item, itemSchema);
    if (index < 0) {
      if (merged !== DELETED) result.push(merged);
    } else if (merged === DELETED) {
      result.splice(index, 1);
    } else {
      result[index] = merged;
    }
  }
  return result;
}

/** A patch value taken as-is, minus directives and `null`s (which mean "absent" in a patch). */
function stripDirectives(item: JsonObject, schema?: StructSchema): JsonObject {
  const merged = mergeMap({}, withoutKey(item, PATCH), schema);
  return merged === DELETED ? {} : merged;
}

function retainKeys(original: JsonObject, patch: JsonObject): void {
  const keep = patch[RETAIN_KEYS];
  if (!Array.isArray(keep) || !keep.every((k): k is string => typeof k === 'string')) {
    throw new StatusError('BadRequest', 'invalid patch format of retainKeys');
  }
  for (const [key, value] of Object.entries(patch)) {
    if (!key.startsWith('$') && value !== null && !keep.includes(key)) {
      throw new StatusError('Invalid', "patch content doesn't match retainKeys list");
    }
  }
  for (const key of Object.keys(original)) if (!keep.includes(key)) delete original[key];
}

function deleteFromPrimitiveList(original: JsonObject, key: string, values: unknown): void {
  if (!Array.isArray(values)) throw new StatusError('BadRequest', 'invalid patch format of primitive list');
  const list = original[key];
  if (list === undefined) return;
  if (!Array.isArray(list)) throw new StatusError('BadRequest', 'invalid patch format of primitive list');
  original[key] = list.filter((item) => !values.some((value) => jsonEqual(value, item)));
}

/**
 * Reorders a merged list as `$setElementOrder/<key>` asks: the listed items in that order, then the items
 * only the server knows about, in their previous relative order.
 */
function applyElementOrder(
  original: JsonObject,
  key: string,
  order: unknown[],
  field: FieldStrategy | undefined,
): void {
  const value = original[key];
  if (!Array.isArray(value)) return;
  const list: unknown[] = value;
  const mergeKey = field?.mergeKey;
  const identity = (item: unknown): unknown => (mergeKey !== undefined && isJsonObject(item) ? item[mergeKey] : item);
  const wanted = order.map(identity);
  const rank = (item: unknown) => wanted.findIndex((w) => jsonEqual(w, identity(item)));
  const listed = list.filter((item) => rank(item) >= 0).sort((a, b) => rank(a) - rank(b));
  original[key] = [...listed, ...list.filter((item) => rank(item) < 0)];
}

function withoutKey(object: JsonObject, key: string): JsonObject {
  const { [key]: _dropped, ...rest } = object;
  return rest;
}
