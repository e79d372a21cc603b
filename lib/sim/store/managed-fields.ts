/** metadata.managedFields entries: who wrote which fields (FieldsV1), by Update or Apply. */

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Update' | 'Apply';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

export function managedEntry(
  manager: string,
  operation: 'Update' | 'Apply',
  apiVersion: string,
  time: string,
  subresource?: string,
  fieldsV1: Record<string, unknown> = {},
): ManagedFieldsEntry {
  const entry: ManagedFieldsEntry = { manager, operation, apiVersion, time, fieldsType: 'FieldsV1', fieldsV1 };
  if (subresource) entry.subresource = subresource;
  return entry;
}

/** managedFields with `entry` replacing the same manager/operation/subresource's previous entry. */
export function withManager(existing: unknown[] | undefined, entry: ManagedFieldsEntry): ManagedFieldsEntry[] {
  const others = ((existing ?? []) as ManagedFieldsEntry[]).filter(
    (e) =>
      !(
        e.manager === entry.manager &&
        e.operation === entry.operation &&
        (e.subresource ?? '') === (entry.subresource ?? '')
      ),
  );
  return [...others, entry];
}
