import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMetricsStore, restoreMetricsStore, type SnapshottableMetricsStore } from '../../lib/metrics/store';
import type { SeriesKey } from '../../lib/metrics/types';
import { loadSnapshot, saveSnapshot } from '../../lib/node/metrics-snapshot-file';

const MIN = 60_000;
const T0 = Date.UTC(2025, 0, 1);
const OPTIONS = { windowMs: 15 * MIN, resolutionMs: MIN };

/** Two contexts, 20 minutes of scrapes (a full window), a pod that came late, a node that left. */
function filledStore(): SnapshottableMetricsStore {
  const store = createMetricsStore(OPTIONS);
  for (let i = 0; i < 20; i++) {
    const nodes = new Map([['n1', { cpu: 100 + i, memory: 2 ** 35 + i }]]);
    if (i < 10) nodes.set('n-old', { cpu: 1, memory: 1 });
    const pods = new Map([['kube-system/dns', { cpu: i, memory: 1000 * i }]]);
    if (i >= 18) pods.set('app/web-ü', { cpu: 3, memory: 4 });
    store.record('prod', { at: T0 + i * MIN, nodes, pods });
    store.record('dev', { at: T0 + i * MIN, nodes: new Map([['d1', { cpu: i, memory: i }]]), pods: new Map() });
  }
  return store;
}

const KEYS: SeriesKey[] = [
  { kind: 'cluster' },
  { kind: 'node', name: 'n1' },
  { kind: 'node', name: 'n-old' },
  { kind: 'pod', namespace: 'kube-system', name: 'dns' },
  { kind: 'pod', namespace: 'app', name: 'web-ü' },
];

describe('the store snapshot', () => {
  it('round-trips every context and series', () => {
    const store = filledStore();
    const restored = restoreMetricsStore(store.encodeSnapshot(), OPTIONS, T0 + 19 * MIN);
    expect(restored.warning).toBeUndefined();
    expect(restored.contexts().sort()).toEqual(['dev', 'prod']);
    for (const key of KEYS) expect(restored.series('prod', key)).toEqual(store.series('prod', key));
    expect(restored.series('dev', { kind: 'node', name: 'd1' })).toEqual(
      store.series('dev', { kind: 'node', name: 'd1' }),
    );
    expect(restored.series('prod', { kind: 'cluster' })).toHaveLength(16);
    expect(restored.seriesCount('prod')).toBe(store.seriesCount('prod'));
    // The restored store goes on recording from where the snapshot stopped.
    restored.record('prod', { at: T0 + 20 * MIN, nodes: new Map([['n1', { cpu: 1, memory: 1 }]]), pods: new Map() });
    expect(restored.series('prod', { kind: 'node', name: 'n1' })!.at(-1)).toEqual({
      t: T0 + 20 * MIN,
      cpu: 1,
      memory: 1,
    });
    expect(restored.series('prod', { kind: 'node', name: 'n1' })).toHaveLength(16);
  });

  it('drops at restore the points older than now - window, and the series left without any', () => {
    const bytes = filledStore().encodeSnapshot();
    const restored = restoreMetricsStore(bytes, OPTIONS, T0 + 30 * MIN);
    const n1 = restored.series('prod', { kind: 'node', name: 'n1' })!;
    expect(n1.map((p) => p.t)).toEqual([T0 + 15 * MIN, T0 + 16 * MIN, T0 + 17 * MIN, T0 + 18 * MIN, T0 + 19 * MIN]);
    expect(restored.series('prod', { kind: 'pod', namespace: 'kube-system', name: 'dns' })).toHaveLength(5);
    expect(restored.series('prod', { kind: 'node', name: 'n-old' })).toBeUndefined();

    const later = restoreMetricsStore(bytes, OPTIONS, T0 + 60 * MIN);
    expect(later.warning).toBeUndefined();
    expect(later.contexts()).toEqual([]);
  });

  it('keeps only what a shorter window holds', () => {
    const restored = restoreMetricsStore(
      filledStore().encodeSnapshot(),
      { windowMs: 3 * MIN, resolutionMs: MIN },
      T0 + 19 * MIN,
    );
    expect(restored.series('prod', { kind: 'cluster' })!.map((p) => p.t)).toEqual(
      [16, 17, 18, 19].map((i) => T0 + i * MIN),
    );
  });

  it('reads bytes that are a view at any offset of a larger buffer', () => {
    const bytes = filledStore().encodeSnapshot();
    const larger = new Uint8Array(bytes.length + 11);
    larger.set(bytes, 3);
    const restored = restoreMetricsStore(larger.subarray(3, 3 + bytes.length), OPTIONS, T0 + 19 * MIN);
    expect(restored.warning).toBeUndefined();
    expect(restored.series('prod', { kind: 'node', name: 'n1' })).toHaveLength(16);
  });

  it('round-trips an empty store', () => {
    const restored = restoreMetricsStore(createMetricsStore(OPTIONS).encodeSnapshot(), OPTIONS, T0);
    expect(restored.warning).toBeUndefined();
    expect(restored.contexts()).toEqual([]);
  });

  const bad: [string, (bytes: Uint8Array) => Uint8Array, RegExp][] = [
    ['empty bytes', () => new Uint8Array(0), /truncated/],
    ['truncated', (bytes) => bytes.subarray(0, bytes.length - 100), /checksum/],
    ['cut in the header', (bytes) => bytes.subarray(0, 20), /truncated/],
    ['a flipped bit', (bytes) => flip(bytes, Math.floor(bytes.length / 2)), /checksum/],
    [
      'another file',
      () => new TextEncoder().encode('apiVersion: v1\nkind: Config\nclusters: []\n'),
      /not a kore-board metrics snapshot/,
    ],
    ['another version', (bytes) => withVersion(bytes, 2), /version 2/],
  ];
  it.each(bad)('%s gives an empty store with a warning', (_, spoil, reason) => {
    const restored = restoreMetricsStore(spoil(filledStore().encodeSnapshot()), OPTIONS, T0 + 19 * MIN);
    expect(restored.contexts()).toEqual([]);
    expect(restored.warning).toMatch(/^metrics snapshot ignored: /);
    expect(restored.warning).toMatch(reason);
    // Still a working store.
    restored.record('prod', { at: T0, nodes: new Map([['n1', { cpu: 1, memory: 1 }]]), pods: new Map() });
    expect(restored.series('prod', { kind: 'cluster' })).toEqual([{ t: T0, cpu: 1, memory: 1 }]);
  });

  it('a snapshot made at another resolution gives an empty store with a warning', () => {
    const restored = restoreMetricsStore(
      filledStore().encodeSnapshot(),
      { windowMs: 15 * MIN, resolutionMs: 5000 },
      T0 + 19 * MIN,
    );
    expect(restored.contexts()).toEqual([]);
    expect(restored.warning).toMatch(/resolution of 60000 ms, the store runs at 5000 ms/);
  });
});

