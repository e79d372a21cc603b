import { SeriesColumns } from './series-ring';
import type { MetricsStore, Point, ScrapeSample, SeriesKey, Usage } from './types';

/**
 * The embedded metrics store: per context, the cluster total, every node and every pod, `windowMs` deep at
 * `resolutionMs`, in the columns of series-ring.ts. Pure: time comes only from `ScrapeSample.at` and arguments.
 *
 * How time moves, per context, at each `record`:
 * - ticks older than `at - windowMs` are dropped, and with them node and pod series whose newest point they held
 *   (deleted pods and nodes age out; so does everything of a cluster that stops answering, if the scraper records an
 *   empty sample — no nodes, no pods — for a failed scrape: that moves the context's time without adding a tick);
 * - a sample less than half a resolution after the newest tick replaces that tick (a scrape repeated within one
 *   tick, or one early by jitter): one point per resolution, so `ceil(window / resolution) + 1` slots hold the window.
 *   A scraper recording faster than that keeps less than the window;
 * - a sample older than the newest tick is ignored, unless older than a whole window: then the clock went back and
 *   the context starts again.
 * Usages that are not finite numbers are not filed (the series has no point at that tick).
 *
 * `series()`: undefined for a context never recorded and for a node or pod without a point in the window. The
 * cluster series lives as long as its context, so it answers `[]` when no sample in the window had a node (an
 * empty metrics-server, or only failed scrapes): the context is scraped but nothing was measured.
 */
export interface SnapshottableMetricsStore extends MetricsStore {
  /** The whole store, for `restoreMetricsStore`: save it after each `record` and a restart loses at most one tick. */
  encodeSnapshot(): Uint8Array;
  /** Series held for the context, the cluster total included (ScrapeStatus.series); 0 for an unknown context. */
  seriesCount(context: string): number;
  /** Why a restore came back empty; undefined for a fresh store and a good restore. For the caller to log. */
  readonly warning: string | undefined;
}

export interface MetricsStoreOptions {
  /** How far back points are kept; default 15 minutes. */
  windowMs?: number;
  /** Time between ticks; default 1 minute. */
  resolutionMs?: number;
}

export const DEFAULT_WINDOW_MS = 15 * 60_000;
export const DEFAULT_RESOLUTION_MS = 60_000;

interface ContextSeries {
  columns: SeriesColumns;
  clusterRow: number;
  nodes: Map<string, number>;
  /** Keyed `<namespace>/<name>`, as the sample is. */
  pods: Map<string, number>;
}

export function createMetricsStore(options: MetricsStoreOptions = {}): SnapshottableMetricsStore {
  return storeOver(new Map(), settings(options), undefined);
}

/**
 * The store kept in `bytes` (from `encodeSnapshot`), without the points older than `now - windowMs` (or newer than
 * `now`: the clock went back). Bytes that are corrupt, truncated, of another version or made at another resolution
 * give an empty store whose `warning` says why: losing a quarter hour of history must not stop a start.
 */
export function restoreMetricsStore(
  bytes: Uint8Array,
  options: MetricsStoreOptions,
  now: number,
): SnapshottableMetricsStore {
  const { windowMs, resolutionMs, capacity } = settings(options);
  let contexts: Map<string, ContextSeries>;
  try {
    contexts = decodeSnapshot(bytes, resolutionMs, capacity, now - windowMs, now);
  } catch (err) {
    const reason = err instanceof SnapshotError ? err.message : `unreadable (${String(err)})`;
    return storeOver(new Map(), { windowMs, resolutionMs, capacity }, `metrics snapshot ignored: ${reason}`);
  }
  return storeOver(contexts, { windowMs, resolutionMs, capacity }, undefined);
}

interface Settings {
  windowMs: number;
  resolutionMs: number;
  capacity: number;
}

