import { describe, expect, it } from 'vitest';
import { combineSeries, parseCombineOp } from '../../lib/metrics/combine';
import type { Point } from '../../lib/metrics/types';

const a: Point[] = [
  { t: 1, cpu: 10, memory: 100 },
  { t: 2, cpu: 20, memory: 201 },
];
const b: Point[] = [
  { t: 2, cpu: 5, memory: 50 },
  { t: 3, cpu: 7, memory: 70 },
];
const c: Point[] = [{ t: 2, cpu: 1, memory: 2 }];

describe('combineSeries', () => {
  it('sums the points of the same time; a time only some series have combines those', () => {
    expect(combineSeries([b, a], 'sum')).toEqual([
      { t: 1, cpu: 10, memory: 100 },
      { t: 2, cpu: 25, memory: 251 },
      { t: 3, cpu: 7, memory: 70 },
    ]);
  });

  it('averages over the series present at each time, rounding to integers', () => {
    expect(combineSeries([a, b, c], 'avg')).toEqual([
      { t: 1, cpu: 10, memory: 100 },
      { t: 2, cpu: Math.round(26 / 3), memory: Math.round(253 / 3) },
      { t: 3, cpu: 7, memory: 70 },
    ]);
    expect(combineSeries([a, b], 'avg')[1]).toEqual({ t: 2, cpu: 13, memory: 126 });
  });

  it('takes the max and the min field by field', () => {
    const d: Point[] = [{ t: 2, cpu: 30, memory: 1 }];
    expect(combineSeries([a, d], 'max')).toEqual([
      { t: 1, cpu: 10, memory: 100 },
      { t: 2, cpu: 30, memory: 201 },
    ]);
    expect(combineSeries([a, d], 'min')).toEqual([
      { t: 1, cpu: 10, memory: 100 },
      { t: 2, cpu: 20, memory: 1 },
    ]);
  });

  it('gives nothing for nothing, and leaves its inputs alone', () => {
    expect(combineSeries([], 'sum')).toEqual([]);
    expect(combineSeries([[], []], 'max')).toEqual([]);
    combineSeries([a, b], 'sum');
    expect(a[1]).toEqual({ t: 2, cpu: 20, memory: 201 });
  });
});

describe('parseCombineOp', () => {
  it.each([
    [undefined, 'sum'],
    ['sum', 'sum'],
    ['SUM', 'sum'],
    ['Avg', 'avg'],
    ['max', 'max'],
    ['MiN', 'min'],
  ] as const)('%s is %s', (text, op) => {
    expect(parseCombineOp(text)).toBe(op);
  });

  it.each(['sum;drop table', 'sum ', '', 'mean', 'count', "sum') OR 1=1 --"])('%j is a 400 naming the ops', (text) => {
    expect(() => parseCombineOp(text)).toThrow(
      expect.objectContaining({
        name: 'StatusError',
        code: 400,
        message: expect.stringMatching(/sum, avg, max, min/),
      }),
    );
  });
});
