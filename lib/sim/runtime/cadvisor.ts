/**
 * What the kubelet's embedded cAdvisor reports for a node (`/metrics/cadvisor`): per cgroup, a cpu counter
 * (`container_cpu_usage_seconds_total`) and a memory gauge (`container_memory_working_set_bytes`), for the root cgroup
 * (the whole node), each running pod's cgroup, its sandbox (pause) container and each of its containers, labelled as
 * cAdvisor labels them. Usage is what metrics.ts reports through metrics.k8s.io (a node's root cgroup is its
 * NodeMetrics, a container its PodMetrics entry), and each counter is the integral of that usage over the sim's
 * clock, so a rate of the counters gives back metrics.k8s.io's figures: the two metrics sources agree.
 */
import { parseQuantity } from '../../kube/quantity';
import { hashString } from '../gen/random';
import { nodeBounds, podBounds, SCRAPE_INTERVAL_MS, scrapeTime, usage } from './metrics';

/** cAdvisor's labels of one cgroup; those that do not apply are empty strings, as cAdvisor writes them. */
export interface CgroupLabels {
  container: string;
  id: string;
  image: string;
  name: string;
  namespace: string;
  pod: string;
}

export interface CgroupSample {
  labels: CgroupLabels;
  /** Cumulative cpu time, in seconds. */
  cpuSeconds: number;
  workingSetBytes: number;
}

/** One cpu counter: its value in seconds as of `t` (epoch ms). */
export interface CpuCounter {
  t: number;
  seconds: number;
}

/**
 * A node's counters by cgroup id, carried from one answer to the next: advancing one is a few steps of the usage
 * since its last answer, not the whole history. A cgroup first seen starts at zero (a fresh counter, as after the
 * node's boot), one whose clock went back starts again (a counter reset, which rate() handles).
 */
export type CpuCounters = Map<string, CpuCounter>;

/** A container's cgroup: its labels and what bounds its usage (PodBounds). */
interface ContainerCgroup {
  labels: CgroupLabels;
  /** Its metrics key, `namespace/pod/container`. */
  key: string;
  cpu: number;
  memory: number;
}

/**
 * A running pod's cgroups as they stay while it runs: its own, its sandbox's and its containers'. What `nodeCgroups`
 * needs of a pod, computed once per stored pod (the sim keeps them per record: parsing pods for every scrape of every
 * node would be most of the cost).
 */
export interface PodCgroups {
  /** Its metrics key, `namespace/name`: the offset of its usage steps. */
  key: string;
  pod: CgroupLabels;
  sandbox: CgroupLabels;
  containers: ContainerCgroup[];
}

const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';
/** The sandbox holds one sleeping process: a trace of cpu, about half a MiB. Not in PodMetrics, as on a real node. */
const PAUSE_CORES = 0.0002;
const PAUSE_BYTES = 512 * 1024;

/** The cgroup under `/kubepods` the kubelet gives a pod of each QoS class (cgroupfs driver). */
const QOS_PARENT: Record<string, string> = {
  Guaranteed: '/kubepods',
  Burstable: '/kubepods/burstable',
  BestEffort: '/kubepods/besteffort',
};

const NO_LABELS: CgroupLabels = { container: '', id: '', image: '', name: '', namespace: '', pod: '' };

function hexId(text: string): string {
  return [1, 2, 3, 4, 5, 6, 7, 8].map((salt) => hashString(text, salt).toString(16).padStart(8, '0')).join('');
}

interface PodShape {
  metadata?: { uid?: string };
  spec?: { containers?: { name?: string; image?: string }[] };
  status?: { qosClass?: string; containerStatuses?: { name?: string; containerID?: string }[] };
}