function settings(options: MetricsStoreOptions): Settings {
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  const resolutionMs = options.resolutionMs ?? DEFAULT_RESOLUTION_MS;
  if (!(resolutionMs > 0 && Number.isFinite(resolutionMs)))
    throw new RangeError(`metrics resolution ${resolutionMs} ms is not a positive number`);
  if (!(windowMs >= resolutionMs && Number.isFinite(windowMs)))
    throw new RangeError(`metrics window ${windowMs} ms is not at least the resolution (${resolutionMs} ms)`);
  return { windowMs, resolutionMs, capacity: Math.ceil(windowMs / resolutionMs) + 1 };
}

function newContext(capacity: number): ContextSeries {
  const columns = new SeriesColumns(capacity);
  return { columns, clusterRow: columns.addRow(), nodes: new Map(), pods: new Map() };
}

function storeOver(
  contexts: Map<string, ContextSeries>,
  { windowMs, resolutionMs, capacity }: Settings,
  warning: string | undefined,
): SnapshottableMetricsStore {
  const record = (context: string, sample: ScrapeSample): void => {
    let state = contexts.get(context);
    const newest = state?.columns.newestTick();
    if (state === undefined || (newest !== undefined && sample.at < newest - windowMs)) {
      state = newContext(capacity);
      contexts.set(context, state);
    } else if (newest !== undefined && sample.at < newest) {
      return;
    }
    const { columns } = state;
    const cutoff = sample.at - windowMs;
    columns.dropBefore(cutoff);
    const filed = sample.nodes.size > 0 || sample.pods.size > 0;
    const replaced = filed && columns.size > 0 && newest !== undefined && sample.at - newest < resolutionMs / 2;
    if (filed) {
      if (replaced) columns.restartNewest(sample.at);
      else columns.pushTick(sample.at);
      let cpu = 0;
      let memory = 0;
      let measured = false;
      for (const [name, usage] of sample.nodes) {
        if (!file(columns, state.nodes, name, usage)) continue;
        cpu += usage.cpu;
        memory += usage.memory;
        measured = true;
      }
      if (measured) columns.set(state.clusterRow, cpu, memory);
      for (const [key, usage] of sample.pods) file(columns, state.pods, key, usage);
    }
    ageOut(columns, state.nodes, cutoff, replaced ? newest : undefined);
    ageOut(columns, state.pods, cutoff, replaced ? newest : undefined);
  };

  const series = (context: string, key: SeriesKey): Point[] | undefined => {
    const state = contexts.get(context);
    if (state === undefined) return undefined;
    const row =
      key.kind === 'cluster'
        ? state.clusterRow
        : key.kind === 'node'
          ? state.nodes.get(key.name)
          : state.pods.get(`${key.namespace}/${key.name}`);
    return row === undefined ? undefined : state.columns.read(row);
  };

  return {
    record,
    series,
    dropContext: (context) => void contexts.delete(context),
    contexts: () => [...contexts.keys()],
    seriesCount: (context) => contexts.get(context)?.columns.rows ?? 0,
    encodeSnapshot: () => encodeSnapshot(contexts, windowMs, resolutionMs),
    warning,
  };
}

/** Files one usage at the newest tick; false when it is not a measurement. */
function file(columns: SeriesColumns, rows: Map<string, number>, name: string, usage: Usage): boolean {
  if (!Number.isFinite(usage.cpu) || !Number.isFinite(usage.memory)) return false;
  let row = rows.get(name);
  if (row === undefined) {
    row = columns.addRow();
    rows.set(name, row);
  }
  columns.set(row, usage.cpu, usage.memory);
  return true;
}

/**
 * Removes the series whose newest point is older than `cutoff`. `replacedTick`: the t of a tick that was just
 * emptied and reused, so a series whose newest point it held must look again.
 */