function flip(bytes: Uint8Array, at: number): Uint8Array {
  const copy = bytes.slice();
  copy[at] = copy[at]! ^ 0x10;
  return copy;
}

function withVersion(bytes: Uint8Array, version: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint16(4, version, true);
  return copy;
}

describe('the snapshot file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kore-metrics-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('saves (mode 0600, no temp file left) and loads the bytes back; a missing file is undefined', async () => {
    const path = join(dir, 'data', 'metrics.snapshot');
    expect(await loadSnapshot(path)).toBeUndefined();
    const bytes = filledStore().encodeSnapshot();
    await saveSnapshot(path, bytes);
    await saveSnapshot(path, bytes);
    expect(await readdir(join(dir, 'data'))).toEqual(['metrics.snapshot']);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const loaded = await loadSnapshot(path);
    expect(Buffer.from(loaded!).equals(Buffer.from(bytes))).toBe(true);
    expect(restoreMetricsStore(loaded!, OPTIONS, T0 + 19 * MIN).contexts()).toHaveLength(2);
  });

  it('leaves the old file whole and no temp file when the write fails', async () => {
    const path = join(dir, 'metrics.snapshot');
    await writeFile(path, 'old snapshot');
    // Not bytes after all: the write into the temp file throws.
    const notBytes = new Proxy(new Uint8Array(8), {}) as Uint8Array;
    await expect(saveSnapshot(path, notBytes)).rejects.toThrow(/saving the metrics snapshot/);
    expect(await readFile(path, 'utf8')).toBe('old snapshot');
    expect(await readdir(dir)).toEqual(['metrics.snapshot']);
  });

  it('removes its temp file when the rename fails', async () => {
    const path = join(dir, 'taken');
    await mkdir(join(path, 'inside'), { recursive: true });
    await expect(saveSnapshot(path, new Uint8Array([1, 2, 3]))).rejects.toThrow(/saving the metrics snapshot .*taken/);
    expect(await readdir(dir)).toEqual(['taken']);
  });

  it('throws other read errors with the path', async () => {
    await expect(loadSnapshot(dir)).rejects.toThrow(/reading the metrics snapshot .*kore-metrics-.*EISDIR/);
  });
});
