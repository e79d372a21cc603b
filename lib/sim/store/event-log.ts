/**
 * The window of recent changes a watch can replay from: a ring buffer ordered by resourceVersion.
 * A watch that starts older than the window gets "too old resource version" (410 Expired), as from etcd
 * after compaction.
 */
import type { ApiResource } from '../api/resources';
import type { StoredRecord } from './record';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  type: ChangeType;
  rv: number;
  res: ApiResource;
  /** The object after the change; for DELETED, its last state at the deletion's resourceVersion. */
  record: StoredRecord;
  /** The object before a MODIFIED change, to turn it into ADDED/DELETED for selector-filtered watches. */
  prev?: StoredRecord;
}

export class EventLog {
  private readonly ring: (Change | undefined)[];
  private start = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array<Change | undefined>(Math.max(1, capacity));
  }

  push(change: Change): void {
    const cap = this.ring.length;
    if (this.size < cap) {
      this.ring[(this.start + this.size) % cap] = change;
      this.size++;
    } else {
      this.ring[this.start] = change;
      this.start = (this.start + 1) % cap;
    }
  }

  private at(i: number): Change {
    return this.ring[(this.start + i) % this.ring.length] as Change;
  }

  /**
   * The changes after `rv`, or undefined when changes after it have already left the window.
   * `currentRv` is the store's latest version (a client may resume from any version up to it).
   */
  since(rv: number, currentRv: number): Change[] | undefined {
    if (rv >= currentRv) return [];
    if (this.size === 0) return undefined;
    // Complete only if the first retained change directly follows rv, or rv is at or after it.
    if (rv + 1 < this.at(0).rv) return undefined;
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.at(mid).rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    const out: Change[] = [];
    for (let i = lo; i < this.size; i++) out.push(this.at(i));
    return out;
  }

  /** The oldest resourceVersion a watch can still start from. */
  oldestResumable(currentRv: number): number {
    return this.size === 0 ? currentRv : this.at(0).rv - 1;
  }
}