function ageOut(columns: SeriesColumns, rows: Map<string, number>, cutoff: number, replacedTick: number | undefined) {
  for (const [name, row] of rows) {
    let newest = columns.newestOf(row);
    if (newest === replacedTick) newest = columns.rescanNewest(row);
    if (newest < cutoff) {
      rows.delete(name);
      columns.freeRow(row);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Snapshot format, version 1. Little-endian; every f64 block starts at a multiple of 8 (zero padding before it).
//
//   header   "KBMS" | u16 version | u16 0 | f64 resolutionMs | f64 windowMs | u32 contexts | u32 0
//   context  str name | u32 ticks | u32 series | pad | f64[ticks] t, oldest first
//            series keys: u8 kind (0 cluster, 1 node, 2 pod) | str name (pod: `<namespace>/<name>`; cluster: "")
//            pad | f64[series × ticks] cpu, a series' ticks together | f64[series × ticks] memory (NaN: no point)
//   trailer  u32 CRC-32 of every byte before it
//   str      u32 byte length | UTF-8 bytes
//
// One snapshot holds the whole store as of the last record; written after each record (atomically:
// lib/node/metrics-snapshot-file.ts), a restart loses at most the tick being scraped.
// ---------------------------------------------------------------------------------------------------------------

const MAGIC = [0x4b, 0x42, 0x4d, 0x53]; // "KBMS"
const VERSION = 1;
const HEADER_BYTES = 32;
const KIND_CLUSTER = 0;
const KIND_NODE = 1;
const KIND_POD = 2;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

class SnapshotError extends Error {}

function encodeSnapshot(contexts: Map<string, ContextSeries>, windowMs: number, resolutionMs: number): Uint8Array {
  const text = new TextEncoder();
  const plans = [...contexts].map(([name, state]) => {
    const keys: [number, Uint8Array, number][] = [[KIND_CLUSTER, new Uint8Array(0), state.clusterRow]];
    for (const [node, row] of state.nodes) keys.push([KIND_NODE, text.encode(node), row]);
    for (const [pod, row] of state.pods) keys.push([KIND_POD, text.encode(pod), row]);
    return { name: text.encode(name), state, keys };
  });
  let size = HEADER_BYTES;
  for (const { name, state, keys } of plans) {
    size = align8(size + 4 + name.length + 8) + 8 * state.columns.size;
    for (const [, key] of keys) size += 1 + 4 + key.length;
    size = align8(size) + 16 * keys.length * state.columns.size;
  }
  size += 4;

  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  view.setUint16(4, VERSION, true);
  view.setFloat64(8, resolutionMs, true);
  view.setFloat64(16, windowMs, true);
  view.setUint32(24, plans.length, true);
  let at = HEADER_BYTES;
  const putString = (value: Uint8Array) => {
    view.setUint32(at, value.length, true);
    bytes.set(value, at + 4);
    at += 4 + value.length;
  };
  const putFloats = (values: Float64Array) => {
    at = align8(at);
    bytes.set(littleEndian(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)), at);
    at += values.byteLength;
  };
  for (const { name, state, keys } of plans) {
    const ticks = state.columns.size;
    putString(name);
    view.setUint32(at, ticks, true);
    view.setUint32(at + 4, keys.length, true);
    at += 8;
    putFloats(state.columns.ticks());
    for (const [kind, key] of keys) {
      bytes[at++] = kind;
      putString(key);
    }
    const cpu = new Float64Array(keys.length * ticks);
    const memory = new Float64Array(keys.length * ticks);
    keys.forEach(([, , row], index) => state.columns.copyRow(row, cpu, memory, index * ticks));
    putFloats(cpu);
    putFloats(memory);
  }
  view.setUint32(at, crc32(bytes.subarray(0, at)), true);
  return bytes;
}

function decodeSnapshot(
  bytes: Uint8Array,
  resolutionMs: number,
  capacity: number,
  cutoff: number,
  now: number,
): Map<string, ContextSeries> {
  if (bytes.length < HEADER_BYTES + 4) throw new SnapshotError(`truncated (${bytes.length} bytes)`);
  if (MAGIC.some((byte, i) => bytes[i] !== byte)) throw new SnapshotError('not a kore-board metrics snapshot');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4, true);
  if (version !== VERSION) throw new SnapshotError(`version ${version}, this kore-board reads version ${VERSION}`);
  const end = bytes.length - 4;
  if (crc32(bytes.subarray(0, end)) !== view.getUint32(end, true))
    throw new SnapshotError('corrupt or truncated (checksum mismatch)');
  const madeAt = view.getFloat64(8, true);
  if (madeAt !== resolutionMs)
    throw new SnapshotError(`made at a resolution of ${madeAt} ms, the store runs at ${resolutionMs} ms`);

  const text = new TextDecoder('utf-8', { fatal: true });
  let at = HEADER_BYTES;
  const need = (length: number) => {
    if (at + length > end) throw new SnapshotError(`truncated at byte ${at}`);
  };
  const getUint32 = () => {
    need(4);
    at += 4;
    return view.getUint32(at - 4, true);
  };
  const getString = () => {
    const length = getUint32();
    need(length);
    at += length;
    return text.decode(bytes.subarray(at - length, at));
  };
  const getFloats = (count: number) => {
    at = align8(at);
    need(8 * count);
    at += 8 * count;
    // A copy, so aligned (and not Buffer#slice, which shares the memory).
    const copy = new Uint8Array(bytes.subarray(at - 8 * count, at));
    return new Float64Array(littleEndian(copy).buffer);
  };

  const contexts = new Map<string, ContextSeries>();
  const contextCount = view.getUint32(24, true);
  for (let c = 0; c < contextCount; c++) {
    const name = getString();
    const tickCount = getUint32();
    const seriesCount = getUint32();
    const ticks = getFloats(tickCount);
    const keys: [number, string][] = [];
    for (let s = 0; s < seriesCount; s++) {
      need(1);
      keys.push([bytes[at++]!, getString()]);
    }
    const cpu = getFloats(seriesCount * tickCount);
    const memory = getFloats(seriesCount * tickCount);
    if (contexts.has(name)) throw new SnapshotError(`context "${name}" twice`);
    if (keys[0]?.[0] !== KIND_CLUSTER) throw new SnapshotError(`context "${name}" has no cluster series first`);
    for (let i = 1; i < tickCount; i++)
      if (!(ticks[i]! > ticks[i - 1]!)) throw new SnapshotError(`context "${name}": ticks out of order`);

    // The ticks kept: within [cutoff, now], the newest `capacity` of them.
    let last = tickCount;
    while (last > 0 && ticks[last - 1]! > now) last--;
    let first = 0;
    while (first < last && (ticks[first]! < cutoff || last - first > capacity)) first++;
    if (first === last) continue;

    const state = newContext(capacity);
    for (let i = first; i < last; i++) state.columns.pushTick(ticks[i]!);
    keys.forEach(([kind, key], index) => {
      const from = index * tickCount;
      const rowCpu = cpu.subarray(from + first, from + last);
      const rowMemory = memory.subarray(from + first, from + last);
      if (kind === KIND_CLUSTER) {
        if (index !== 0) throw new SnapshotError(`context "${name}" has two cluster series`);
        state.columns.loadRow(state.clusterRow, rowCpu, rowMemory);
        return;
      }
      const rows = kind === KIND_NODE ? state.nodes : kind === KIND_POD ? state.pods : undefined;
      if (rows === undefined) throw new SnapshotError(`context "${name}": unknown series kind ${kind}`);
      if (rows.has(key)) throw new SnapshotError(`context "${name}": series "${key}" twice`);
      if (rowMemory.every((value) => Number.isNaN(value))) return;
      const row = state.columns.addRow();
      state.columns.loadRow(row, rowCpu, rowMemory);
      rows.set(key, row);
    });
    contexts.set(name, state);
  }
  if (at !== end) throw new SnapshotError(`${end - at} bytes after the last context`);
  return contexts;
}

function align8(offset: number): number {
  return (offset + 7) & ~7;
}

/** Host-order f64 bytes as little-endian ones and back: a swapped copy on big-endian hosts, the same bytes elsewhere. */
function littleEndian(bytes: Uint8Array): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return bytes;
  const swapped = new Uint8Array(bytes);
  for (let i = 0; i < swapped.length; i += 8) swapped.subarray(i, i + 8).reverse();
  return swapped;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE, as zlib computes it). */
function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
