/**
 * "Nothing left half-applied": every object the simulated cluster saw change during a run must be one that some
 * answer reported as written in full (a 2xx answer naming it, alone or among a List's items), or one such object's
 * dependent. Pure: the answers' bodies and the cluster's changes in, the unexplained changes out.
 */
import type { ParsedResponse } from './http-response';

export interface ChangedObject {
  kind: string;
  namespace: string;
  name: string;
  /** The UIDs in its ownerReferences. */
  owners: readonly string[];
}

export interface Written {
  keys: Set<string>;
  uids: Set<string>;
}

export const objectKey = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;

interface Meta {
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown; uid?: unknown };
}

function note(written: Written, value: unknown): void {
  const { kind, metadata } = (value ?? {}) as Meta;
  if (typeof kind !== 'string' || typeof metadata?.name !== 'string') return;
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : '';
  written.keys.add(objectKey(kind, namespace, metadata.name));
  if (typeof metadata.uid === 'string') written.uids.add(metadata.uid);
}

/** Adds what a 2xx answer (or a partly failed apply's List) reports as written. */
export function noteWritten(written: Written, r: ParsedResponse): void {
  if (r.body.length === 0 || r.status < 200) return;
  let body: unknown;
  try {
    body = JSON.parse(r.body.toString('utf8'));
  } catch {
    return;
  }
  const items = (body as { kind?: unknown; items?: unknown }).items;
  if ((body as Meta).kind === 'List' && Array.isArray(items)) for (const item of items) note(written, item);
  else if (r.status < 300) note(written, body);
}

export function unexplainedChanges(changes: readonly ChangedObject[], written: Written): ChangedObject[] {
  return changes.filter(
    (c) => !written.keys.has(objectKey(c.kind, c.namespace, c.name)) && !c.owners.some((uid) => written.uids.has(uid)),
  );
}
