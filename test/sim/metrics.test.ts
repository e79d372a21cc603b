import { describe, expect, it } from 'vitest';
import { parseQuantity } from '../../lib/kube/quantity';
import { nodeMetrics, podMetrics, SCRAPE_INTERVAL_MS, usageFraction } from '../../lib/sim/runtime/metrics';

const T0 = Date.parse('2025-01-01T12:00:00Z');

function node(name: string, ready = true, labels?: Record<string, string>) {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, ...(labels === undefined ? {} : { labels }) },
    status: {
      capacity: { cpu: '8', memory: '32863400Ki', pods: '110' },
      allocatable: { cpu: '7910m', memory: '31712424Ki', pods: '110' },
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'Unknown' }],
    },
  };
}

function pod(name: string, phase = 'Running', containers: object[] = [{ name: 'app' }]) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'shop', labels: { app: name } },
    spec: { nodeName: 'n1', containers },
    status: { phase },
  };
}

const cpuForm = (q: string) => /^\d+(n|u|m)?$/.exec(q)?.[1] ?? 'cores';
const memoryForm = (q: string) => /^\d+(Ki|Mi)?$/.exec(q)?.[1] ?? 'bytes';

describe('nodeMetrics', () => {
  it('has the metrics.k8s.io shape with timestamp and window', () => {
    const m = nodeMetrics(node('n1', true, { 'kubernetes.io/hostname': 'n1' }), T0);
    expect(m).toMatchObject({
      kind: 'NodeMetrics',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: {
        name: 'n1',
        labels: { 'kubernetes.io/hostname': 'n1' },
        creationTimestamp: '2025-01-01T12:00:00.000Z',
      },
    });
    expect(Date.parse(m!.timestamp)).toBeLessThanOrEqual(T0);
    expect(T0 - Date.parse(m!.timestamp)).toBeLessThan(SCRAPE_INTERVAL_MS);
    expect(m!.window).toMatch(/^\d+(\.\d+)?s$/);
  });

  it('stays within allocatable and moves over time, deterministically', () => {
    const cpus = new Set<number>();
    for (let minute = 0; minute < 120; minute += 5) {
      const t = T0 + minute * 60_000;
      const m = nodeMetrics(node('worker-7'), t)!;
      const cpu = parseQuantity(m.usage.cpu);
      const memory = parseQuantity(m.usage.memory);
      expect(cpu).toBeGreaterThanOrEqual(0);
      expect(cpu).toBeLessThanOrEqual(7.91 + 0.5);
      expect(memory).toBeGreaterThan(0);
      expect(memory).toBeLessThanOrEqual(31712424 * 1024 + 2 ** 20);
      expect(nodeMetrics(node('worker-7'), t)).toEqual(m);
      cpus.add(cpu);
    }
    // Even in whole cores (the coarsest form) an 8-core node's usage takes several values in two hours.
    expect(cpus.size).toBeGreaterThan(3);
  });

  it('is stable within one scrape interval', () => {
    const m = nodeMetrics(node('stable'), T0)!;
    const scrape = Date.parse(m.timestamp);
    expect(nodeMetrics(node('stable'), scrape + SCRAPE_INTERVAL_MS - 1)!.usage).toEqual(m.usage);
    expect(nodeMetrics(node('stable'), scrape + SCRAPE_INTERVAL_MS)!.timestamp).not.toBe(m.timestamp);
  });

  it('has none for a NotReady node or one without capacity', () => {
    expect(nodeMetrics(node('down', false), T0)).toBeUndefined();
    expect(
      nodeMetrics({ metadata: { name: 'x' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }, T0),
    ).toBeUndefined();
  });

  it('writes cpu and memory in every unit form across nodes', () => {
    const cpu = new Set<string>();
    const memory = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const m = nodeMetrics(node(`node-${i}`), T0)!;
      cpu.add(cpuForm(m.usage.cpu));
      memory.add(memoryForm(m.usage.memory));
    }
    expect([...cpu].sort()).toEqual(['cores', 'm', 'n', 'u']);
    expect([...memory].sort()).toEqual(['Ki', 'Mi', 'bytes']);
  });
});

describe('podMetrics', () => {
  it('reports each container of a running pod within its limits', () => {
    const m = podMetrics(
      pod('web', 'Running', [
        { name: 'app', resources: { limits: { cpu: '200m', memory: '128Mi' } } },
        { name: 'sidecar', resources: { requests: { cpu: '10m', memory: '16Mi' } } },
      ]),
      T0,
    )!;
    expect(m).toMatchObject({
      kind: 'PodMetrics',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
    });
    expect(m.containers.map((c) => c.name)).toEqual(['app', 'sidecar']);
    const [app, sidecar] = m.containers;
    expect(parseQuantity(app!.usage.cpu)).toBeLessThanOrEqual(0.2 + 0.5);
    expect(parseQuantity(app!.usage.memory)).toBeLessThanOrEqual(128 * 2 ** 20 + 2 ** 20);
    // Without limits, twice the request bounds usage.
    expect(parseQuantity(sidecar!.usage.memory)).toBeLessThanOrEqual(32 * 2 ** 20 + 2 ** 20);
  });

  it('has none for pods that are not running on a node', () => {
    expect(podMetrics(pod('p', 'Pending'), T0)).toBeUndefined();
    expect(podMetrics(pod('p', 'Failed'), T0)).toBeUndefined();
    expect(podMetrics(pod('p', 'Succeeded'), T0)).toBeUndefined();
    const unscheduled = { ...pod('p'), spec: { containers: [{ name: 'a' }] } };
    expect(podMetrics(unscheduled, T0)).toBeUndefined();
  });

  it('varies unit forms across pods and changes with time', () => {
    const cpu = new Set<string>();
    const memory = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const c = podMetrics(pod(`p-${i}`), T0)!.containers[0]!;
      cpu.add(cpuForm(c.usage.cpu));
      memory.add(memoryForm(c.usage.memory));
    }
    expect(cpu.size).toBe(4);
    expect(memory.size).toBe(3);
    const series = Array.from({ length: 20 }, (_, i) =>
      podMetrics(pod('busy', 'Running', [{ name: 'app', resources: { limits: { cpu: '4' } } }]), T0 + i * 60_000)!,
    );
    expect(new Set(series.map((m) => m.containers[0]!.usage.cpu)).size).toBeGreaterThan(5);
  });
});

describe('usageFraction', () => {
  it('moves continuously: many distinct values over two hours', () => {
    const values = new Set(
      Array.from({ length: 24 }, (_, i) => usageFraction('worker-7', T0 + i * 300_000).toFixed(4)),
    );
    expect(values.size).toBeGreaterThan(20);
  });

  it('stays within [0.01, 0.95] over a day for many objects', () => {
    for (let i = 0; i < 50; i++) {
      for (let t = T0; t < T0 + 86_400_000; t += 600_000) {
        const f = usageFraction(`obj-${i}`, t);
        expect(f).toBeGreaterThanOrEqual(0.01);
        expect(f).toBeLessThanOrEqual(0.95);
      }
    }
  });
});
