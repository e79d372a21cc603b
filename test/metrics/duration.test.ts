import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../lib/duration';

describe('parseDuration', () => {
  it.each([
    ['5s', 5_000],
    ['1m', 60_000],
    ['15m', 900_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1.5h', 5_400_000],
    ['2m30s', 150_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '5', '-5s', '0s', '5 s', '5x', 's', '1d', '1m-30s', '5s;rm'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
