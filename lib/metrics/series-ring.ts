import type { Point } from './types';

/**
 * The rings of one context's series, in columns: one ring of tick times shared by every series of the context, and
 * one row of `capacity` (cpu, memory) slots per series, the rows packed in Float64Array blocks. A scrape files every series
 * under one time (`ScrapeSample.at`), so a slot index means the same tick in every row and t is kept once per tick,
 * not once per point; a series absent at a tick holds NaN there.
 *
 * Why columns and not a ring object per series: measured with `node --expose-gc` (heapUsed + arrayBuffers after a full
 * GC), 150,000 series × 16 points (15 min at 1 min):
 *   - one ring per series (an object with head/count and one Float64Array of 3 × 16 for t, cpu, memory): 93.5 MB,
 *     39 bytes per point: each typed array costs a JS object and a separately allocated backing store besides its data;
 *   - these columns: 39.9 MB, 16.6 bytes per point, about the data itself. Rows come in blocks of 1,024 (the first block
 *     grows by doubling, so a small context stays small): growing copies nothing and wastes at most one block; the
 *     rows of removed series are reused.
 * (The whole store, with its 150,000 key strings and maps: 90.5 MB.) The price: a tick clears its slot in every row,
 * O(rows) per scrape, which filing a scrape of every series costs anyway.
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
  /** Rows in blocks of BLOCK_ROWS (the first one grows to that size): row r is at block r / BLOCK_ROWS. */
  private readonly cpu: Float64Array[] = [];
  private readonly memory: Float64Array[] = [];
  /** Per row: t of its newest point, -Infinity when it has none. */
  private newest = new Float64Array(0);
  /** Rows ever handed out (in use or free). */
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
    this.cpu.forEach((cpu, block) => {
      const memory = this.memory[block]!;
      for (let at = slot; at < cpu.length; at += this.capacity) {
        cpu[at] = NaN;
        memory[at] = NaN;
      }
    });
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
    const base = this.base(row);
    this.cpuOf(row).fill(NaN, base, base + this.capacity);
    this.memoryOf(row).fill(NaN, base, base + this.capacity);
    this.newest[row] = -Infinity;
    return row;
  }

  freeRow(row: number): void {
    this.free.push(row);
  }

  /** Files a point of `row` at the newest tick. */
  set(row: number, cpu: number, memory: number): void {
    const slot = this.slotAt(this.count - 1);
    this.cpuOf(row)[this.base(row) + slot] = cpu;
    this.memoryOf(row)[this.base(row) + slot] = memory;
    this.newest[row] = this.times[slot]!;
  }

  /** t of the row's newest point; -Infinity when it has none. */
  newestOf(row: number): number {
    return this.newest[row]!;
  }

  /** Finds the row's newest point again (after `restartNewest` emptied the tick that held it). */
  rescanNewest(row: number): number {
    let t = -Infinity;
    const memory = this.memoryOf(row);
    const base = this.base(row);
    for (let i = this.count - 1; i >= 0 && t === -Infinity; i--) {
      const slot = this.slotAt(i);
      if (!Number.isNaN(memory[base + slot]!)) t = this.times[slot]!;
    }
    this.newest[row] = t;
    return t;
  }

  /** The row's points, oldest first. */
  read(row: number): Point[] {
    const points: Point[] = [];
    const cpu = this.cpuOf(row);
    const memory = this.memoryOf(row);
    const base = this.base(row);
    for (let i = 0; i < this.count; i++) {
      const at = base + this.slotAt(i);
      if (!Number.isNaN(memory[at]!)) points.push({ t: this.times[at - base]!, cpu: cpu[at]!, memory: memory[at]! });
    }
    return points;
  }

  /** Copies the row's values at every tick, oldest first (NaN where it has no point), into `cpu` and `memory` at `offset`. */
  copyRow(row: number, cpu: Float64Array, memory: Float64Array, offset: number): void {
    const rowCpu = this.cpuOf(row);
    const rowMemory = this.memoryOf(row);
    const base = this.base(row);
    const first = Math.min(this.count, this.capacity - this.head);
    cpu.set(rowCpu.subarray(base + this.head, base + this.head + first), offset);
    memory.set(rowMemory.subarray(base + this.head, base + this.head + first), offset);
    cpu.set(rowCpu.subarray(base, base + this.count - first), offset + first);
    memory.set(rowMemory.subarray(base, base + this.count - first), offset + first);
  }

  /** Fills a fresh row from values at every tick, oldest first (as `copyRow` wrote them). */
  loadRow(row: number, cpu: Float64Array, memory: Float64Array): void {
    const rowCpu = this.cpuOf(row);
    const rowMemory = this.memoryOf(row);
    const base = this.base(row);
    for (let i = 0; i < this.count; i++) {
      rowCpu[base + this.slotAt(i)] = cpu[i]!;
      rowMemory[base + this.slotAt(i)] = memory[i]!;
    }
    this.rescanNewest(row);
  }

  private slotAt(index: number): number {
    return (this.head + index) % this.capacity;
  }

  private cpuOf(row: number): Float64Array {
    return this.cpu[Math.floor(row / BLOCK_ROWS)]!;
  }

  private memoryOf(row: number): Float64Array {
    return this.memory[Math.floor(row / BLOCK_ROWS)]!;
  }

  /** Where the row starts in its block. */
  private base(row: number): number {
    return (row % BLOCK_ROWS) * this.capacity;
  }

  private newRow(): number {
    if (this.used === this.allocated) {
      // The first block doubles up to BLOCK_ROWS (small contexts stay small); then a block at a time, nothing copied.
      const last = this.cpu.length - 1;
      if (last === 0 && this.allocated < BLOCK_ROWS) {
        this.allocated = Math.min(BLOCK_ROWS, this.allocated * 2);
        this.cpu[0] = grown(this.cpu[0]!, this.allocated * this.capacity);
        this.memory[0] = grown(this.memory[0]!, this.allocated * this.capacity);
      } else {
        const rows = this.cpu.length === 0 ? FIRST_ROWS : BLOCK_ROWS;
        this.allocated += rows;
        this.cpu.push(new Float64Array(rows * this.capacity));
        this.memory.push(new Float64Array(rows * this.capacity));
      }
      this.newest = grown(this.newest, this.allocated);
    }
    return this.used++;
  }
}

const FIRST_ROWS = 16;
const BLOCK_ROWS = 1024;

function grown(array: Float64Array, length: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(length);
  next.set(array);
  return next;
}
