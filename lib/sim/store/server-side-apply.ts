/**
 * Server-side apply (`application/apply-patch+yaml`), simplified but with the behaviours clients rely on:
 * the object is created when absent; applied fields merge into the live object (lists of containers, ports,
 * env, ... by their keys); fields a manager applied before and now omits are removed; each manager's fields
 * are recorded in managedFields (FieldsV1); a second identical apply changes nothing (same resourceVersion);
 * and a field another *apply* manager owns with a different value is a 409 conflict unless `force=true`,
 * which takes it over. Simplified: fields set by Update operations (kubectl edit/patch/scale) are not tracked,
 * so they never conflict.
 */
import { StatusError, type StatusCause } from '../../errors';
import type { ApiResource } from '../api/resources';
import { isObject, type KubeObject } from '../object-meta';
import { isCustomResource } from '../crd/definition';
import { applyStrategicMergePatch, kindSchema, type StructSchema } from '../patch/index';
import { structSchema } from '../patch/strategic-schema';
import { managedEntry, withManager } from './managed-fields';
import type { SimStore } from './store';

/** FieldsV1: `f:<field>`, `k:<merge key JSON>` for keyed list items, `v:<value JSON>` for set items. */
export type FieldSet = { [key: string]: FieldSet };

/** Metadata the server owns; an applied config's copy of them is not a claim on them. */
const SERVER_METADATA = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'generateName',
  'selfLink',
  'deletionTimestamp',
]);

export function fieldSetOf(value: Record<string, unknown>, schema: StructSchema | undefined, top = false): FieldSet {
  const out: FieldSet = {};
  for (const [key, v] of Object.entries(value)) {
    if (top && (key === 'apiVersion' || key === 'kind')) continue;
    const strategy = schema?.[key];
    if (key === 'metadata' && top && isObject(v)) {
      const meta = fieldSetOf(
        Object.fromEntries(Object.entries(v).filter(([k]) => !SERVER_METADATA.has(k))),
        structSchema('ObjectMeta'),
      );
      if (Object.keys(meta).length > 0) out['f:metadata'] = meta;
      continue;
    }
    if (isObject(v)) out[`f:${key}`] = fieldSetOf(v, structSchema(strategy?.type));
    else if (Array.isArray(v) && strategy?.mergeKey !== undefined) {
      const items: FieldSet = {};
      const mergeKey = strategy.mergeKey;
      for (const item of v) {
        if (!isObject(item)) continue;
        items[`k:${JSON.stringify({ [mergeKey]: item[mergeKey] })}`] = {
          '.': {},
          ...fieldSetOf(item, structSchema(strategy.type)),
        };
      }
      out[`f:${key}`] = items;
    } else if (Array.isArray(v) && strategy?.mergeSet) {
      out[`f:${key}`] = Object.fromEntries(v.map((item) => [`v:${JSON.stringify(item)}`, {}]));
    } else out[`f:${key}`] = {};
  }
  return out;
}

/** Every leaf path of a field set, as key lists. */
function leaves(set: FieldSet, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const [key, child] of Object.entries(set)) {
    if (key === '.') continue;
    const path = [...prefix, key];
    if (Object.keys(child).length === 0) out.push(path);
    else out.push(...leaves(child, path));
  }
  return out;
}

function hasPath(set: FieldSet | undefined, path: readonly string[]): boolean {
  let cur = set;
  for (const key of path) {
    if (cur === undefined) return false;
    cur = cur[key];
  }
  return cur !== undefined;
}

function removePath(set: FieldSet, path: readonly string[]): void {
  const [head, ...rest] = path;
  if (head === undefined || set[head] === undefined) return;
  if (rest.length === 0) delete set[head];
  else {
    removePath(set[head], rest);
    if (Object.keys(set[head]).filter((k) => k !== '.').length === 0) delete set[head];
  }
}

