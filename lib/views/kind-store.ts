import type { SlimObject } from './slim';

/**
 * The slim objects of one kind, by namespace then uid, so a namespace's objects are found without
 * scanning the cluster. Tells a listener about every change (for running counters), and supports the
 * list-then-sweep a relist needs: objects not put since beginSync are removed by endSync.
 */
export class KindStore<T extends SlimObject> {
  private readonly byNamespace = new Map<string, Map<string, T>>();
  private count = 0;
  private changed = 0;
  private readonly changedIn = new Map<string, number>();
  private seen: Set<string> | undefined;

  constructor(private readonly onChange?: (before: T | undefined, after: T | undefined) => void) {}

  get size(): number {
    return this.count;
  }

  /** Moves whenever an object is put or deleted (in `namespace`, or anywhere): what a rendered view depends on. */
  changes(namespace?: string): number {
    return namespace === undefined ? this.changed : (this.changedIn.get(namespace) ?? 0);
  }

  private touch(namespace: string): void {
    this.changed++;
    this.changedIn.set(namespace, (this.changedIn.get(namespace) ?? 0) + 1);
  }

  get(namespace: string, uid: string): T | undefined {
    return this.byNamespace.get(namespace)?.get(uid);
  }

  put(item: T): void {
    let items = this.byNamespace.get(item.namespace);
    if (items === undefined) {
      items = new Map();
      this.byNamespace.set(item.namespace, items);
    }
    const before = items.get(item.uid);
    items.set(item.uid, item);
    if (before === undefined) this.count++;
    this.seen?.add(item.uid);
    this.touch(item.namespace);
    this.onChange?.(before, item);
  }

  delete(namespace: string, uid: string): void {
    const items = this.byNamespace.get(namespace);
    const before = items?.get(uid);
    if (items === undefined || before === undefined) return;
    items.delete(uid);
    if (items.size === 0) this.byNamespace.delete(namespace);
    this.count--;
    this.touch(namespace);
    this.onChange?.(before, undefined);
  }

  /** Removes everything (access lost): listeners see each object go. */
  clear(): void {
    for (const item of [...this.all()]) this.delete(item.namespace, item.uid);
  }

  inNamespace(namespace: string): Iterable<T> {
    return this.byNamespace.get(namespace)?.values() ?? [];
  }

  *all(): Iterable<T> {
    for (const items of this.byNamespace.values()) yield* items.values();
  }

  namespaces(): Iterable<string> {
    return this.byNamespace.keys();
  }

  /** Objects in one namespace, or in all when `namespace` is undefined. */
  scope(namespace: string | undefined): Iterable<T> {
    return namespace === undefined ? this.all() : this.inNamespace(namespace);
  }

  beginSync(): void {
    this.seen = new Set();
  }

  endSync(): void {
    const seen = this.seen;
    this.seen = undefined;
    if (seen === undefined) return;
    const gone: T[] = [];
    for (const item of this.all()) if (!seen.has(item.uid)) gone.push(item);
    for (const item of gone) this.delete(item.namespace, item.uid);
  }
}