/** A pod's cgroups, or undefined unless it is Running on a node (what metrics.k8s.io measures). */
export function podCgroups(pod: object): PodCgroups | undefined {
  const bounds = podBounds(pod);
  if (bounds === undefined) return undefined;
  const { namespace, name, key } = bounds;
  const shape = pod as PodShape;
  const uid = shape.metadata?.uid ?? hexId(key);
  const podId = `${QOS_PARENT[shape.status?.qosClass ?? ''] ?? QOS_PARENT.Burstable}/pod${uid}`;
  const sandbox = hexId(`${uid}/sandbox`);
  const inPod = { ...NO_LABELS, namespace, pod: name };
  return {
    key,
    pod: { ...inPod, id: podId },
    sandbox: { ...inPod, id: `${podId}/${sandbox}`, image: PAUSE_IMAGE, name: sandbox },
    containers: bounds.containers.map((container) => {
      const spec = shape.spec?.containers?.find((c) => c.name === container.name);
      const status = shape.status?.containerStatuses?.find((c) => c.name === container.name);
      const id = status?.containerID?.replace(/^[a-z]+:\/\//, '') || hexId(`${uid}/${container.name}`);
      return {
        labels: { ...inPod, container: container.name, id: `${podId}/${id}`, image: spec?.image ?? '', name: id },
        key: `${key}/${container.name}`,
        cpu: container.cpu,
        memory: container.memory,
      };
    }),
  };
}

/**
 * `counter` advanced to `to`, adding the usage of each step it crosses: usage is constant within a step of
 * SCRAPE_INTERVAL_MS starting at `scrapeTime(stepKey, ·)`, and `coresAt(stepStart)` is its value in cores.
 */
function advance(counter: CpuCounter | undefined, to: number, stepKey: string, coresAt: (step: number) => number) {
  const next = counter === undefined || to < counter.t ? { t: to, seconds: 0 } : { ...counter };
  while (next.t < to) {
    const step = scrapeTime(stepKey, next.t);
    const end = Math.min(step + SCRAPE_INTERVAL_MS, to);
    next.seconds += (coresAt(step) * (end - next.t)) / 1000;
    next.t = end;
  }
  return next;
}

/** Quantities as metrics.k8s.io writes them, in cores and bytes. */
function measured(key: string, step: number, cpuBound: number, memoryBound: number) {
  const written = usage(key, step, cpuBound, memoryBound);
  return { cores: parseQuantity(written.cpu), bytes: parseQuantity(written.memory) };
}

/**
 * The node's cgroups at `timeMs` (its running pods' from `podCgroups`), with `counters` (the node's from its previous
 * answer) advanced: the samples and the counters to keep for the next answer (only the cgroups that still exist).
 * Undefined when the node is not Ready: its kubelet cannot be reached.
 */
export function nodeCgroups(
  node: object,
  pods: readonly PodCgroups[],
  timeMs: number,
  counters: CpuCounters,
): { samples: CgroupSample[]; counters: CpuCounters } | undefined {
  const bounds = nodeBounds(node);
  if (bounds === undefined) return undefined;
  const kept: CpuCounters = new Map();
  const counted = (id: string, stepKey: string, coresAt: (step: number) => number) => {
    const counter = advance(counters.get(id), timeMs, stepKey, coresAt);
    kept.set(id, counter);
    return counter.seconds;
  };
  const nodeUsage = (step: number) => measured(bounds.name, step, bounds.cpu, bounds.memory);
  const samples: CgroupSample[] = [
    {
      labels: { ...NO_LABELS, id: '/' },
      cpuSeconds: counted('/', bounds.name, (step) => nodeUsage(step).cores),
      workingSetBytes: nodeUsage(scrapeTime(bounds.name, timeMs)).bytes,
    },
  ];

  for (const pod of pods) {
    const now = scrapeTime(pod.key, timeMs);
    const podSamples: CgroupSample[] = [
      {
        labels: pod.sandbox,
        cpuSeconds: counted(pod.sandbox.id, pod.key, () => PAUSE_CORES),
        workingSetBytes: PAUSE_BYTES,
      },
    ];
    for (const container of pod.containers) {
      const at = (step: number) => measured(container.key, step, container.cpu, container.memory);
      podSamples.push({
        labels: container.labels,
        cpuSeconds: counted(container.labels.id, pod.key, (step) => at(step).cores),
        workingSetBytes: at(now).bytes,
      });
    }
    // The pod's own cgroup holds its sandbox and its containers: what a query must not add to them again.
    samples.push({
      labels: pod.pod,
      cpuSeconds: podSamples.reduce((sum, s) => sum + s.cpuSeconds, 0),
      workingSetBytes: podSamples.reduce((sum, s) => sum + s.workingSetBytes, 0),
    });
    samples.push(...podSamples);
  }
  return { samples, counters: kept };
}