/** The value a field path points at in an object, or undefined. */
function valueAt(obj: unknown, path: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (key.startsWith('f:')) cur = isObject(cur) ? cur[key.slice(2)] : undefined;
    else if (key.startsWith('k:')) {
      const want = JSON.parse(key.slice(2)) as Record<string, unknown>;
      cur = Array.isArray(cur)
        ? cur.find((item) => isObject(item) && Object.entries(want).every(([k, v]) => item[k] === v))
        : undefined;
    } else if (key.startsWith('v:')) {
      const want = key.slice(2);
      cur = Array.isArray(cur) && cur.some((item) => JSON.stringify(item) === want) ? JSON.parse(want) : undefined;
    }
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** `.spec.replicas`, `.spec.template.spec.containers[name="web"].image`: how conflicts name fields. */
function renderPath(path: readonly string[]): string {
  return path
    .map((key) => {
      if (key.startsWith('f:')) return `.${key.slice(2)}`;
      if (key.startsWith('k:')) {
        const parts = Object.entries(JSON.parse(key.slice(2)) as Record<string, unknown>).map(
          ([k, v]) => `${k}=${JSON.stringify(v)}`,
        );
        return `[${parts.join(',')}]`;
      }
      return `[=${key.slice(2)}]`;
    })
    .join('');
}

/** Removes from `live` what `previous` held and `next` no longer does (unless another manager owns it). */
function pruneDropped(
  live: unknown,
  previous: FieldSet,
  next: FieldSet | undefined,
  ownedByOthers: (path: string[]) => boolean,
  prefix: string[] = [],
): void {
  for (const [key, child] of Object.entries(previous)) {
    if (key === '.') continue;
    const path = [...prefix, key];
    const target = valueAt(live, [key]);
    if (next?.[key] === undefined) {
      if (ownedByOthers(path)) continue;
      if (key.startsWith('f:') && isObject(live)) delete live[key.slice(2)];
      else if (Array.isArray(live)) {
        const index = live.indexOf(target);
        if (index !== -1) live.splice(index, 1);
      }
    } else if (target !== undefined && Object.keys(child).length > 0) {
      pruneDropped(target, child, next[key], ownedByOthers, path);
    }
  }
}

interface ManagedEntry {
  manager: string;
  operation: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: FieldSet;
  subresource?: string;
}

function stripManaged(obj: KubeObject): string {
  const { managedFields: _managed, ...meta } = obj.metadata;
  return JSON.stringify({ ...obj, metadata: meta });
}

export interface ApplyRequest {
  res: ApiResource;
  namespace: string | undefined;
  name: string;
  applied: unknown;
  fieldManager: string | null;
  force: boolean;
  dryRun: boolean;
}

/** Applies a configuration; answers the resulting object and whether it was created. */
export function serverSideApply(store: SimStore, request: ApplyRequest): { object: KubeObject; created: boolean } {
  const { res, name } = request;
  if (!request.fieldManager)
    throw new StatusError(
      'BadRequest',
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
  const manager = request.fieldManager;
  if (!isObject(request.applied) || !isObject(request.applied.metadata))
    throw new StatusError(
      'BadRequest',
      'error decoding YAML: the applied configuration must be an object with metadata',
    );
  const applied = request.applied as KubeObject;
  if (applied.metadata.name !== undefined && applied.metadata.name !== name) {
    throw new StatusError(
      'BadRequest',
      `the name of the object (${String(applied.metadata.name)}) does not match the name on the URL (${name})`,
    );
  }
  if (res.namespaced && applied.metadata.namespace !== undefined && applied.metadata.namespace !== request.namespace) {
    throw new StatusError(
      'BadRequest',
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  }
  // A custom resource has no list merge keys, whatever its kind is called: maps merge, lists are atomic.
  const schemaKind = isCustomResource(res) ? '' : res.kind;
  const schema = kindSchema(schemaKind);
  const fields = fieldSetOf(applied, schema, true);
  const now = new Date(store.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const entry = managedEntry(manager, 'Apply', res.apiVersion, now, undefined, fields);

  const live = store.get(res, request.namespace, name);
  if (live === undefined) {
    const body: KubeObject = {
      ...applied,
      apiVersion: res.apiVersion,
      kind: res.kind,
      metadata: { ...applied.metadata, name, ...(res.namespaced ? { namespace: request.namespace } : {}) },
    };
    body.metadata.managedFields = [entry];
    return { object: store.create(body, { dryRun: request.dryRun }, res), created: true };
  }

  const managed = (live.metadata.managedFields ?? []) as ManagedEntry[];
  const mine = managed.find((m) => m.manager === manager && m.operation === 'Apply' && !m.subresource);
  const otherAppliers = managed.filter((m) => m !== mine && m.operation === 'Apply' && !m.subresource);

  const causes: StatusCause[] = [];
  const conflicting = new Map<ManagedEntry, string[][]>();
  for (const path of leaves(fields)) {
    const wanted = JSON.stringify(valueAt(applied, path));
    for (const other of otherAppliers) {
      if (!hasPath(other.fieldsV1, path) || JSON.stringify(valueAt(live, path)) === wanted) continue;
      causes.push({
        reason: 'FieldManagerConflict',
        message: `conflict with "${other.manager}" using ${other.apiVersion ?? res.apiVersion}`,
        field: renderPath(path),
      });
      conflicting.set(other, [...(conflicting.get(other) ?? []), path]);
    }
  }
  if (causes.length > 0 && !request.force) {
    const lines = causes.map((c) => `${c.message}: ${c.field}`);
    const message =
      causes.length === 1
        ? `Apply failed with 1 conflict: ${lines[0]}`
        : `Apply failed with ${causes.length} conflicts: ${lines.join('\n')}`;
    throw new StatusError('Conflict', message, { causes });
  }

  const merged = applyStrategicMergePatch(
    live,
    { ...applied, apiVersion: res.apiVersion, kind: res.kind, metadata: { ...applied.metadata, name } },
    schemaKind,
  ) as KubeObject;
  if (mine?.fieldsV1)
    pruneDropped(merged, mine.fieldsV1, fields, (path) => otherAppliers.some((o) => hasPath(o.fieldsV1, path)));
  // A forced apply takes the conflicting fields away from their previous owners; an owner left with none is dropped.
  const nextManaged = managed.flatMap((m) => {
    const taken = conflicting.get(m);
    if (taken === undefined || m.fieldsV1 === undefined) return [m];
    const fieldsV1 = structuredClone(m.fieldsV1);
    for (const path of taken) removePath(fieldsV1, path);
    return Object.keys(fieldsV1).length === 0 ? [] : [{ ...m, fieldsV1 }];
  });
  const unchanged =
    mine !== undefined &&
    JSON.stringify(mine.fieldsV1) === JSON.stringify(fields) &&
    stripManaged(merged) === stripManaged(live);
  if (unchanged) return { object: live, created: false };
  merged.metadata.managedFields = withManager(nextManaged, entry);
  merged.metadata.resourceVersion = live.metadata.resourceVersion;
  return { object: store.update(merged, { dryRun: request.dryRun }, res), created: false };
}
