/** JSON Patch (RFC 6902), as served for `application/json-patch+json`. */
import { StatusError } from '../../errors';
import { cloneJson, isJsonObject, jsonEqual, jsonKind, type JsonObject } from './json-value';
import { parseArrayIndex, parsePointer, PointerError } from './json-pointer';

export type JsonPatchOperation =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'move' | 'copy'; from: string; path: string };

/** The API server refuses longer patches with 413 (maxJSONPatchOperations). */
export const MAX_JSON_PATCH_OPERATIONS = 10_000;

/** kube-apiserver answers every failed application with this fixed message (the detail goes in a cause). */
export const JSON_PATCH_FAILED_MESSAGE = 'the server rejected our request due to an error in our request';

/**
 * The patched document. All operations apply or none do: any failure (a `test` that does not hold, a path
 * that does not exist) throws a 422 Invalid StatusError; a body that is not a list of operations is a 400.
 * Inputs are not modified and the result shares no structure with them.
 */
export function applyJsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) {
    throw new StatusError(
      'BadRequest',
      `json: cannot unmarshal ${jsonKind(ops)} into Go value of type jsonpatch.Patch`,
    );
  }
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new StatusError(
      'RequestEntityTooLarge',
      `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`,
    );
  }
  let doc = cloneJson(target);
  ops.forEach((raw, index) => {
    try {
      doc = applyOperation(doc, parseOperation(raw));
    } catch (err) {
      if (!(err instanceof PatchFailure) && !(err instanceof PointerError)) throw err;
      // errors.NewGenericServerResponse(422, ...): the library's message as an UnexpectedServerResponse cause, no field.
      throw new StatusError('Invalid', JSON_PATCH_FAILED_MESSAGE, {
        causes: [{ reason: 'UnexpectedServerResponse', message: `operation ${index}: ${err.message}` }],
      });
    }
  });
  return doc;
}

class PatchFailure extends Error {
  override name = 'PatchFailure';
}

function parseOperation(raw: unknown): JsonPatchOperation {
  if (!isJsonObject(raw)) throw new PatchFailure(`operation is not an object: ${JSON.stringify(raw)}`);
  const { op, path, from } = raw;
  if (typeof path !== 'string') throw new PatchFailure(`operation ${JSON.stringify(op)} has no "path" string`);
  switch (op) {
    case 'add':
    case 'replace':
    case 'test':
      if (!Object.hasOwn(raw, 'value')) throw new PatchFailure(`${op} operation at ${path} has no "value"`);
      return { op, path, value: raw.value };
    case 'remove':
      return { op, path };
    case 'move':
    case 'copy':
      if (typeof from !== 'string') throw new PatchFailure(`${op} operation at ${path} has no "from" string`);
      return { op, path, from };
    default:
      throw new PatchFailure(`Unexpected kind: ${JSON.stringify(op)}`);
  }
}

function applyOperation(doc: unknown, operation: JsonPatchOperation): unknown {
  switch (operation.op) {
    case 'add':
      return addValue(doc, operation.path, cloneJson(operation.value));
    case 'remove':
      removeValue(doc, operation.path);
      return doc;
    case 'replace':
      return replaceValue(doc, operation.path, cloneJson(operation.value));
    case 'test':
      if (!jsonEqual(valueAt(doc, operation.path, 'test'), operation.value)) {
        throw new PatchFailure(`testing value ${operation.path} failed: test failed`);
      }
      return doc;
    case 'copy':
      return addValue(doc, operation.path, cloneJson(valueAt(doc, operation.from, 'copy')));
    case 'move': {
      if (operation.path === operation.from) {
        valueAt(doc, operation.from, 'move');
        return doc;
      }
      if (operation.path.startsWith(`${operation.from}/`)) {
        throw new PatchFailure(`move operation cannot move ${operation.from} into its own child ${operation.path}`);
      }
      const value = valueAt(doc, operation.from, 'move');
      removeValue(doc, operation.from);
      return addValue(doc, operation.path, value);
    }
  }
}

function valueAt(doc: unknown, pointer: string, op: string): unknown {
  return walk(doc, parsePointer(pointer), pointer, op);
}

function walk(doc: unknown, tokens: string[], pointer: string, op: string): unknown {
  let node = doc;
  for (const token of tokens) {
    const next = child(node, token);
    if (next === undefined)
      throw new PatchFailure(`${op} operation does not apply: doc is missing path: ${JSON.stringify(pointer)}`);
    node = next.value;
  }
  return node;
}

function child(node: unknown, token: string): { value: unknown } | undefined {
  if (Array.isArray(node)) {
    if (!/^(0|[1-9][0-9]*)$/.test(token) || Number(token) >= node.length) return undefined;
    return { value: node[Number(token)] };
  }
  if (isJsonObject(node) && Object.hasOwn(node, token)) return { value: node[token] };
  return undefined;
}

/** The container a pointer's last token addresses into, which must exist. */
function parentOf(doc: unknown, pointer: string, op: string): { parent: unknown; key: string } {
  const tokens = parsePointer(pointer);
  const key = tokens.pop();
  if (key === undefined) throw new PatchFailure(`${op} operation cannot address the whole document`);
  return { parent: walk(doc, tokens, pointer, op), key };
}

function addValue(doc: unknown, pointer: string, value: unknown): unknown {
  if (pointer === '') return value;
  const { parent, key } = parentOf(doc, pointer, 'add');
  if (Array.isArray(parent)) {
    parent.splice(parseArrayIndex(key, parent.length, true), 0, value);
  } else if (isJsonObject(parent)) {
    parent[key] = value;
  } else {
    throw new PatchFailure(`add operation does not apply: ${JSON.stringify(pointer)} is inside a ${jsonKind(parent)}`);
  }
  return doc;
}

function replaceValue(doc: unknown, pointer: string, value: unknown): unknown {
  valueAt(doc, pointer, 'replace');
  if (pointer === '') return value;
  const { parent, key } = parentOf(doc, pointer, 'replace');
  // valueAt found the target, so its parent is an array with that index or an object with that key.
  if (Array.isArray(parent)) parent[Number(key)] = value;
  else (parent as JsonObject)[key] = value;
  return doc;
}

function removeValue(doc: unknown, pointer: string): void {
  const { parent, key } = parentOf(doc, pointer, 'remove');
  if (Array.isArray(parent)) {
    parent.splice(parseArrayIndex(key, parent.length, false), 1);
  } else if (isJsonObject(parent) && Object.hasOwn(parent, key)) {
    delete parent[key];
  } else {
    throw new PatchFailure(`remove operation does not apply: doc is missing path: ${JSON.stringify(pointer)}`);
  }
}
