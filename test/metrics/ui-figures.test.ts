/** The pure parts of the web UI's metrics routes: a workload's pods, node figures, kubectl's pod columns. */
import { describe, expect, it } from 'vitest';
import { clusterFigures, nodeFigures, nodeRoles, nodeRow, nodeStatus } from '../../lib/metrics/node-summary';
import {
  podBounds,
  podReadyColumn,
  podRow,
  podsPerNode,
  podStatusColumn,
  type ResourcedPod,
} from '../../lib/metrics/pod-row';
import { workloadPods, workloadResource } from '../../lib/metrics/workload-pods';

const owned = (name: string, uid: string, owner?: string, controller = true) => ({
  metadata: { name, uid, ...(owner ? { ownerReferences: [{ uid: owner, controller }] } : {}) },
});

describe('workloadPods', () => {
  const deployment = owned('web', 'd1');
  const replicaSets = [owned('web-1', 'rs1', 'd1'), owned('web-0', 'rs0', 'd1'), owned('other', 'rs9', 'd9')];
  const pods = [owned('a', 'p1', 'rs1'), owned('b', 'p2', 'rs0'), owned('c', 'p3', 'rs9'), owned('d', 'p4')];

  it("finds a Deployment's pods through every ReplicaSet it owns", () => {
    expect(workloadPods('deployments', deployment, pods, replicaSets).map((p) => p.metadata.name)).toEqual(['a', 'b']);
  });

  it('finds other workloads by their own owner reference, and a pod as itself', () => {
    expect(workloadPods('replicasets', owned('other', 'rs9'), pods).map((p) => p.metadata.name)).toEqual(['c']);
    expect(workloadPods('pods', owned('d', 'p4'), pods).map((p) => p.metadata.name)).toEqual(['d']);
    expect(workloadPods('jobs', owned('j', 'j1'), pods)).toEqual([]);
  });

  it('follows the controller reference when there is one', () => {
    const pod = { metadata: { name: 'x', ownerReferences: [{ uid: 'rs1' }, { uid: 'rs0', controller: true }] } };
    expect(workloadPods('replicasets', owned('web-1', 'rs1'), [pod])).toEqual([]);
    expect(workloadPods('replicasets', owned('web-0', 'rs0'), [pod])).toEqual([pod]);
  });

  it('refuses a resource that is not a workload with a 400', () => {
    expect(workloadResource('statefulsets')).toBe('statefulsets');
    expect(() => workloadResource('services')).toThrow(expect.objectContaining({ code: 400 }));
    expect(() => workloadResource('cronjobs')).toThrow(/deployments/);
  });
});

describe('node figures', () => {
  const node = {
    metadata: {
      name: 'n1',
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels: { 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/control-plane': '' },
    },
    status: {
      allocatable: { cpu: '3500m', memory: '8Gi', pods: '110' },
      capacity: { cpu: '4', memory: '16Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True' }],
      addresses: [
        { type: 'Hostname', address: 'n1' },
        { type: 'InternalIP', address: '10.0.0.1' },
      ],
      nodeInfo: { kubeletVersion: 'v1.32.4' },
    },
  };

  it("names roles, status and address as kubectl's columns do", () => {
    expect(nodeRoles(node.metadata.labels)).toBe('control-plane,worker');
    expect(nodeRoles({ 'kubernetes.io/role': 'master' })).toBe('master');
    expect(nodeRoles({})).toBe('<none>');
    expect(nodeStatus({ status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } })).toBe('NotReady');
    expect(nodeStatus({})).toBe('Unknown');
    const fs = { capacityBytes: 1000, usedBytes: 333 };
    expect(nodeRow(node, nodeFigures(node, { cpu: 700, memory: 2 ** 32 }, 11, fs))).toEqual({
      role: 'control-plane,worker',
      address: '10.0.0.1',
      version: 'v1.32.4',
      status: 'Ready',
      creationTimestamp: '2026-01-01T00:00:00Z',
      metrics: {
        allocatable: { cpu: 3500, memory: 8 * 2 ** 30, storage: 1000, pods: 110 },
        usage: { cpu: 700, memory: 2 ** 32, storage: 333, pods: 11 },
        percent: { cpu: 20, memory: 50, storage: 33.3, pods: 10 },
      },
    });
  });

  it('leaves out what was not measured, and sums the cluster over what was', () => {
    const unmeasured = nodeFigures(node, undefined, 3, undefined);
    expect(unmeasured).toEqual({
      allocatable: { cpu: 3500, memory: 8 * 2 ** 30, pods: 110 },
      usage: { pods: 3 },
      percent: { pods: 2.73 },
    });
    const measured = nodeFigures(node, { cpu: 1750, memory: 2 ** 30 }, 7, { capacityBytes: 400, usedBytes: 100 });
    expect(clusterFigures([measured, unmeasured])).toEqual({
      allocatable: { cpu: 7000, memory: 16 * 2 ** 30, storage: 400, pods: 220 },
      usage: { cpu: 1750, memory: 2 ** 30, storage: 100, pods: 10 },
      percent: { cpu: 50, memory: 12.5, storage: 25, pods: 4.55 },
    });
  });
});

