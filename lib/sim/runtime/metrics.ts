/**
 * metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics computed from the objects themselves: usage is a
 * deterministic function of the object's name and the time, moves like a real workload (slow and fast
 * waves plus per-scrape jitter), stays within capacity or limits, and is written in the unit forms real
 * clusters emit, chosen per object, so consumers must parse them all.
 */
import { formatQuantity, parseQuantity, type QuantitySuffix } from '../../kube/quantity';
import { hashString, hashUnit } from '../gen/random';

export const METRICS_API_VERSION = 'metrics.k8s.io/v1beta1';
/** metrics-server's default scrape period: usage only changes once per period for a given object. */
export const SCRAPE_INTERVAL_MS = 15_000;

export interface ResourceUsage {
  cpu: string;
  memory: string;
}

export interface NodeMetrics {
  kind: 'NodeMetrics';
  apiVersion: typeof METRICS_API_VERSION;
  metadata: { name: string; creationTimestamp: string; labels?: Record<string, string> };
  timestamp: string;
  window: string;
  usage: ResourceUsage;
}

export interface ContainerMetrics {
  name: string;
  usage: ResourceUsage;
}

export interface PodMetrics {
  kind: 'PodMetrics';
  apiVersion: typeof METRICS_API_VERSION;
  metadata: { name: string; namespace: string; creationTimestamp: string; labels?: Record<string, string> };
  timestamp: string;
  window: string;
  containers: ContainerMetrics[];
}

// Nanocores are what metrics-server writes; the others appear with other adapters and older versions.
const CPU_FORMS: readonly QuantitySuffix[] = ['n', 'u', 'm', ''];
const MEMORY_FORMS: readonly QuantitySuffix[] = ['Ki', 'Mi', ''];

const DEFAULT_CONTAINER_CPU_LIMIT = 0.5;
const DEFAULT_CONTAINER_MEMORY_LIMIT = 256 * 2 ** 20;

/**
 * What bounds a node's usage: a Ready node's allocatable (else capacity); undefined when metrics-server could not
 * scrape it.
 */
export function nodeBounds(node: object): { name: string; cpu: number; memory: number } | undefined {
  const name = stringAt(node, 'metadata', 'name');
  if (name === undefined || !isReady(node)) return undefined;
  const cpu = quantityAt(node, 'status', 'allocatable', 'cpu') ?? quantityAt(node, 'status', 'capacity', 'cpu');
  const memory =
    quantityAt(node, 'status', 'allocatable', 'memory') ?? quantityAt(node, 'status', 'capacity', 'memory');
  if (cpu === undefined || memory === undefined) return undefined;
  return { name, cpu, memory };
}

/** Usage of a node, or undefined when metrics-server could not scrape it (NotReady, no capacity). */
export function nodeMetrics(node: object, timeMs: number): NodeMetrics | undefined {
  const bounds = nodeBounds(node);
  if (bounds === undefined) return undefined;
  const { name } = bounds;
  const scrape = scrapeTime(name, timeMs);
  const metrics: NodeMetrics = {
    kind: 'NodeMetrics',
    apiVersion: METRICS_API_VERSION,
    metadata: { name, creationTimestamp: new Date(timeMs).toISOString() },
    timestamp: new Date(scrape).toISOString(),
    window: windowOf(name),
    usage: usage(name, scrape, bounds.cpu, bounds.memory),
  };
  const labels = labelsOf(node);
  if (labels !== undefined) metrics.metadata.labels = labels;
  return metrics;
}

/** A measured pod: `namespace/name` (its metrics key) and what bounds each container's usage. */
export interface PodBounds {
  namespace: string;
  name: string;
  key: string;
  containers: { name: string; cpu: number; memory: number }[];
}

/** What bounds a pod's containers' usage, or undefined unless the pod is Running on a node. */
export function podBounds(pod: object): PodBounds | undefined {
  const name = stringAt(pod, 'metadata', 'name');
  const namespace = stringAt(pod, 'metadata', 'namespace') ?? 'default';
  if (
    name === undefined ||
    stringAt(pod, 'status', 'phase') !== 'Running' ||
    stringAt(pod, 'spec', 'nodeName') === undefined
  ) {
    return undefined;
  }
  const containers = arrayAt(pod, 'spec', 'containers').flatMap((container) => {
    const containerName = stringAt(container, 'name');
    if (containerName === undefined) return [];
    const cpu = limitOf(container, 'cpu') ?? DEFAULT_CONTAINER_CPU_LIMIT;
    const memory = limitOf(container, 'memory') ?? DEFAULT_CONTAINER_MEMORY_LIMIT;
    return [{ name: containerName, cpu, memory }];
  });
  return { namespace, name, key: `${namespace}/${name}`, containers };
}

