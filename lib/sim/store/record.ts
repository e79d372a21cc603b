/**
 * How one object is held: its serialized JSON (what GET returns, byte for byte) plus the few values that
 * lists and watches filter on. Strings are far more compact than live object graphs, which is what lets the
 * store hold 150,000 pods; lists stream the strings out without parsing them.
 */
import type { Labels } from './selectors';
import { indexedFields } from './selectable-fields';
import type { KubeObject } from '../object-meta';

export class StoredRecord {
  constructor(
    readonly name: string,
    /** '' for cluster-scoped objects. */
    readonly namespace: string,
    readonly rv: number,
    readonly uid: string,
    readonly json: string,
    readonly labels: Labels | undefined,
    readonly fields: Readonly<Record<string, string>> | undefined,
    /** UIDs of the owners, for cascading deletion. */
    readonly owners: readonly string[] | undefined,
  ) {}

  static of(obj: KubeObject, json = JSON.stringify(obj)): StoredRecord {
    const meta = obj.metadata;
    const labels = meta.labels && Object.keys(meta.labels).length > 0 ? meta.labels : undefined;
    const owners = meta.ownerReferences?.map((o) => o.uid);
    return new StoredRecord(
      meta.name ?? '',
      meta.namespace ?? '',
      Number(meta.resourceVersion ?? 0),
      meta.uid ?? '',
      json,
      labels,
      indexedFields(obj),
      owners && owners.length > 0 ? owners : undefined,
    );
  }

  get key(): string {
    return this.namespace === '' ? this.name : `${this.namespace}/${this.name}`;
  }

  object(): KubeObject {
    return JSON.parse(this.json) as KubeObject;
  }
}
