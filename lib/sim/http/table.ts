/**
 * Content negotiation for server-side printing: `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`
 * (what kubectl get sends) turns lists, gets and watch events into meta.k8s.io/v1 Tables.
 */
import type { ApiResource } from '../api/resources';
import type { KubeObject } from '../object-meta';
import { printerFor, type TablePrinter } from '../api/printers';

export const TABLE_CONTENT_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function wantsTable(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  for (const part of accept.split(',')) {
    const params = part.split(';').map((p) => p.trim());
    if (
      params.includes('as=Table') &&
      params.includes('g=meta.k8s.io') &&
      (params.includes('v=v1') || params.includes('v=v1beta1'))
    )
      return true;
    // Anything listed before a Table type that we can answer (plain JSON) wins.
    if (params[0] === 'application/json' && !params.some((p) => p.startsWith('as='))) return false;
  }
  return false;
}

export function includeObjectParam(value: string | null): IncludeObject {
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}

export function tablePrinter(res: ApiResource): TablePrinter {
  return printerFor(res.kind, res.crd === undefined ? undefined : { crd: res.crd, version: res.version });
}

/** One row: the cells and the object (as PartialObjectMetadata unless the client asked for all of it). */
export function tableRow(printer: TablePrinter, obj: KubeObject, include: IncludeObject, now: number): string {
  const cells = JSON.stringify(printer.row(obj, now));
  if (include === 'None') return `{"cells":${cells}}`;
  const object =
    include === 'Object'
      ? obj
      : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
  return `{"cells":${cells},"object":${JSON.stringify(object)}}`;
}

/** A Table's opening up to the rows array, e.g. `{"kind":"Table",...,"rows":[`. */
export function tableHead(printer: TablePrinter, metadata: Record<string, unknown>): string {
  return `{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":${JSON.stringify(metadata)},"columnDefinitions":${JSON.stringify(printer.columns)},"rows":[`;
}
