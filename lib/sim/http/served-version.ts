/**
 * A custom resource is stored once, whatever version of its CRD it was written at; read at another served
 * version it answers with that apiVersion (conversion strategy None: same fields, new apiVersion).
 * Built-in objects are answered as stored.
 */
import type { ApiResource } from '../api/resources';
import { normalizeObject, type KubeObject } from '../object-meta';
import type { StoredRecord } from '../store/record';

function needsConversion(res: ApiResource, apiVersion: string): boolean {
  return res.crd !== undefined && apiVersion !== res.apiVersion;
}

export function objectAt(res: ApiResource, obj: KubeObject): KubeObject {
  return needsConversion(res, obj.apiVersion) ? normalizeObject({ ...obj, apiVersion: res.apiVersion }) : obj;
}

/** The record's JSON at the version `res` serves; parsed only when the version differs. */
export function jsonAt(res: ApiResource, record: StoredRecord): string {
  if (
    res.crd === undefined ||
    record.json.startsWith(`{"kind":${JSON.stringify(res.kind)},"apiVersion":${JSON.stringify(res.apiVersion)},`)
  )
    return record.json;
  return JSON.stringify(objectAt(res, record.object()));
}
