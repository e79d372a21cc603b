/**
 * `GET /api/v1/nodes/NAME/proxy/metrics/cadvisor`: the kubelet's cAdvisor metrics through the API server's node
 * proxy, in the Prometheus text format, as Prometheus scrapes them (runtime/cadvisor.ts computes them). 404 for an
 * unknown node, 503 when its kubelet is unreachable (NotReady), as kube-apiserver answers.
 */
import type { ServerResponse } from 'node:http';
import {
  nodeCgroups,
  podCgroups,
  type CgroupLabels,
  type CgroupSample,
  type CpuCounters,
  type PodCgroups,
} from '../runtime/cadvisor';
import type { StoredRecord } from '../store/record';
import type { SimStore } from '../store/store';
import { kubeletUnreachable, proxiedNode } from './kubelet-proxy';

const CADVISOR_PATH = /^\/api\/v1\/nodes\/([^/]+)\/proxy\/metrics\/cadvisor\/?$/;
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** What a store's nodes answered last: their counters, and the pods by node as of a resourceVersion. */
interface CadvisorState {
  counters: Map<string, CpuCounters>;
  podsByNode?: { resourceVersion: string; byNode: Map<string, StoredRecord[]> };
}
const states = new WeakMap<SimStore, CadvisorState>();
/** A stored pod's cgroups (null: not running), kept while the record is: a pod is parsed once, not at every scrape. */
const cgroupsOfRecord = new WeakMap<StoredRecord, PodCgroups | null>();
/** Label sets in the text format, kept with the (pod's) label objects they render. */
const renderedLabels = new WeakMap<CgroupLabels, string>();

function stateOf(store: SimStore): CadvisorState {
  let state = states.get(store);
  if (state === undefined) {
    state = { counters: new Map() };
    states.set(store, state);
  }
  return state;
}

/** Pods grouped by node once per change of the store, not scanned for every node a scrape round asks about. */
function podsOn(store: SimStore, state: CadvisorState, node: string): StoredRecord[] {
  const { resourceVersion } = store;
  if (state.podsByNode?.resourceVersion !== resourceVersion) {
    const byNode = new Map<string, StoredRecord[]>();
    for (const record of store.select('pods').records) {
      const name = record.fields?.['spec.nodeName'];
      if (name === undefined || name === '') continue;
      const list = byNode.get(name);
      if (list === undefined) byNode.set(name, [record]);
      else list.push(record);
    }
    state.podsByNode = { resourceVersion, byNode };
  }
  return state.podsByNode.byNode.get(node) ?? [];
}

function cgroupsOf(record: StoredRecord): PodCgroups | undefined {
  let cgroups = cgroupsOfRecord.get(record);
  if (cgroups === undefined) {
    cgroups = podCgroups(record.object()) ?? null;
    cgroupsOfRecord.set(record, cgroups);
  }
  return cgroups ?? undefined;
}

/** A label value in the text format: backslash, double quote and newline escaped. */
function labelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

function labelSet(labels: CgroupLabels): string {
  let text = renderedLabels.get(labels);
  if (text === undefined) {
    const { container, id, image, name, namespace, pod } = labels;
    const pairs = { container, id, image, name, namespace, pod };
    text = Object.entries(pairs)
      .map(([key, value]) => `${key}="${labelValue(value)}"`)
      .join(',');
    renderedLabels.set(labels, text);
  }
  return text;
}

/**
 * The two families in the text format, each sample stamped with `timeMs` as cAdvisor stamps its stats, so a rate is
 * computed over the sim's own time between two answers.
 */
export function cadvisorText(samples: readonly CgroupSample[], timeMs: number): string {
  const labels = samples.map((s) => labelSet(s.labels));
  const lines = [
    '# HELP container_cpu_usage_seconds_total Cumulative cpu time consumed in seconds.',
    '# TYPE container_cpu_usage_seconds_total counter',
    ...samples.map((s, i) => `container_cpu_usage_seconds_total{${labels[i]}} ${s.cpuSeconds} ${timeMs}`),
    '# HELP container_memory_working_set_bytes Current working set in bytes.',
    '# TYPE container_memory_working_set_bytes gauge',
    ...samples.map((s, i) => `container_memory_working_set_bytes{${labels[i]}} ${s.workingSetBytes} ${timeMs}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** Answers `path` when it is a node's cAdvisor metrics; false otherwise. */
export function serveCadvisor(path: string, method: string, store: SimStore, res: ServerResponse): boolean {
  const proxied = proxiedNode(CADVISOR_PATH, path, method, store);
  if (proxied === undefined) return false;
  const { name, node } = proxied;
  const state = stateOf(store);
  const now = store.clock.now();
  const pods = podsOn(store, state, name).flatMap((record) => cgroupsOf(record) ?? []);
  const cgroups = nodeCgroups(node, pods, now, state.counters.get(name) ?? (new Map() as CpuCounters));
  if (cgroups === undefined) throw kubeletUnreachable(name);
  state.counters.set(name, cgroups.counters);
  const body = cadvisorText(cgroups.samples, now);
  res.writeHead(200, { 'Content-Type': CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
  return true;
}
