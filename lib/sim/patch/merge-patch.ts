/** JSON Merge Patch (RFC 7386), as served for `application/merge-patch+json`. */
import { cloneJson, isJsonObject, type JsonObject } from './json-value';

/**
 * The patched document. A non-object patch replaces the target; `null` members delete keys.
 * Inputs are not modified and the result shares no structure with them.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  return mergeInto(cloneJson(target), patch);
}

/** `target` is already a private copy, so it is edited in place. */
function mergeInto(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return cloneJson(patch);
  const result: JsonObject = isJsonObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergeInto(result[key], value);
  }
  return result;
}
