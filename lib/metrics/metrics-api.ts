/**
 * metrics.k8s.io/v1beta1 as a scrape reads it: whether a cluster serves it (discovery), listing NodeMetrics and
 * PodMetrics across every namespace, and their usage quantities turned into the pipeline's units (millicores,
 * bytes). A malformed object is left out and named, never counted as zero usage.
 */
import type { KubeCall } from '../kube/kube-call';
import { parseQuantity } from '../kube/quantity';
import type { ResourceIndex } from '../kube/resource-index';
import type { Usage } from './types';

export const METRICS_GROUP = 'metrics.k8s.io';
const METRICS_PATH = `/apis/${METRICS_GROUP}/v1beta1`;

/** True when discovery lists metrics.k8s.io nodes and pods that can be listed (a metrics-server is registered). */
export function servesMetrics(index: ResourceIndex): boolean {
  const listable = (resource: string) =>
    index.all().some((r) => r.group === METRICS_GROUP && r.resource === resource && r.verbs.includes('list'));
  return listable('nodes') && listable('pods');
}

/** What one list yielded: usage by object (`name` for nodes, `namespace/name` for pods) and what was left out. */
export interface ParsedMetrics {
  usage: Map<string, Usage>;
  /** One line per object left out, e.g. `node a: cpu "12x"`. */
  malformed: string[];
}

/** A list answered with something other than 200 and a list: the API's message, and whether it was a 404. */
export class MetricsListError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'MetricsListError';
  }
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Usage in base units (cores, bytes), or why it cannot be read. */
function usageOf(value: unknown): Usage | string {
  const usage = record(value);
  if (usage === undefined) return 'no usage';
  const read = (resource: 'cpu' | 'memory'): number | string => {
    const quantity = usage[resource];
    if (typeof quantity !== 'string' && typeof quantity !== 'number') return `${resource} missing`;
    try {
      const parsed = parseQuantity(quantity);
      if (parsed >= 0) return parsed;
    } catch {
      // Reported below with the quantity as it was written.
    }
    return `${resource} ${JSON.stringify(quantity)}`;
  };
  const cpu = read('cpu');
  const memory = read('memory');
  if (typeof cpu === 'string') return cpu;
  if (typeof memory === 'string') return memory;
  return { cpu, memory };
}

/** Cores and bytes to the pipeline's integers: millicores and bytes, rounded once, after any summing. */
function inUnits(usage: Usage): Usage {
  return { cpu: Math.round(usage.cpu * 1000), memory: Math.round(usage.memory) };
}

/** Lists one metrics resource across every namespace; throws MetricsListError unless the cluster answers a list. */
async function listItems(call: KubeCall, resource: 'nodes' | 'pods'): Promise<unknown[]> {
  const path = `${METRICS_PATH}/${resource}`;
  const res = await call({ method: 'GET', path });
  const items = record(res.body)?.items;
  if (res.status === 200 && Array.isArray(items)) return items as unknown[];
  const message = text(record(res.body)?.message) ?? (res.status === 200 ? 'not a list' : `HTTP ${res.status}`);
  throw new MetricsListError(`GET ${path}: ${message}`, res.status);
}

/** Every NodeMetrics, by node name. */
export function parseNodeMetrics(items: readonly unknown[]): ParsedMetrics {
  const out: ParsedMetrics = { usage: new Map(), malformed: [] };
  for (const item of items) {
    const name = text(record(record(item)?.metadata)?.name);
    const usage = usageOf(record(item)?.usage);
    if (name === undefined) out.malformed.push('a node without a name');
    else if (typeof usage === 'string') out.malformed.push(`node ${name}: ${usage}`);
    else out.usage.set(name, inUnits(usage));
  }
  return out;
}

/**
 * Every PodMetrics with its containers summed, keyed `namespace/name`. A pod with no containers measured yet
 * (metrics-server lists a pod before its first scrape) has no usage to file, and is left out silently.
 */
export function parsePodMetrics(items: readonly unknown[]): ParsedMetrics {
  const out: ParsedMetrics = { usage: new Map(), malformed: [] };
  for (const item of items) {
    const metadata = record(record(item)?.metadata);
    const name = text(metadata?.name);
    const namespace = text(metadata?.namespace);
    const containers = record(item)?.containers;
    if (name === undefined || namespace === undefined) {
      out.malformed.push('a pod without a name or namespace');
      continue;
    }
    const key = `${namespace}/${name}`;
    if (!Array.isArray(containers)) {
      out.malformed.push(`pod ${key}: no containers`);
      continue;
    }
    if (containers.length === 0) continue;
    const sum: Usage = { cpu: 0, memory: 0 };
    let problem: string | undefined;
    for (const container of containers) {
      const usage = usageOf(record(container)?.usage);
      if (typeof usage === 'string') {
        problem = `pod ${key} container ${text(record(container)?.name) ?? '?'}: ${usage}`;
        break;
      }
      sum.cpu += usage.cpu;
      sum.memory += usage.memory;
    }
    if (problem === undefined) out.usage.set(key, inUnits(sum));
    else out.malformed.push(problem);
  }
  return out;
}

/** NodeMetrics and PodMetrics of every namespace, listed at once and parsed. */
export async function listMetrics(call: KubeCall): Promise<{ nodes: ParsedMetrics; pods: ParsedMetrics }> {
  const [nodes, pods] = await Promise.all([listItems(call, 'nodes'), listItems(call, 'pods')]);
  return { nodes: parseNodeMetrics(nodes), pods: parsePodMetrics(pods) };
}
