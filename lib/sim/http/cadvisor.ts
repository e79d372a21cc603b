/**
 * `GET /api/v1/nodes/NAME/proxy/metrics/cadvisor`: the kubelet's cAdvisor metrics through the API server's node
 * proxy, in the Prometheus text format, as Prometheus scrapes them (runtime/cadvisor.ts computes them). 404 for an
 * unknown node, 503 when its kubelet is unreachable (NotReady), as kube-apiserver answers.
 */
import type { ServerResponse } from 'node:http';
import { nodeCgroups, type CgroupLabels, type CgroupSample, type CpuCounters } from '../runtime/cadvisor';
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

/** A label value in the text format: backslash, double quote and newline escaped. */
function labelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

function labelSet(labels: CgroupLabels): string {
  const { container, id, image, name, namespace, pod } = labels;
  const pairs = { container, id, image, name, namespace, pod };
  return Object.entries(pairs)
    .map(([key, value]) => `${key}="${labelValue(value)}"`)
    .join(',');
}

/**
 * The two families in the text format, each sample stamped with `timeMs` as cAdvisor stamps its stats, so a rate is
 * computed over the sim's own time between two answers.
 */
export function cadvisorText(samples: readonly CgroupSample[], timeMs: number): string {
  const lines = [
    '# HELP container_cpu_usage_seconds_total Cumulative cpu time consumed in seconds.',
    '# TYPE container_cpu_usage_seconds_total counter',
    ...samples.map((s) => `container_cpu_usage_seconds_total{${labelSet(s.labels)}} ${s.cpuSeconds} ${timeMs}`),
    '# HELP container_memory_working_set_bytes Current working set in bytes.',
    '# TYPE container_memory_working_set_bytes gauge',
    ...samples.map((s) => `container_memory_working_set_bytes{${labelSet(s.labels)}} ${s.workingSetBytes} ${timeMs}`),
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
  const pods = podsOn(store, state, name).map((record) => record.object());
  const cgroups = nodeCgroups(node, pods, now, state.counters.get(name) ?? (new Map() as CpuCounters));
  if (cgroups === undefined) throw kubeletUnreachable(name);
  state.counters.set(name, cgroups.counters);
  const body = cadvisorText(cgroups.samples, now);
  res.writeHead(200, { 'Content-Type': CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
  return true;
}
