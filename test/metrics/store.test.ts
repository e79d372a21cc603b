import { describe, expect, it } from 'vitest';
import { createMetricsStore } from '../../lib/metrics/store';
import type { ScrapeSample, Usage } from '../../lib/metrics/types';

const MIN = 60_000;
const T0 = Date.UTC(2025, 0, 1);

function sample(at: number, nodes: Record<string, Usage>, pods: Record<string, Usage> = {}): ScrapeSample {
  return { at, nodes: new Map(Object.entries(nodes)), pods: new Map(Object.entries(pods)) };
}

const u = (cpu: number, memory: number): Usage => ({ cpu, memory });

describe('createMetricsStore', () => {
  it('files the cluster total as the sum of the nodes, and every node and pod', () => {
    const store = createMetricsStore();
    store.record('a', sample(T0, { n1: u(100, 2 ** 33), n2: u(250, 5) }, { 'default/web': u(7, 9) }));
    expect(store.series('a', { kind: 'cluster' })).toEqual([{ t: T0, cpu: 350, memory: 2 ** 33 + 5 }]);
    expect(store.series('a', { kind: 'node', name: 'n2' })).toEqual([{ t: T0, cpu: 250, memory: 5 }]);
    expect(store.series('a', { kind: 'pod', namespace: 'default', name: 'web' })).toEqual([
      { t: T0, cpu: 7, memory: 9 },
    ]);
    expect(store.seriesCount('a')).toBe(4);
    expect(store.contexts()).toEqual(['a']);
    expect(store.warning).toBeUndefined();
  });

  it('answers undefined for a series never seen and an unknown context', () => {
    const store = createMetricsStore();
    store.record('a', sample(T0, { n1: u(1, 1) }));
    expect(store.series('a', { kind: 'node', name: 'n9' })).toBeUndefined();
    expect(store.series('a', { kind: 'pod', namespace: 'x', name: 'y' })).toBeUndefined();
    expect(store.series('b', { kind: 'cluster' })).toBeUndefined();
    expect(store.seriesCount('b')).toBe(0);
  });

  it('keeps the window, oldest first, and ages out series whose newest point left it', () => {
    const store = createMetricsStore({ windowMs: 15 * MIN, resolutionMs: MIN });
    for (let i = 0; i <= 30; i++) {
      const pods: Record<string, Usage> = { 'ns/always': u(i, i) };
      if (i < 5) pods['ns/gone'] = u(1, 1);
      store.record('a', sample(T0 + i * MIN, { n1: u(i, 10 * i) }, pods));
      if (i === 19) expect(store.series('a', { kind: 'pod', namespace: 'ns', name: 'gone' })).toHaveLength(1);
      if (i === 20) expect(store.series('a', { kind: 'pod', namespace: 'ns', name: 'gone' })).toBeUndefined();
    }
    const cluster = store.series('a', { kind: 'cluster' })!;
    expect(cluster).toHaveLength(16);
    expect(cluster.map((p) => p.t)).toEqual(Array.from({ length: 16 }, (_, k) => T0 + (15 + k) * MIN));
    expect(cluster[0]).toEqual({ t: T0 + 15 * MIN, cpu: 15, memory: 150 });
    expect(store.seriesCount('a')).toBe(3);
  });

  it('ages everything but the cluster series out when only empty samples (failed scrapes) come', () => {
    const store = createMetricsStore();
    store.record('a', sample(T0, { n1: u(1, 1) }, { 'ns/p': u(1, 1) }));
    store.record('a', sample(T0 + 10 * MIN, {}));
    expect(store.series('a', { kind: 'node', name: 'n1' })).toHaveLength(1);
    store.record('a', sample(T0 + 16 * MIN, {}));
    expect(store.series('a', { kind: 'node', name: 'n1' })).toBeUndefined();
    expect(store.series('a', { kind: 'pod', namespace: 'ns', name: 'p' })).toBeUndefined();
    expect(store.series('a', { kind: 'cluster' })).toEqual([]);
    expect(store.seriesCount('a')).toBe(1);
  });

  it('replaces the newest tick with a sample less than half a resolution after it, ignores older ones', () => {
    const store = createMetricsStore();
    store.record('a', sample(T0, { n1: u(1, 1) }, { 'ns/p': u(1, 1) }));
    store.record('a', sample(T0 + MIN, { n1: u(2, 2) }, { 'ns/only-once': u(5, 5) }));
    store.record('a', sample(T0 + MIN + 20_000, { n1: u(3, 3) }));
    expect(store.series('a', { kind: 'node', name: 'n1' })).toEqual([
      { t: T0, cpu: 1, memory: 1 },
      { t: T0 + MIN + 20_000, cpu: 3, memory: 3 },
    ]);
    // Its only point was in the replaced tick: gone, not an empty series.
    expect(store.series('a', { kind: 'pod', namespace: 'ns', name: 'only-once' })).toBeUndefined();
    store.record('a', sample(T0 + 30_000, { n1: u(9, 9) }));
    expect(store.series('a', { kind: 'node', name: 'n1' })).toHaveLength(2);
  });

  it('starts a context again when its clock goes back more than a window', () => {
    const store = createMetricsStore();
    store.record('a', sample(T0 + 60 * MIN, { n1: u(1, 1) }));
    store.record('a', sample(T0, { n2: u(2, 2) }));
    expect(store.series('a', { kind: 'node', name: 'n1' })).toBeUndefined();
    expect(store.series('a', { kind: 'cluster' })).toEqual([{ t: T0, cpu: 2, memory: 2 }]);
  });

  it('skips usages that are not numbers, and forgets a dropped context', () => {
    const store = createMetricsStore();
    store.record('a', sample(T0, { n1: u(NaN, 1), n2: u(4, 4) }));
    expect(store.series('a', { kind: 'node', name: 'n1' })).toBeUndefined();
    expect(store.series('a', { kind: 'cluster' })).toEqual([{ t: T0, cpu: 4, memory: 4 }]);
    store.record('b', sample(T0, { n1: u(1, 1) }));
    store.dropContext('a');
    expect(store.contexts()).toEqual(['b']);
    expect(store.series('a', { kind: 'cluster' })).toBeUndefined();
  });

  it('reuses the rows of aged-out series', () => {
    const store = createMetricsStore({ windowMs: 2 * MIN, resolutionMs: MIN });
    for (let i = 0; i < 50; i++) store.record('a', sample(T0 + i * MIN, { n1: u(1, 1) }, { [`ns/p${i}`]: u(i, i) }));
    expect(store.seriesCount('a')).toBe(2 + 3);
    expect(store.series('a', { kind: 'pod', namespace: 'ns', name: 'p49' })).toEqual([
      { t: T0 + 49 * MIN, cpu: 49, memory: 49 },
    ]);
    expect(store.series('a', { kind: 'pod', namespace: 'ns', name: 'p47' })).toEqual([
      { t: T0 + 47 * MIN, cpu: 47, memory: 47 },
    ]);
  });

  it('refuses a window shorter than the resolution', () => {
    expect(() => createMetricsStore({ windowMs: 1000, resolutionMs: 5000 })).toThrow(RangeError);
    expect(() => createMetricsStore({ resolutionMs: 0 })).toThrow(RangeError);
  });
});