describe('pod columns and bounds', () => {
  const running = (ready: boolean): ResourcedPod => ({
    metadata: { name: 'p', namespace: 'ns' },
    spec: {
      containers: [
        { name: 'a', resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '1Gi' } } },
        { name: 'b', resources: { requests: { cpu: '0.25' } } },
      ],
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [
        { name: 'a', ready: true, state: { running: {} } },
        { name: 'b', ready, state: ready ? { running: {} } : { waiting: { reason: 'CrashLoopBackOff' } } },
      ],
    },
  });

  it("prints READY and STATUS as kubectl's get pods", () => {
    expect([podReadyColumn(running(true)), podStatusColumn(running(true))]).toEqual(['2/2', 'Running']);
    expect([podReadyColumn(running(false)), podStatusColumn(running(false))]).toEqual(['1/2', 'CrashLoopBackOff']);
    const completed = {
      status: {
        phase: 'Succeeded',
        containerStatuses: [{ state: { terminated: { reason: 'Completed', exitCode: 0 } } }],
      },
    };
    expect(podStatusColumn(completed)).toBe('Completed');
    expect(
      podStatusColumn({
        status: { phase: 'Running', containerStatuses: [{ state: { terminated: { exitCode: 2 } } }] },
      }),
    ).toBe('ExitCode:2');
    const init = {
      spec: { initContainers: [{}, {}] },
      status: {
        phase: 'Pending',
        initContainerStatuses: [{ state: { terminated: { exitCode: 0 } } }, { state: { running: {} } }],
      },
    };
    expect(podStatusColumn(init)).toBe('Init:1/2');
    expect(podStatusColumn({ metadata: { deletionTimestamp: 'x' }, status: { phase: 'Running' } })).toBe('Terminating');
    expect(podStatusColumn({ status: { phase: 'Pending' } })).toBe('Pending');
  });

  it('sums requests and limits over containers in millicores and bytes; a row without usage has no figures', () => {
    expect(podBounds([running(true), running(true)])).toEqual({
      requests: { cpu: 700, memory: 128 * 2 ** 20 },
      limits: { cpu: 2000, memory: 2 * 2 ** 30 },
    });
    expect(podRow(running(true), undefined)).toEqual({
      name: 'p',
      namespace: 'ns',
      ready: '2/2',
      status: 'Running',
      metrics: {},
    });
    expect(podRow(running(true), { cpu: 5, memory: 6 }).metrics).toEqual({ cpu: 5, memory: 6 });
  });
});

describe('podsPerNode', () => {
  it('counts each node its bound pods until they finish', () => {
    const pod = (nodeName: string | undefined, phase: string) => ({ spec: { nodeName }, status: { phase } });
    const counts = podsPerNode([
      pod('a', 'Running'),
      pod('a', 'Pending'),
      pod('a', 'Succeeded'),
      pod('b', 'Failed'),
      pod('b', 'Running'),
      pod(undefined, 'Pending'),
    ]);
    expect([...counts]).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
  });
});