/** Usage of a pod's containers, or undefined unless the pod is Running on a node. */
export function podMetrics(pod: object, timeMs: number): PodMetrics | undefined {
  const bounds = podBounds(pod);
  if (bounds === undefined) return undefined;
  const { namespace, name, key } = bounds;
  const scrape = scrapeTime(key, timeMs);
  const containers = bounds.containers.map((c): ContainerMetrics => ({
    name: c.name,
    usage: usage(`${key}/${c.name}`, scrape, c.cpu, c.memory),
  }));
  const metrics: PodMetrics = {
    kind: 'PodMetrics',
    apiVersion: METRICS_API_VERSION,
    metadata: { name, namespace, creationTimestamp: new Date(timeMs).toISOString() },
    timestamp: new Date(scrape).toISOString(),
    window: windowOf(key),
    containers,
  };
  const labels = labelsOf(pod);
  if (labels !== undefined) metrics.metadata.labels = labels;
  return metrics;
}

/**
 * The fraction of its bound a workload uses at a time: a slow wave (tens of minutes), a fast one (minutes)
 * and per-scrape jitter around a per-object base level, kept within [1%, 95%].
 */
export function usageFraction(key: string, timeMs: number): number {
  const base = 0.05 + 0.5 * hashUnit(key, 1);
  const slowPeriod = (10 + 50 * hashUnit(key, 2)) * 60_000;
  const fastPeriod = (2 + 3 * hashUnit(key, 3)) * 60_000;
  const slow = 0.15 * Math.sin((2 * Math.PI * timeMs) / slowPeriod + 2 * Math.PI * hashUnit(key, 4));
  const fast = 0.05 * Math.sin((2 * Math.PI * timeMs) / fastPeriod + 2 * Math.PI * hashUnit(key, 5));
  const jitter = 0.04 * (hashUnit(`${key}@${Math.floor(timeMs / SCRAPE_INTERVAL_MS)}`, 6) - 0.5);
  return Math.min(0.95, Math.max(0.01, base + slow + fast + jitter));
}

/**
 * The usage metrics-server reports for `key` (a node's name, or `namespace/pod/container`) at a scrape: the quantities
 * as written, so a consumer that integrates them (cAdvisor's counters, runtime/cadvisor.ts) sees the same values.
 */
export function usage(key: string, scrape: number, cpuBound: number, memoryBound: number): ResourceUsage {
  const cpuForm = CPU_FORMS[hashString(key, 7) % CPU_FORMS.length] ?? 'n';
  const memoryForm = MEMORY_FORMS[hashString(key, 8) % MEMORY_FORMS.length] ?? 'Ki';
  // Memory has a wave of its own and swings less than cpu: between 30% and 87% of its bound.
  const memoryFraction = 0.3 + 0.6 * usageFraction(`${key}#memory`, scrape);
  return {
    cpu: formatQuantity(cpuBound * usageFraction(key, scrape), cpuForm),
    memory: formatQuantity(memoryBound * memoryFraction, memoryForm),
  };
}

/**
 * Each object is scraped at its own offset within the interval, like a real metrics-server: the start of the step
 * (of SCRAPE_INTERVAL_MS) holding `timeMs`, for `key` (a node's name or a pod's `namespace/name`).
 */
export function scrapeTime(key: string, timeMs: number): number {
  const offset = hashString(key, 9) % SCRAPE_INTERVAL_MS;
  return Math.floor((timeMs - offset) / SCRAPE_INTERVAL_MS) * SCRAPE_INTERVAL_MS + offset;
}

/** A Go duration string such as "15.043s", as metrics-server reports its measurement window. */
function windowOf(key: string): string {
  const millis = 15_000 + (hashString(key, 10) % 6_000);
  return `${(millis / 1000).toFixed(3).replace(/\.?0+$/, '')}s`;
}

function limitOf(container: unknown, resource: 'cpu' | 'memory'): number | undefined {
  const limit = quantityAt(container, 'resources', 'limits', resource);
  if (limit !== undefined) return limit;
  const request = quantityAt(container, 'resources', 'requests', resource);
  return request === undefined ? undefined : request * 2;
}

function isReady(node: object): boolean {
  return arrayAt(node, 'status', 'conditions').some(
    (c) => stringAt(c, 'type') === 'Ready' && stringAt(c, 'status') === 'True',
  );
}

function labelsOf(object: object): Record<string, string> | undefined {
  const labels = valueAt(object, 'metadata', 'labels');
  return typeof labels === 'object' && labels !== null ? { ...(labels as Record<string, string>) } : undefined;
}

function valueAt(object: unknown, ...path: string[]): unknown {
  let node = object;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function stringAt(object: unknown, ...path: string[]): string | undefined {
  const value = valueAt(object, ...path);
  return typeof value === 'string' ? value : undefined;
}

function arrayAt(object: unknown, ...path: string[]): unknown[] {
  const value = valueAt(object, ...path);
  return Array.isArray(value) ? value : [];
}

function quantityAt(object: unknown, ...path: string[]): number | undefined {
  const value = valueAt(object, ...path);
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  try {
    return parseQuantity(value);
  } catch {
    // A malformed quantity in a stored object bounds nothing; the default applies.
    return undefined;
  }
}
