/**
 * The simulated kubelet's cAdvisor metrics through the API server's node proxy, over HTTPS on an injected clock: the
 * text format with cAdvisor's label set, the cgroups real cAdvisor reports, and usage that agrees with metrics.k8s.io
 * (the counters are its integral over the sim's clock, the gauges its memory).
 */
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQuantity } from '../../lib/kube/quantity';
import { startSim, type SimCluster } from '../../lib/sim';
import { fakeClock } from '../helpers/registry-fixtures';

const clock = fakeClock(Date.parse('2026-12-02T10:00:00Z'));
let sim: SimCluster;
const auth = () => ({ authorization: `Bearer ${sim.token}` });
let dispatcher: Agent;

beforeAll(async () => {
  sim = await startSim({ clock });
  dispatcher = new Agent({ connect: { ca: sim.caPem } });
});
afterAll(async () => {
  await dispatcher?.close();
  await sim?.close();
});

async function get(path: string, method = 'GET'): Promise<{ status: number; type: string | null; text: string }> {
  const res = await request(`${sim.url}${path}`, { method: method as 'GET', headers: auth(), dispatcher });
  return { status: res.statusCode, type: String(res.headers['content-type']), text: await res.body.text() };
}

interface Sample {
  metric: string;
  labels: Record<string, string>;
  value: number;
  timestamp: number;
}

