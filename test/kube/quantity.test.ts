import { describe, expect, it } from 'vitest';
import { StatusError } from '../../lib/errors';
import { formatQuantity, parseQuantity } from '../../lib/kube/quantity';

describe('parseQuantity', () => {
  it.each<[string | number, number]>([
    ['0', 0],
    ['1', 1],
    ['2.5', 2.5],
    ['100m', 0.1],
    ['250m', 0.25],
    ['1500m', 1.5],
    ['123456789n', 0.123456789],
    ['52000u', 0.052],
    ['1k', 1000],
    ['1M', 1e6],
    ['3G', 3e9],
    ['2T', 2e12],
    ['1P', 1e15],
    ['1E', 1e18],
    ['1Ki', 1024],
    ['128974848', 128974848],
    ['123Mi', 123 * 2 ** 20],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['16384Ki', 16 * 2 ** 20],
    ['2Ti', 2 * 2 ** 40],
    ['1Pi', 2 ** 50],
    ['1Ei', 2 ** 60],
    ['129e6', 129e6],
    ['1E3', 1000],
    ['1e-3', 0.001],
    ['+5', 5],
    ['-1', -1],
    ['.5', 0.5],
    ['5.', 5],
    [' 64Mi ', 64 * 2 ** 20],
    [4, 4],
    [0.5, 0.5],
  ])('%j is %d', (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value, 12);
  });

  it.each(['', 'abc', '1.2.3', '10 Mi', '1mi', '1KiB', 'Mi', '1e', '--1', '1m1'])(
    'rejects %j with a 400 Status',
    (text) => {
      let caught: unknown;
      try {
        parseQuantity(text);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(StatusError);
      expect((caught as StatusError).code).toBe(400);
      expect((caught as StatusError).message).toContain('quantities must match the regular expression');
    },
  );

  it('rejects non-finite numbers', () => {
    expect(() => parseQuantity(Number.NaN)).toThrow(StatusError);
    expect(() => parseQuantity(Number.POSITIVE_INFINITY)).toThrow(StatusError);
  });
});

describe('formatQuantity', () => {
  it.each<[number, Parameters<typeof formatQuantity>[1], string]>([
    [0.25, 'm', '250m'],
    [0.29, 'm', '290m'],
    [1.234567891, 'n', '1234567891n'],
    [0.000123, 'u', '123u'],
    [2, '', '2'],
    [2.4, '', '2'],
    [2 ** 20, 'Ki', '1024Ki'],
    [300 * 2 ** 20, 'Mi', '300Mi'],
    [123456789, '', '123456789'],
    [5e9, 'G', '5G'],
  ])('%d as %s is %s', (value, suffix, text) => {
    expect(formatQuantity(value, suffix)).toBe(text);
  });

  it('round-trips through parseQuantity to within one unit', () => {
    for (const value of [0.001, 0.5, 3.75, 12.3456789]) {
      for (const suffix of ['n', 'u', 'm'] as const) {
        const unit = { n: 1e-9, u: 1e-6, m: 1e-3 }[suffix];
        expect(Math.abs(parseQuantity(formatQuantity(value, suffix)) - value)).toBeLessThanOrEqual(unit / 2 + 1e-15);
      }
    }
    for (const bytes of [1, 1023, 1024, 5_000_000, 17 * 2 ** 30]) {
      for (const suffix of ['Ki', 'Mi', ''] as const) {
        const unit = { Ki: 1024, Mi: 2 ** 20, '': 1 }[suffix];
        expect(Math.abs(parseQuantity(formatQuantity(bytes, suffix)) - bytes)).toBeLessThanOrEqual(unit / 2);
      }
    }
  });
});
