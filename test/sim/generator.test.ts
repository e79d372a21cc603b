import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../lib/sim/object-meta';
import { generateCluster, SHELLS_ANNOTATION, type ClusterOptions } from '../../lib/sim/gen/generator';
import { nodeMetrics, podMetrics } from '../../lib/sim/runtime/metrics';

// The assertions walk arbitrary generated JSON.

type Json = Record<string, any>;

const NOW = Date.parse('2025-06-01T00:00:00Z');
const SMALL: ClusterOptions = { nodes: 6, podsPerNode: 25, namespaces: 3, seed: 42, now: NOW };

function generate(options: ClusterOptions): Json[] {
  return [...generateCluster(options)] as Json[];
}

const small = generate(SMALL);
const ofKind = (kind: string) => small.filter((o) => o.kind === kind);
const key = (o: Json) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const pods = ofKind('Pod');
const podReady = (p: Json) =>
  p.status.conditions?.some((c: Json) => c.type === 'Ready' && c.status === 'True') === true;
const podActive = (p: Json) => p.status.phase !== 'Failed' && p.status.phase !== 'Succeeded';
const matches = (selector: Record<string, string>, labels: Record<string, string> | undefined) =>
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

describe('generateCluster on a small cluster', () => {
  it('yields plain objects with kind, apiVersion, name and a unique uid, and no resourceVersion', () => {
    const uids = new Set<string>();
    const keys = new Set<string>();
    for (const o of small) {
      expect(typeof o.apiVersion).toBe('string');
      expect(typeof o.kind).toBe('string');
      expect(o.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
      expect(o.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(o.metadata.resourceVersion).toBeUndefined();
      expect(Date.parse(o.metadata.creationTimestamp)).toBeLessThanOrEqual(NOW);
      uids.add(o.metadata.uid);
      keys.add(key(o));
    }
    expect(uids.size).toBe(small.length);
    expect(keys.size).toBe(small.length);
  });

  it('has the requested size: nodes × podsPerNode pods, system and app namespaces', () => {
    expect(ofKind('Node')).toHaveLength(6);
    expect(pods).toHaveLength(6 * 25);
    expect(ofKind('Namespace').map((n) => n.metadata.name)).toEqual([
      'default',
      'kube-system',
      'kube-public',
      'kube-node-lease',
      'shop',
      'payments',
      'platform',
    ]);
    for (const kind of [
      'Deployment',
      'ReplicaSet',
      'DaemonSet',
      'StatefulSet',
      'Job',
      'CronJob',
      'Service',
      'Ingress',
      'ServiceAccount',
      'ConfigMap',
      'Secret',
    ]) {
      expect(ofKind(kind).length, kind).toBeGreaterThan(0);
    }
  });

  it('puts every object in an existing namespace, after it', () => {
    const seen = new Set<string>();
    for (const o of small) {
      if (o.kind === 'Namespace') seen.add(o.metadata.name);
      else if (o.metadata.namespace !== undefined) expect(seen.has(o.metadata.namespace), key(o)).toBe(true);
    }
  });

  it('emits every owner before its dependents, and ownerReferences match the owner', () => {
    const byUid = new Map<string, Json>();
    let owned = 0;
    for (const o of small) {
      for (const ref of o.metadata.ownerReferences ?? []) {
        const owner = byUid.get(ref.uid);
        expect(owner, `${key(o)} → ${ref.kind}/${ref.name}`).toBeDefined();
        expect(owner!.kind).toBe(ref.kind);
        expect(owner!.metadata.name).toBe(ref.name);
        expect(owner!.apiVersion).toBe(ref.apiVersion);
        expect(owner!.metadata.namespace).toBe(o.metadata.namespace);
        expect(ref.controller).toBe(true);
        owned++;
      }
      byUid.set(o.metadata.uid, o);
    }
    expect(owned).toBeGreaterThan(pods.length);
    // Only the busybox pod has no owner.
    expect(
      pods
        .filter((p) => p.metadata.ownerReferences === undefined)
        .map((p) => `${p.metadata.namespace}/${p.metadata.name}`),
    ).toEqual(['default/busybox']);
  });

  it('gives ReplicaSets and Deployments the replica counts of their pods', () => {
    for (const rs of ofKind('ReplicaSet')) {
      const mine = pods.filter((p) => p.metadata.ownerReferences?.[0]?.uid === rs.metadata.uid);
      expect(mine.every((p) => matches(rs.spec.selector.matchLabels, p.metadata.labels))).toBe(true);
      expect(rs.status.replicas, rs.metadata.name).toBe(mine.filter(podActive).length);
      expect(rs.status.readyReplicas ?? 0, rs.metadata.name).toBe(mine.filter(podReady).length);
      expect(rs.spec.replicas).toBe(mine.filter(podActive).length);
    }
    for (const d of ofKind('Deployment')) {
      const sets = ofKind('ReplicaSet').filter((rs) => rs.metadata.ownerReferences[0].uid === d.metadata.uid);
      expect(sets.length).toBeGreaterThanOrEqual(1);
      const sum = (f: (rs: Json) => number) => sets.reduce((a, rs) => a + f(rs), 0);
      expect(d.status.replicas).toBe(sum((rs) => rs.status.replicas));
      expect(d.status.readyReplicas ?? 0).toBe(sum((rs) => rs.status.readyReplicas ?? 0));
      expect(d.status.availableReplicas ?? 0).toBe(sum((rs) => rs.status.availableReplicas ?? 0));
      expect(d.spec.replicas).toBe(sum((rs) => rs.spec.replicas));
      expect(matches(d.spec.selector.matchLabels, d.spec.template.metadata.labels)).toBe(true);
      const available = d.status.conditions.find((c: Json) => c.type === 'Available');
      expect(available.status).toBe(
        (d.status.availableReplicas ?? 0) >= d.spec.replicas - Math.floor(d.spec.replicas / 4) ? 'True' : 'False',
      );
    }
  });

  it('runs one DaemonSet pod per node and counts the ready ones', () => {
    const nodes = ofKind('Node')
      .map((n) => n.metadata.name)
      .sort();
    for (const ds of ofKind('DaemonSet')) {
      const mine = pods.filter((p) => p.metadata.ownerReferences?.[0]?.uid === ds.metadata.uid);
      expect(mine.map((p) => p.spec.nodeName).sort()).toEqual(nodes);
      expect(ds.status.desiredNumberScheduled).toBe(nodes.length);
      expect(ds.status.numberReady).toBe(mine.filter(podReady).length);
      expect(ds.status.numberReady).toBeLessThan(nodes.length); // the NotReady node's pod is not ready
    }
  });

  it('gives the StatefulSet ordinal pods with bound claims', () => {
    const [sts] = ofKind('StatefulSet');
    const mine = pods.filter((p) => p.metadata.ownerReferences?.[0]?.uid === sts!.metadata.uid);
    expect(mine.map((p) => p.metadata.name)).toEqual(['postgres-0', 'postgres-1', 'postgres-2']);
    expect(sts!.status.readyReplicas).toBe(mine.filter(podReady).length);
    const claims = new Set(ofKind('PersistentVolumeClaim').map((c) => `${c.metadata.namespace}/${c.metadata.name}`));
    const volumes = new Set(ofKind('PersistentVolume').map((v) => v.metadata.name));
    for (const pod of mine) {
      const claim = pod.spec.volumes.find((v: Json) => v.persistentVolumeClaim)?.persistentVolumeClaim.claimName;
      expect(claims.has(`${pod.metadata.namespace}/${claim}`)).toBe(true);
    }
    for (const claim of ofKind('PersistentVolumeClaim')) expect(volumes.has(claim.spec.volumeName)).toBe(true);
  });

  it('has Jobs whose counts match their pods, and a CronJob owning a Job', () => {
    for (const job of ofKind('Job')) {
      const mine = pods.filter((p) => p.metadata.ownerReferences?.[0]?.uid === job.metadata.uid);
      expect(job.status.succeeded ?? 0).toBe(mine.filter((p) => p.status.phase === 'Succeeded').length);
      expect(job.status.failed ?? 0).toBe(mine.filter((p) => p.status.phase === 'Failed').length);
      expect(mine.every((p) => matches(job.spec.selector.matchLabels, p.metadata.labels))).toBe(true);
    }
    const [cron] = ofKind('CronJob');
    expect(ofKind('Job').some((j) => j.metadata.ownerReferences?.[0]?.uid === cron!.metadata.uid)).toBe(true);
  });

  it('has Services whose selectors match pods, and Ingresses routing to existing Services', () => {
    const services = ofKind('Service');
    for (const svc of services) {
      if (svc.spec.selector === undefined) continue;
      const selected = pods.filter(
        (p) => p.metadata.namespace === svc.metadata.namespace && matches(svc.spec.selector, p.metadata.labels),
      );
      expect(selected.length, `${svc.metadata.namespace}/${svc.metadata.name}`).toBeGreaterThan(0);
    }
    expect(services.find((s) => s.metadata.name === 'kubernetes')?.spec.clusterIP).toBe('10.96.0.1');
    const ips = services.map((s) => s.spec.clusterIP).filter((ip) => ip !== 'None');
    expect(new Set(ips).size).toBe(ips.length);
    for (const ingress of ofKind('Ingress')) {
      for (const path of ingress.spec.rules[0].http.paths) {
        expect(
          services.some(
            (s) => s.metadata.namespace === ingress.metadata.namespace && s.metadata.name === path.backend.service.name,
          ),
        ).toBe(true);
      }
    }
  });

  it('references only ServiceAccounts, ConfigMaps and Secrets that exist', () => {
    const exists = (kind: string, ns: string, name: string) =>
      small.some((o) => o.kind === kind && o.metadata.namespace === ns && o.metadata.name === name);
    for (const pod of pods) {
      const ns = pod.metadata.namespace;
      expect(exists('ServiceAccount', ns, pod.spec.serviceAccountName), `${ns}/${pod.spec.serviceAccountName}`).toBe(
        true,
      );
      for (const s of pod.spec.imagePullSecrets ?? []) expect(exists('Secret', ns, s.name)).toBe(true);
      for (const v of pod.spec.volumes ?? []) {
        if (v.configMap) expect(exists('ConfigMap', ns, v.configMap.name), v.configMap.name).toBe(true);
        for (const source of v.projected?.sources ?? [])
          if (source.configMap) expect(exists('ConfigMap', ns, source.configMap.name)).toBe(true);
      }
      for (const c of pod.spec.containers) {
        for (const e of c.env ?? [])
          if (e.valueFrom?.secretKeyRef) expect(exists('Secret', ns, e.valueFrom.secretKeyRef.name)).toBe(true);
        for (const m of c.volumeMounts ?? []) expect(pod.spec.volumes.some((v: Json) => v.name === m.name)).toBe(true);
      }
    }
  });

  it('places pods on existing nodes with IPs in the node pod range, and leaves unschedulable ones Pending', () => {
    const nodes = new Map(ofKind('Node').map((n) => [n.metadata.name, n]));
    for (const pod of pods) {
      if (pod.status.phase === 'Pending') {
        expect(pod.spec.nodeName).toBeUndefined();
        expect(pod.status.conditions[0]).toMatchObject({
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
        });
        continue;
      }
      const node = nodes.get(pod.spec.nodeName);
      expect(node, pod.metadata.name).toBeDefined();
      expect(pod.status.hostIP).toBe(node!.status.addresses[0].address);
      if (pod.spec.hostNetwork !== true)
        expect(pod.status.podIP.startsWith(node!.spec.podCIDR.replace(/\.0\/24$/, '.'))).toBe(true);
    }
    const podIPs = pods.filter((p) => p.status.podIP && p.spec.hostNetwork !== true).map((p) => p.status.podIP);
    expect(new Set(podIPs).size).toBe(podIPs.length);
  });

  it('has pods in every troubled state a real cluster shows', () => {
    const pending = pods.filter((p) => p.status.phase === 'Pending');
    const failed = pods.filter((p) => p.status.phase === 'Failed');
    const crashing = pods.filter((p) =>
      p.status.containerStatuses?.some((c: Json) => c.state.waiting?.reason === 'CrashLoopBackOff'),
    );
    const notReady = pods.filter((p) => p.status.phase === 'Running' && !podReady(p));
    expect(pending.length).toBeGreaterThan(0);
    expect(failed.some((p) => p.status.reason === 'Evicted')).toBe(true);
    expect(crashing.length).toBeGreaterThan(0);
    for (const p of crashing) {
      const c = p.status.containerStatuses[0];
      expect(c.restartCount).toBeGreaterThan(0);
      expect(c.ready).toBe(false);
      expect(c.lastState.terminated.exitCode).toBe(1);
    }
    expect(notReady.length).toBeGreaterThan(crashing.length);
    expect(pods.filter(podReady).length).toBeGreaterThan(pods.length * 0.8);
  });

  it('has Ready and NotReady nodes with capacity, allocatable, conditions, addresses and nodeInfo', () => {
    const nodes = ofKind('Node');
    const ready = (n: Json) => n.status.conditions.find((c: Json) => c.type === 'Ready').status === 'True';
    expect(nodes.filter((n) => !ready(n)).length).toBe(1);
    expect(nodes[0]!.metadata.name).toBe('vm-live-01');
    expect(ready(nodes[0]!)).toBe(true);
    for (const n of nodes) {
      expect(n.status.capacity).toMatchObject({
        cpu: expect.any(String),
        memory: expect.stringMatching(/Ki$/),
        pods: expect.any(String),
      });
      expect(n.status.allocatable.cpu).toBeDefined();
      expect(n.status.nodeInfo.kubeletVersion).toMatch(/^v1\.\d+\.\d+$/);
      expect(n.status.addresses.map((a: Json) => a.type)).toContain('InternalIP');
      if (!ready(n)) expect(n.spec.taints.map((t: Json) => t.key)).toContain('node.kubernetes.io/unreachable');
    }
  });

  it('includes default/busybox with only sh, and images without bash', () => {
    const bb = pods.find((p) => p.metadata.namespace === 'default' && p.metadata.name === 'busybox');
    expect(bb?.status.phase).toBe('Running');
    expect(bb?.metadata.annotations[SHELLS_ANNOTATION]).toBe('sh');
    expect(pods.some((p) => p.metadata.annotations?.[SHELLS_ANNOTATION] === '')).toBe(true);
    expect(pods.some((p) => p.metadata.annotations?.[SHELLS_ANNOTATION] === undefined)).toBe(true);
  });

  it('feeds the metrics simulator: Ready nodes and Running pods have usage', () => {
    const nodes = ofKind('Node');
    expect(nodes.filter((n) => nodeMetrics(n, NOW) !== undefined).length).toBe(nodes.length - 1);
    const running = pods.filter((p) => p.status.phase === 'Running');
    expect(running.every((p) => podMetrics(p, NOW)?.containers.length === p.spec.containers.length)).toBe(true);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const again = generate(SMALL);
    expect(JSON.stringify(again)).toBe(JSON.stringify(small));
    const other = generate({ ...SMALL, seed: 43 });
    expect(other.length).toBeGreaterThan(0);
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(small));
  });

  it('handles degenerate sizes: no nodes leaves pods Pending; bad sizes throw', () => {
    const none = generate({ nodes: 0, podsPerNode: 10, namespaces: 1, now: NOW });
    const nonePods = none.filter((o) => o.kind === 'Pod');
    expect(nonePods.length).toBeGreaterThan(0);
    expect(nonePods.every((p) => p.status.phase === 'Pending' && p.spec.nodeName === undefined)).toBe(true);
    expect(() => [...generateCluster({ nodes: -1, podsPerNode: 1, namespaces: 1 })]).toThrow(RangeError);
    expect(() => [...generateCluster({ nodes: 1.5, podsPerNode: 1, namespaces: 1 })]).toThrow(RangeError);
  });
});

describe('generateCluster at medium size', () => {
  it('streams 500 nodes / 15,000 pods with 300 Deployments quickly', () => {
    const start = performance.now();
    const counts: Record<string, number> = {};
    let first: KubeObject | undefined;
    for (const o of generateCluster({ nodes: 500, podsPerNode: 30, namespaces: 20, now: NOW })) {
      first ??= o;
      counts[o.kind] = (counts[o.kind] ?? 0) + 1;
    }
    const seconds = (performance.now() - start) / 1000;
    expect(first?.kind).toBe('Namespace');
    expect(counts.Pod).toBe(15_000);
    expect(counts.Node).toBe(500);
    expect(counts.Deployment).toBe(301); // 300 app Deployments and CoreDNS
    expect(counts.Namespace).toBe(24);
    expect(seconds).toBeLessThan(10);
  });
});
