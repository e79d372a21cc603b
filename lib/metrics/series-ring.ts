import type { Point } from './types';

/**
 * The rings of one context's series, in columns: one ring of tick times shared by every series of the context, and
 * one row of `capacity` (cpu, memory) slots per series, all rows in two Float64Arrays. A scrape files every series
 * under one time (`ScrapeSample.at`), so a slot index means the same tick in every row and t is kept once per tick,
 * not once per point; a series absent at a tick holds NaN there.
 *
 * Why columns and not a ring object per series: measured with `node --expose-gc`, 150,000 series × 16 points
 * (15 min at 1 min), heap + array buffers after a full GC:
 *   - one ring per series (an object with head/count and one Float64Array of 3 × 16): 72.7 MB, 30 bytes per point —
 *     each typed array costs a JS object plus a separately allocated backing store, about 100 bytes before its data;
 *   - these columns: 38.9 MB, 16 bytes per point, the data itself (the rows grow by half, so up to a third may be
 *     spare right after a growth: 150,000 rows sat in 161,000).
 * Adding a series is a free row (rows of removed series are reused), not an allocation. The price: a tick clears its
 * slot in every row, O(rows) per scrape, which is what filing a scrape of every series costs anyway.
 *
 * Values are Float64: memory exceeds 2^32 bytes and a cluster's cpu total can exceed what a Float32 holds exactly
 * (2^24 millicores = 16,777 cores); integers stay exact up to 2^53.
 */
export class SeriesColumns {
  readonly capacity: number;
  private readonly times: Float64Array;
  /** Slot of the oldest tick. */
  private head = 0;
  private count = 0;
  private cpu = new Float64Array(0);
  private memory = new Float64Array(0);
  /** Per row: t of its newest point, -Infinity when it has none. */
  private newest = new Float64Array(0);
  /** Rows ever handed out (in use or free); the arrays hold `allocated` rows. */
  private used = 0;
  private allocated = 0;
  private readonly free: number[] = [];

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`ring capacity ${capacity} is not a positive integer`);
    this.capacity = capacity;
    this.times = new Float64Array(capacity);
  }

  /** Ticks held. */
  get size(): number {
    return this.count;
  }

  /** Rows in use. */
  get rows(): number {
    return this.used - this.free.length;
  }

  /** t of the newest tick; undefined when there is none. */
  newestTick(): number | undefined {
    return this.count === 0 ? undefined : this.times[this.slotAt(this.count - 1)];
  }

  /** t of every tick, oldest first. */
  ticks(): Float64Array {
    const out = new Float64Array(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.times[this.slotAt(i)]!;
    return out;
  }

  /** Starts a tick at `t` (the oldest one goes when the ring is full); every row is empty there until `set`. */
  pushTick(t: number): void {
    if (this.count === this.capacity) {
      this.head = (this.head + 1) % this.capacity;
      this.count--;
    }
    this.count++;
    this.restartNewest(t);
  }

  /** Empties the newest tick and moves it to `t`: a second scrape within the same tick replaces the first. */
  restartNewest(t: number): void {
    const slot = this.slotAt(this.count - 1);
    this.times[slot] = t;
    for (let row = 0, at = slot; row < this.used; row++, at += this.capacity) {
      this.cpu[at] = NaN;
      this.memory[at] = NaN;
    }
  }

  /** Drops the ticks older than `cutoff`. */
  dropBefore(cutoff: number): void {
    while (this.count > 0 && this.times[this.head]! < cutoff) {
      this.head = (this.head + 1) % this.capacity;
      this.count--;
    }
  }

  /** A row with no points: a free one, or a new one. */
  addRow(): number {
    const row = this.free.pop() ?? this.newRow();
    this.cpu.fill(NaN, row * this.capacity, (row + 1) * this.capacity);
    this.memory.fill(NaN, row * this.capacity, (row + 1) * this.capacity);
    this.newest[row] = -Infinity;
    return row;
  }

  freeRow(row: number): void {
    this.free.push(row);
  }

  /** Files a point of `row` at the newest tick. */
  set(row: number, cpu: number, memory: number): void {
    const slot = this.slotAt(this.count - 1);
    this.cpu[row * this.capacity + slot] = cpu;
    this.memory[row * this.capacity + slot] = memory;
    this.newest[row] = this.times[slot]!;
  }

  /** t of the row's newest point; -Infinity when it has none. */
  newestOf(row: number): number {
    return this.newest[row]!;
  }

  /** Finds the row's newest point again (after `restartNewest` emptied the tick that held it). */
  rescanNewest(row: number): number {
    let t = -Infinity;
    for (let i = this.count - 1; i >= 0 && t === -Infinity; i--) {
      const slot = this.slotAt(i);
      if (!Number.isNaN(this.memory[row * this.capacity + slot]!)) t = this.times[slot]!;
    }
    this.newest[row] = t;
    return t;
  }

  /** The row's points, oldest first. */
  read(row: number): Point[] {
    const points: Point[] = [];
    for (let i = 0; i < this.count; i++) {
      const slot = this.slotAt(i);
      const memory = this.memory[row * this.capacity + slot]!;
      if (!Number.isNaN(memory))
        points.push({ t: this.times[slot]!, cpu: this.cpu[row * this.capacity + slot]!, memory });
    }
    return points;
  }

  /** Copies the row's values at every tick, oldest first (NaN where it has no point), into `cpu` and `memory` at `offset`. */
  copyRow(row: number, cpu: Float64Array, memory: Float64Array, offset: number): void {
    const base = row * this.capacity;
    const first = Math.min(this.count, this.capacity - this.head);
    cpu.set(this.cpu.subarray(base + this.head, base + this.head + first), offset);
    memory.set(this.memory.subarray(base + this.head, base + this.head + first), offset);
    cpu.set(this.cpu.subarray(base, base + this.count - first), offset + first);
    memory.set(this.memory.subarray(base, base + this.count - first), offset + first);
  }

  /** Fills a fresh row from values at every tick, oldest first (as `copyRow` wrote them). */
  loadRow(row: number, cpu: Float64Array, memory: Float64Array): void {
    for (let i = 0; i < this.count; i++) {
      const at = row * this.capacity + this.slotAt(i);
      this.cpu[at] = cpu[i]!;
      this.memory[at] = memory[i]!;
    }
    this.rescanNewest(row);
  }

  private slotAt(index: number): number {
    return (this.head + index) % this.capacity;
  }

  private newRow(): number {
    if (this.used === this.allocated) {
      const rows = Math.max(64, Math.ceil(this.allocated * 1.5));
      this.cpu = grown(this.cpu, rows * this.capacity);
      this.memory = grown(this.memory, rows * this.capacity);
      this.newest = grown(this.newest, rows);
      this.allocated = rows;
    }
    return this.used++;
  }
}

function grown(array: Float64Array, length: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(length);
  next.set(array);
  return next;
}
