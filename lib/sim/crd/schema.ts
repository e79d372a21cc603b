/**
 * What the apiextensions server does to a custom resource with its version's structural schema before
 * storing it: fields the schema does not declare are pruned (unless `x-kubernetes-preserve-unknown-fields`
 * keeps them), nulls that are not `nullable` are dropped, and declared `default`s fill what is missing.
 * apiVersion, kind and metadata are the server's, never pruned.
 * Simplified: values are not validated against their types, and unknown fields are dropped silently even
 * when the client asked for fieldValidation=Strict.
 */
import type { CustomResourceDefinition } from './definition';
import { isObject, type KubeObject } from '../object-meta';

type Schema = Record<string, unknown>;

const EMBEDDED_KEYS = new Set(['apiVersion', 'kind', 'metadata']);

function schemaAt(value: unknown): Schema | undefined {
  return isObject(value) ? value : undefined;
}

/** The value with the schema applied; `undefined` means "drop this field". */
function apply(value: unknown, schema: Schema | undefined): unknown {
  if (schema === undefined) return value;
  if (value === null) return schema.nullable === true ? null : undefined;
  if (Array.isArray(value)) {
    const items = schemaAt(schema.items);
    return items === undefined ? value : value.map((item) => apply(item, items)).filter((item) => item !== undefined);
  }
  if (!isObject(value)) return value;
  const properties = schemaAt(schema.properties) ?? {};
  const additional = schema.additionalProperties;
  const keepUnknown = schema['x-kubernetes-preserve-unknown-fields'] === true || additional === true;
  const embedded = schema['x-kubernetes-embedded-resource'] === true;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const declared = schemaAt(properties[key]);
    let next: unknown;
    if (declared !== undefined) next = apply(child, declared);
    else if (isObject(additional)) next = apply(child, additional);
    else if (keepUnknown || (embedded && EMBEDDED_KEYS.has(key))) next = child;
    if (next !== undefined) out[key] = next;
  }
  for (const [key, raw] of Object.entries(properties)) {
    const declared = schemaAt(raw);
    if (out[key] === undefined && declared !== undefined && declared.default !== undefined)
      out[key] = apply(structuredClone(declared.default), declared);
  }
  return out;
}

/** Prunes and defaults `obj` (a custom resource written at `version`) in place. */
export function applyStructuralSchema(obj: KubeObject, crd: CustomResourceDefinition, version: string): void {
  const schema = crd.spec.versions.find((v) => v.name === version)?.schema?.openAPIV3Schema;
  if (schema === undefined) return;
  const { apiVersion, kind, metadata, ...rest } = obj;
  const shaped = apply(rest, schema);
  for (const key of Object.keys(rest)) delete obj[key];
  Object.assign(obj, isObject(shaped) ? shaped : {}, { apiVersion, kind, metadata });
}
