/**
 * The kubelet's stats summary (`GET /api/v1/nodes/NAME/proxy/stats/summary`, what `kubectl get --raw` and dashboards
 * read for disk use): the node's root filesystem and image filesystem, its cpu and memory. Deterministic like
 * metrics.ts: a function of the node and the time. Only Ready nodes answer: the API server cannot reach the kubelet
 * of a NotReady one. Per-pod stats are not simulated (`pods` is empty).
 */
import { parseQuantity } from '../../kube/quantity';
import { hashUnit } from '../gen/random';
import { nodeMetrics, usageFraction } from './metrics';

export interface FsStats {
  time: string;
  availableBytes: number;
  capacityBytes: number;
  usedBytes: number;
  inodesFree: number;
  inodes: number;
  inodesUsed: number;
}

export interface StatsSummary {
  node: {
    nodeName: string;
    startTime: string;
    cpu: { time: string; usageNanoCores: number };
    memory: { time: string; workingSetBytes: number; usageBytes: number };
    fs: FsStats;
    runtime: { imageFs: FsStats };
  };
  pods: [];
}

/** A filesystem of `capacity` bytes filled to a level of its own that drifts slowly (within a few percent). */
function fsStats(key: string, capacity: number, timeMs: number): FsStats {
  const level = 0.15 + 0.6 * hashUnit(key, 11) + 0.05 * (usageFraction(`${key}#fs`, timeMs) - 0.5);
  const usedBytes = Math.round(capacity * Math.min(0.99, Math.max(0.01, level)));
  const inodes = Math.max(1, Math.round(capacity / 16_384));
  const inodesUsed = Math.round(inodes * level * 0.5);
  return {
    time: new Date(timeMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    availableBytes: capacity - usedBytes,
    capacityBytes: capacity,
    usedBytes,
    inodesFree: inodes - inodesUsed,
    inodes,
    inodesUsed,
  };
}

/** The summary of a node, or undefined when its kubelet cannot be reached (the node is not Ready). */
export function nodeStatsSummary(node: object, timeMs: number): StatsSummary | undefined {
  const metrics = nodeMetrics(node, timeMs);
  if (metrics === undefined) return undefined;
  const name = metrics.metadata.name;
  const status = (node as { status?: { capacity?: Record<string, string> } }).status;
  const storage = status?.capacity?.['ephemeral-storage'];
  const capacity = Math.round(storage === undefined ? 100 * 2 ** 30 : parseQuantity(storage));
  const time = metrics.timestamp.replace(/\.\d{3}Z$/, 'Z');
  const memory = Math.round(parseQuantity(metrics.usage.memory));
  const created = (node as { metadata?: { creationTimestamp?: string } }).metadata?.creationTimestamp ?? time;
  return {
    node: {
      nodeName: name,
      startTime: created,
      cpu: { time, usageNanoCores: Math.round(parseQuantity(metrics.usage.cpu) * 1e9) },
      memory: { time, workingSetBytes: memory, usageBytes: memory },
      fs: fsStats(`${name}/root`, capacity, timeMs),
      runtime: { imageFs: fsStats(`${name}/images`, capacity, timeMs) },
    },
    pods: [],
  };
}
