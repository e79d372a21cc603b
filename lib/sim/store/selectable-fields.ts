/**
 * The field labels each kind accepts in a fieldSelector beyond metadata.name/metadata.namespace, as the real
 * registries declare them (pods' spec.nodeName and status.phase; events' involvedObject.*, which kubectl
 * describe uses; secrets' type; ...). The few selected on big lists are indexed at write time; the rest are
 * read from the stored JSON when a selector asks for them.
 */
import type { KubeObject } from '../object-meta';

const SELECTABLE: Readonly<Record<string, readonly string[]>> = {
  Pod: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  Event: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  Secret: ['type'],
  Node: ['spec.unschedulable'],
  Namespace: ['status.phase'],
  ReplicaSet: ['status.replicas'],
  ReplicationController: ['status.replicas'],
  Job: ['status.successful'],
  CertificateSigningRequest: ['spec.signerName'],
};

export function selectableFields(kind: string): readonly string[] {
  return SELECTABLE[kind] ?? [];
}

/** A field label's value as the selector compares it (a string; missing reads as ""). */
export function fieldValueOf(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const segment of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return '';
    cur = (cur as Record<string, unknown>)[segment];
  }
  if (cur === undefined || cur === null) return '';
  // Events' `source` selects on source.component, as the events registry does.
  if (typeof cur === 'object') return path === 'source' ? String((cur as { component?: unknown }).component ?? '') : '';
  return String(cur);
}

/** Fields selected often enough on large lists (pods by node or phase) to be kept beside the stored JSON. */
const INDEXED: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec.nodeName', 'status.phase'],
};

export function isIndexedField(kind: string, field: string): boolean {
  return INDEXED[kind]?.includes(field) ?? false;
}

/** The indexed field values of an object, or undefined when its kind indexes none (saves memory). */
export function indexedFields(obj: KubeObject): Record<string, string> | undefined {
  const fields = INDEXED[obj.kind];
  if (fields === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const f of fields) {
    const v = fieldValueOf(obj, f);
    // Only non-empty values are kept; a missing entry reads as "".
    if (v !== '') out[f] = v;
  }
  return out;
}
