/**
 * Shares one copy of strings and small values that repeat across many objects (namespaces, node names,
 * images, label sets): JSON.parse gives every occurrence its own copy. Bounded: past `limit` entries
 * it starts afresh, so values of long-deleted objects are not kept forever.
 */
export class Interner {
  private strings = new Map<string, string>();
  private values = new Map<string, unknown>();

  constructor(private readonly limit = 200_000) {}

  string(value: string): string {
    if (value === '') return '';
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    if (this.strings.size >= this.limit) this.strings = new Map();
    this.strings.set(value, value);
    return value;
  }

  /** One shared instance per key; `make` runs only for a key not seen yet. */
  value<T>(key: string, make: () => T): T {
    const known = this.values.get(key);
    if (known !== undefined) return known as T;
    if (this.values.size >= this.limit) this.values = new Map();
    const made = make();
    this.values.set(key, made);
    return made;
  }
}
