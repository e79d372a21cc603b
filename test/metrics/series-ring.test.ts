import { describe, expect, it } from 'vitest';
import { SeriesColumns } from '../../lib/metrics/series-ring';

describe('SeriesColumns', () => {
  it('wraps around, reading oldest first, and keeps the newest `capacity` ticks', () => {
    const columns = new SeriesColumns(4);
    const row = columns.addRow();
    for (let t = 1; t <= 10; t++) {
      columns.pushTick(t * 1000);
      columns.set(row, t, 2 ** 40 + t);
    }
    expect(columns.size).toBe(4);
    expect(columns.read(row)).toEqual([7, 8, 9, 10].map((t) => ({ t: t * 1000, cpu: t, memory: 2 ** 40 + t })));
    expect([...columns.ticks()]).toEqual([7000, 8000, 9000, 10000]);
    expect(columns.newestTick()).toBe(10000);
    expect(columns.newestOf(row)).toBe(10000);
  });

  it('shares ticks between rows; a row absent at a tick has no point there', () => {
    const columns = new SeriesColumns(3);
    const a = columns.addRow();
    const b = columns.addRow();
    columns.pushTick(1);
    columns.set(a, 1, 1);
    columns.pushTick(2);
    columns.set(a, 2, 2);
    columns.set(b, 20, 20);
    columns.pushTick(3);
    columns.set(b, 30, 30);
    columns.pushTick(4); // reuses tick 1's slot: a's point there must not come back
    expect(columns.read(a)).toEqual([{ t: 2, cpu: 2, memory: 2 }]);
    expect(columns.read(b)).toEqual([
      { t: 2, cpu: 20, memory: 20 },
      { t: 3, cpu: 30, memory: 30 },
    ]);
  });

  it('drops the ticks older than a cutoff', () => {
    const columns = new SeriesColumns(5);
    const row = columns.addRow();
    for (const t of [10, 20, 30, 40]) {
      columns.pushTick(t);
      columns.set(row, t, t);
    }
    columns.dropBefore(30);
    expect(columns.read(row).map((p) => p.t)).toEqual([30, 40]);
    columns.dropBefore(100);
    expect(columns.size).toBe(0);
    expect(columns.read(row)).toEqual([]);
    expect(columns.newestTick()).toBeUndefined();
  });

  it('restarts the newest tick empty, and finds a row its newest point again', () => {
    const columns = new SeriesColumns(3);
    const row = columns.addRow();
    columns.pushTick(1);
    columns.set(row, 1, 1);
    columns.pushTick(2);
    columns.set(row, 2, 2);
    columns.restartNewest(3);
    expect(columns.read(row)).toEqual([{ t: 1, cpu: 1, memory: 1 }]);
    expect(columns.rescanNewest(row)).toBe(1);
  });

  it('hands out freed rows again, empty, and grows past its first allocation', () => {
    const columns = new SeriesColumns(2);
    const rows = Array.from({ length: 200 }, () => columns.addRow());
    columns.pushTick(5);
    rows.forEach((row, i) => columns.set(row, i, i));
    expect(columns.read(rows[199]!)).toEqual([{ t: 5, cpu: 199, memory: 199 }]);
    columns.freeRow(rows[3]!);
    expect(columns.rows).toBe(199);
    const again = columns.addRow();
    expect(again).toBe(rows[3]);
    expect(columns.read(again)).toEqual([]);
    expect(columns.newestOf(again)).toBe(-Infinity);
  });

  it('keeps rows apart across its blocks of rows', () => {
    const columns = new SeriesColumns(3);
    const rows = Array.from({ length: 2500 }, () => columns.addRow());
    for (const t of [1, 2, 3, 4]) {
      columns.pushTick(t);
      rows.forEach((row) => columns.set(row, row * 10 + t, row));
    }
    for (const row of [0, 1023, 1024, 2047, 2048, 2499])
      expect(columns.read(row)).toEqual([2, 3, 4].map((t) => ({ t, cpu: row * 10 + t, memory: row })));
    columns.restartNewest(5);
    expect(columns.read(2499).map((p) => p.t)).toEqual([2, 3]);
    expect(columns.rescanNewest(2499)).toBe(3);
  });

  it('copies a row oldest first across the wrap, and loads one back', () => {
    const columns = new SeriesColumns(3);
    const row = columns.addRow();
    for (const t of [1, 2, 3, 4]) {
      columns.pushTick(t);
      if (t !== 3) columns.set(row, t * 10, t * 100);
    }
    const cpu = new Float64Array(5);
    const memory = new Float64Array(5);
    columns.copyRow(row, cpu, memory, 1);
    expect([...cpu]).toEqual([0, 20, NaN, 40, 0]);
    expect([...memory]).toEqual([0, 200, NaN, 400, 0]);
    const other = columns.addRow();
    columns.loadRow(other, cpu.subarray(1, 4), memory.subarray(1, 4));
    expect(columns.read(other)).toEqual(columns.read(row));
    expect(columns.newestOf(other)).toBe(4);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new SeriesColumns(0)).toThrow(RangeError);
    expect(() => new SeriesColumns(1.5)).toThrow(RangeError);
  });
});