/** The text format's sample lines (this endpoint's values need no escapes beyond \" \\ \n). */
function parse(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-z_]+)\{(.*)\} (\S+) (\d+)$/.exec(line);
      if (match === null) throw new Error(`not a sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, key, value] of match[2]!.matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
      return { metric: match[1]!, labels, value: Number(match[3]), timestamp: Number(match[4]) };
    });
}

const cadvisor = async (node: string) => parse((await get(`/api/v1/nodes/${node}/proxy/metrics/cadvisor`)).text);
const one = (samples: Sample[], metric: string, labels: Record<string, string>) => {
  const found = samples.filter(
    (s) => s.metric === metric && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  expect(found, `${metric} ${JSON.stringify(labels)}`).toHaveLength(1);
  return found[0]!.value;
};
const CPU = 'container_cpu_usage_seconds_total';
const MEMORY = 'container_memory_working_set_bytes';

describe('GET /api/v1/nodes/:node/proxy/metrics/cadvisor', () => {
  it("serves cAdvisor's two families in the text format, with its labels and the cgroups it reports", async () => {
    const answer = await get('/api/v1/nodes/vm-live-02/proxy/metrics/cadvisor');
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(answer.text).toContain('# TYPE container_cpu_usage_seconds_total counter\n');
    expect(answer.text).toContain('# TYPE container_memory_working_set_bytes gauge\n');
    const samples = parse(answer.text);
    for (const s of samples) {
      expect(Object.keys(s.labels)).toEqual(['container', 'id', 'image', 'name', 'namespace', 'pod']);
      expect(s.timestamp).toBe(clock.now());
    }
    // The root cgroup, and for a pod: its own cgroup, its sandbox and each container.
    one(samples, MEMORY, { id: '/', container: '', pod: '' });
    const sidecar = samples.filter((s) => s.metric === MEMORY && s.labels.pod === 'web-with-sidecar');
    const podCgroup = sidecar.find((s) => s.labels.image === '')!;
    expect(podCgroup.labels).toMatchObject({ container: '', name: '', namespace: 'shop' });
    expect(podCgroup.labels.id).toMatch(/^\/kubepods\/(burstable|besteffort)\/pod[0-9a-f-]{36}$/);
    const sandbox = sidecar.find((s) => s.labels.image?.includes('pause'))!;
    expect(sandbox.labels).toMatchObject({ container: '' });
    expect(sandbox.labels.id).toBe(`${podCgroup.labels.id}/${sandbox.labels.name}`);
    const containers = sidecar.filter((s) => s.labels.container !== '');
    expect(containers.map((s) => [s.labels.container, s.labels.image])).toEqual([
      ['app', 'nginx:1.27'],
      ['log-shipper', 'busybox:1.36'],
    ]);
    for (const c of containers) expect(c.labels.id).toBe(`${podCgroup.labels.id}/${c.labels.name}`);
    // The pod cgroup holds the sandbox and the containers: counting it besides them would count twice.
    expect(podCgroup.value).toBe(sandbox.value + containers.reduce((sum, c) => sum + c.value, 0));
    // Only this node's running pods.
    const pods = new Set(
      samples.filter((s) => s.labels.pod !== '').map((s) => `${s.labels.namespace}/${s.labels.pod}`),
    );
    expect(pods.has('default/alpine-sh')).toBe(true);
    expect(pods.has('default/busybox')).toBe(false); // on vm-live-01
  });

  it("reports metrics.k8s.io's memory, and cpu counters that are its usage integrated over the sim's clock", async () => {
    // The node's root cgroup and the pod's two containers, each beside what metrics.k8s.io says of it.
    const tracked: [Record<string, string>, (u: Usage) => number][] = [
      [{ id: '/' }, (u) => u.node.cpu],
      ...['app', 'log-shipper'].map((c): [Record<string, string>, (u: Usage) => number] => [
        { pod: 'web-with-sidecar', container: c },
        (u) => u.pod.get(c)!.cpu,
      ]),
    ];
    const start = await cadvisor('vm-live-02');
    const first = tracked.map(([labels]) => one(start, CPU, labels));
    let counters = first;
    // One second at a time through three usage steps (15 s each): each second's cpu is what metrics.k8s.io says
    // at its start or at its end (a step may begin within it), never anything else.
    for (let second = 0; second < 45; second++) {
      const before = await usage();
      clock.advance(1_000);
      const [samples, after] = await Promise.all([cadvisor('vm-live-02'), usage()]);
      const now = tracked.map(([labels]) => one(samples, CPU, labels));
      tracked.forEach(([labels, of], i) =>
        expect(between(now[i]! - counters[i]!, of(before), of(after)), JSON.stringify(labels)).toBe(true),
      );
      expect(one(samples, MEMORY, { id: '/' })).toBe(after.node.memory);
      expect(one(samples, MEMORY, { pod: 'web-with-sidecar', container: 'log-shipper' })).toBe(
        after.pod.get('log-shipper')!.memory,
      );
      counters = now;
    }
    // cpu written in whole cores may read 0 for a while; not all three for 45 s.
    expect(counters.some((c, i) => c > first[i]!)).toBe(true);
  });

  it('answers 404 for an unknown node, 503 for a NotReady one, 405 for a write, as the API server would', async () => {
    const unknown = await get('/api/v1/nodes/nope/proxy/metrics/cadvisor');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text)).toMatchObject({ kind: 'Status', code: 404 });
    const notReady = await get('/api/v1/nodes/vm-live-03/proxy/metrics/cadvisor');
    expect(notReady.status).toBe(503);
    expect(JSON.parse(notReady.text)).toMatchObject({ kind: 'Status', code: 503 });
    expect((await get('/api/v1/nodes/vm-live-01/proxy/metrics/cadvisor', 'POST')).status).toBe(405);
  });
});

interface Usage {
  node: { cpu: number; memory: number };
  pod: Map<string, { cpu: number; memory: number }>;
}

/** What metrics.k8s.io says now of vm-live-02 and of shop/web-with-sidecar's containers, in cores and bytes. */
async function usage(): Promise<Usage> {
  const node = JSON.parse((await get('/apis/metrics.k8s.io/v1beta1/nodes/vm-live-02')).text);
  const pod = JSON.parse((await get('/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods/web-with-sidecar')).text);
  const inUnits = (u: { cpu: string; memory: string }) => ({
    cpu: parseQuantity(u.cpu),
    memory: parseQuantity(u.memory),
  });
  return {
    node: inUnits(node.usage),
    pod: new Map(
      pod.containers.map((c: { name: string; usage: { cpu: string; memory: string } }) => [c.name, inUnits(c.usage)]),
    ),
  };
}

/** `x` within [min(a, b), max(a, b)], up to float error. */
function between(x: number, a: number, b: number): boolean {
  const eps = 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  return x >= Math.min(a, b) - eps && x <= Math.max(a, b) + eps;
}
