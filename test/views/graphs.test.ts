import { describe, expect, it } from 'vitest';
import { dashboard } from '../../lib/views/dashboard';
import { podProblem } from '../../lib/views/pod-status';
import { workloadGraph, type HierarchyNode } from '../../lib/views/hierarchy';
import { networkGraph } from '../../lib/views/network';
import { podGraph, podReferences } from '../../lib/views/pod-graph';
import { topology, type TopologyLink, type TopologyNode } from '../../lib/views/topology';
import { FIXTURE, PODS, T } from '../helpers/views-fixture';
import { fixtureState } from '../helpers/views-stack';

const CONTEXT = 'arn:aws:eks:eu-west-1:123456789012:cluster/prod';

const loaded = fixtureState;

const cid = (n: string) => `containerd://${n.repeat(8)}`;
const nodeN = (name: string): TopologyNode => ({ id: name, name, kind: 'Node', group: name });
const podN = (id: string, name: string, namespace: string, group: string): TopologyNode => ({
  id,
  name,
  kind: 'Pod',
  namespace,
  group,
});
const ctrN = (
  id: string,
  name: string,
  namespace: string,
  group: string,
  image: string,
  ready: boolean,
  restartCount = 0,
): TopologyNode => ({
  id,
  name,
  kind: 'Container',
  namespace,
  group,
  image,
  ready,
  restartCount,
});
const link = (source: string, target: string, kind: TopologyLink['kind']): TopologyLink => ({
  source,
  target,
  kind,
  hidden: false,
});
const h = (
  kind: string,
  apiVersion: string,
  namespace: string,
  name: string,
  uid: string,
  owner = '',
  line = '',
): HierarchyNode => ({
  uid,
  name,
  apiVersion,
  kind,
  namespace,
  line,
  owner,
});

describe('topology', () => {
  it('shows the cluster, every node, every pod on its node with its containers, and unscheduled pods unlinked', () => {
    const cluster = `cluster-${CONTEXT}`;
    expect(topology(CONTEXT, loaded())).toEqual({
      nodes: [
        { id: cluster, name: CONTEXT, kind: 'Cluster', group: '' },
        nodeN('node-a'),
        nodeN('node-b'),
        podN('uid-pod-agent-x', 'log-agent-xxxx', 'default', 'node-a'),
        ctrN(cid('g'), 'agent', 'default', 'node-a', 'fluent-bit:3', true),
        podN('uid-pod-agent-y', 'log-agent-yyyy', 'default', 'node-b'),
        ctrN(cid('h'), 'agent', 'default', 'node-b', 'fluent-bit:3', false),
        podN('uid-pod-api-c', 'api-7c9-cccc', 'shop', 'node-a'),
        ctrN(cid('c'), 'api', 'shop', 'node-a', 'shop/api:2.1', false, 7),
        podN('uid-pod-api-d', 'api-7c9-dddd', 'shop', 'node-a'),
        ctrN(cid('d'), 'api', 'shop', 'node-a', 'shop/api:2.1', true),
        podN('uid-pod-api-e', 'api-7c9-eeee', 'shop', ''),
        ctrN('uid-pod-api-e/api', 'api', 'shop', '', 'shop/api:2.1', false),
        podN('uid-pod-backup', 'backup-28000000-zzzz', 'shop', 'node-b'),
        ctrN(cid('f'), 'backup', 'shop', 'node-b', 'busybox:1.36', false),
        podN('uid-pod-db', 'db-0', 'shop', 'node-b'),
        ctrN(cid('e'), 'postgres', 'shop', 'node-b', 'postgres:16', true),
        podN('uid-pod-web-a', 'web-5d4f-aaaa', 'shop', 'node-a'),
        ctrN(cid('a0'), 'nginx', 'shop', 'node-a', 'nginx:1.27', true),
        ctrN(cid('a1'), 'envoy', 'shop', 'node-a', 'envoy:1.30', true),
        podN('uid-pod-web-b', 'web-5d4f-bbbb', 'shop', 'node-b'),
        ctrN(cid('b0'), 'nginx', 'shop', 'node-b', 'nginx:1.27', true),
        ctrN(cid('b1'), 'envoy', 'shop', 'node-b', 'envoy:1.30', true),
      ],
      links: [
        link('node-a', cluster, 'Node'),
        link('node-b', cluster, 'Node'),
        link('uid-pod-agent-x', 'node-a', 'Pod'),
        link(cid('g'), 'uid-pod-agent-x', 'Container'),
        link('uid-pod-agent-y', 'node-b', 'Pod'),
        link(cid('h'), 'uid-pod-agent-y', 'Container'),
        link('uid-pod-api-c', 'node-a', 'Pod'),
        link(cid('c'), 'uid-pod-api-c', 'Container'),
        link('uid-pod-api-d', 'node-a', 'Pod'),
        link(cid('d'), 'uid-pod-api-d', 'Container'),
        link('uid-pod-api-e/api', 'uid-pod-api-e', 'Container'),
        link('uid-pod-backup', 'node-b', 'Pod'),
        link(cid('f'), 'uid-pod-backup', 'Container'),
        link('uid-pod-db', 'node-b', 'Pod'),
        link(cid('e'), 'uid-pod-db', 'Container'),
        link('uid-pod-web-a', 'node-a', 'Pod'),
        link(cid('a0'), 'uid-pod-web-a', 'Container'),
        link(cid('a1'), 'uid-pod-web-a', 'Container'),
        link('uid-pod-web-b', 'node-b', 'Pod'),
        link(cid('b0'), 'uid-pod-web-b', 'Container'),
        link(cid('b1'), 'uid-pod-web-b', 'Container'),
      ],
    });
  });

  it('for one namespace, shows only the nodes its pods run on', () => {
    const cluster = 'cluster-ctx';
    const state = loaded();
    const g = topology('ctx', state, 'default');
    expect(g.nodes.map((n) => n.id)).toEqual([
      cluster,
      'node-a',
      'node-b',
      'uid-pod-agent-x',
      cid('g'),
      'uid-pod-agent-y',
      cid('h'),
    ]);
    expect(topology('ctx', state, 'nothing-here')).toEqual({
      nodes: [{ id: cluster, name: 'ctx', kind: 'Cluster', group: '' }],
      links: [],
    });
  });

  it('never links to a node it does not show: a pod on an unlisted node brings that node', () => {
    const g = topology('ctx', loaded({ ...FIXTURE, nodes: [] }));
    expect(g.nodes.filter((n) => n.kind === 'Node').map((n) => n.id)).toEqual(['node-a', 'node-b']);
    const ids = new Set(g.nodes.map((n) => n.id));
    for (const l of g.links) expect(ids.has(l.source) && ids.has(l.target)).toBe(true);
  });
});

describe('dashboard', () => {
  const problems = [
    { kind: 'Pod', namespace: 'default', name: 'log-agent-yyyy', reason: 'NotReady', since: T.agentSince },
    { kind: 'Pod', namespace: 'shop', name: 'api-7c9-eeee', reason: 'Unschedulable', since: T.pendingSince },
    { kind: 'Pod', namespace: 'shop', name: 'api-7c9-cccc', reason: 'CrashLoopBackOff', since: T.crashSince },
    { kind: 'Deployment', namespace: 'shop', name: 'api', reason: '1/3 replicas ready', since: T.apiChanged },
    { kind: 'Node', namespace: '', name: 'node-b', reason: 'NodeStatusUnknown', since: T.nodeBDown },
  ];

  it('counts what exists and what is fully ready, by the rule of each kind', () => {
    expect(dashboard(loaded().tally)).toEqual({
      // log-agent: 1 of 2 desired pods ready.
      daemonset: { ready: 0, available: 1 },
      // api: 1 of 3 ready.
      deployment: { ready: 1, available: 2 },
      replicaset: { ready: 1, available: 2 },
      statefulset: { ready: 1, available: 1 },
      // Scheduled, Running and Ready: not the crash-looping, pending, not-ready or finished ones.
      pod: { ready: 5, available: 9 },
      nodes: { ready: 1, total: 2 },
      namespaces: 2,
      problems,
      problemsTotal: 5,
    });
  });

  it('caps the problem list, newest first', () => {
    const d = dashboard(loaded().tally, 2);
    expect(d.problems).toEqual(problems.slice(0, 2));
    expect(d.problemsTotal).toBe(5);
  });

  it('deployments: ready only when the rollout is complete', () => {
    const base = { metadata: { name: 'd', namespace: 'n', uid: 'u', generation: 3 }, spec: { replicas: 2 } };
    const readyOf = (status: object, spec = base.spec) => {
      const state = loaded({ deployments: [{ ...base, spec, status }] });
      return state.tally.counts.deployment.ready;
    };
    expect(readyOf({ observedGeneration: 3, replicas: 2, updatedReplicas: 2, readyReplicas: 2 })).toBe(1);
    // Old replicas still around: not all updated.
    expect(readyOf({ observedGeneration: 3, replicas: 3, updatedReplicas: 2, readyReplicas: 3 })).toBe(0);
    // Ready, but from the previous template.
    expect(readyOf({ observedGeneration: 3, replicas: 2, updatedReplicas: 1, readyReplicas: 2 })).toBe(0);
    // The controller has not seen the latest spec yet.
    expect(readyOf({ observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 2 })).toBe(0);
    // Scaled to zero is done.
    expect(readyOf({ observedGeneration: 3 }, { replicas: 0 })).toBe(1);
    // No spec.replicas means 1.
    expect(
      readyOf({ observedGeneration: 3, replicas: 1, updatedReplicas: 1, readyReplicas: 1 }, {} as { replicas: number }),
    ).toBe(1);
  });

  it('keeps its counters right through any sequence of changes, deletions and relists', () => {
    const state = loaded();
    const pods = state.sink('pods');
    const deployments = state.sink('deployments');
    const nodes = state.sink('nodes');
    // The crash-looping pod recovers, the pending one is deleted, a node recovers, a deployment scales.
    const recovered = structuredClone(PODS[2]) as {
      status: {
        conditions: { type: string; status: string }[];
        containerStatuses: { ready: boolean; state: object }[];
      };
    };
    recovered.status.conditions[1]!.status = 'True';
    recovered.status.containerStatuses[0]!.ready = true;
    recovered.status.containerStatuses[0]!.state = { running: {} };
    pods.upsert(recovered);
    pods.remove({ metadata: { name: 'api-7c9-eeee', namespace: 'shop', uid: 'uid-pod-api-e' } });
    nodes.upsert({
      metadata: { name: 'node-b', uid: 'uid-node-b' },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    });
    deployments.upsert({
      metadata: { name: 'api', namespace: 'shop', uid: 'uid-deploy-api' },
      spec: { replicas: 2 },
      status: { replicas: 2, updatedReplicas: 2, readyReplicas: 2 },
    });
    // A relist that no longer holds the web deployment.
    deployments.beginSync();
    deployments.upsert({
      metadata: { name: 'api', namespace: 'shop', uid: 'uid-deploy-api' },
      spec: { replicas: 2 },
      status: { replicas: 2, updatedReplicas: 2, readyReplicas: 2 },
    });
    deployments.endSync();

    const fresh = loaded({
      ...FIXTURE,
      pods: [...PODS.slice(0, 2), recovered, ...PODS.slice(3, 4), ...PODS.slice(5)],
      nodes: [
        FIXTURE.nodes[0]!,
        {
          metadata: { name: 'node-b', uid: 'uid-node-b' },
          status: { conditions: [{ type: 'Ready', status: 'True' }] },
        },
      ],
      deployments: [
        {
          metadata: { name: 'api', namespace: 'shop', uid: 'uid-deploy-api' },
          spec: { replicas: 2 },
          status: { replicas: 2, updatedReplicas: 2, readyReplicas: 2 },
        },
      ],
    });
    expect(dashboard(state.tally)).toEqual(dashboard(fresh.tally));
    expect(dashboard(state.tally)).toMatchObject({
      pod: { ready: 6, available: 8 },
      deployment: { ready: 1, available: 1 },
      nodes: { ready: 2, total: 2 },
      problems: [{ kind: 'Pod', name: 'log-agent-yyyy' }],
    });
  });

  it('moves its version only when something it shows changed', () => {
    const state = loaded();
    const before = state.tally.version;
    state.sink('pods').upsert(structuredClone(PODS[0]));
    expect(state.tally.version).toBe(before);
    state.sink('pods').remove(PODS[0]);
    expect(state.tally.version).toBeGreaterThan(before);
  });
});

describe('workload graph', () => {
  const apps = 'apps/v1';
  const expected = {
    default: [
      h('DaemonSet', apps, 'default', 'log-agent', 'uid-ds-agent'),
      h('Pod', 'v1', 'default', 'log-agent-xxxx', 'uid-pod-agent-x', 'uid-ds-agent'),
      h('Pod', 'v1', 'default', 'log-agent-yyyy', 'uid-pod-agent-y', 'uid-ds-agent'),
    ],
    shop: [
      h('Deployment', apps, 'shop', 'api', 'uid-deploy-api'),
      h('Deployment', apps, 'shop', 'web', 'uid-deploy-web'),
      h('StatefulSet', apps, 'shop', 'db', 'uid-sts-db'),
      h('CronJob', 'batch/v1', 'shop', 'backup', 'uid-cj-backup'),
      h('ReplicaSet', apps, 'shop', 'api-7c9', 'uid-rs-api', 'uid-deploy-api'),
      h('ReplicaSet', apps, 'shop', 'web-5d4f', 'uid-rs-web', 'uid-deploy-web'),
      h('Job', 'batch/v1', 'shop', 'backup-28000000', 'uid-job-backup', 'uid-cj-backup'),
      h('Pod', 'v1', 'shop', 'api-7c9-cccc', 'uid-pod-api-c', 'uid-rs-api'),
      h('Pod', 'v1', 'shop', 'api-7c9-dddd', 'uid-pod-api-d', 'uid-rs-api'),
      h('Pod', 'v1', 'shop', 'api-7c9-eeee', 'uid-pod-api-e', 'uid-rs-api'),
      h('Pod', 'v1', 'shop', 'backup-28000000-zzzz', 'uid-pod-backup', 'uid-job-backup'),
      h('Pod', 'v1', 'shop', 'db-0', 'uid-pod-db', 'uid-sts-db'),
      h('Pod', 'v1', 'shop', 'web-5d4f-aaaa', 'uid-pod-web-a', 'uid-rs-web'),
      h('Pod', 'v1', 'shop', 'web-5d4f-bbbb', 'uid-pod-web-b', 'uid-rs-web'),
    ],
  };

  it('links every workload and pod to its controlling owner, per namespace', () => {
    expect(workloadGraph(loaded())).toEqual(expected);
    expect(workloadGraph(loaded(), 'default')).toEqual({ default: expected.default });
    expect(workloadGraph(loaded(), 'empty')).toEqual({ empty: [] });
  });

  it('leaves out owners that are not in the graph', () => {
    const state = loaded({ ...FIXTURE, replicasets: [] });
    const pods = workloadGraph(state, 'shop').shop!.filter((n) => n.name.startsWith('web-'));
    expect(pods.map((n) => n.owner)).toEqual(['', '']);
  });
});

describe('network graph', () => {
  it('links ingress → services by path → pods by selector, with host/path and pod IP labels', () => {
    expect(networkGraph(loaded())).toEqual({
      default: [],
      shop: [
        h('Ingress', 'networking.k8s.io/v1', 'shop', 'shop', 'uid-ing-shop'),
        h('Service', 'v1', 'shop', 'api', 'uid-svc-api', 'uid-ing-shop', 'shop.example.com/api'),
        h('Service', 'v1', 'shop', 'db', 'uid-svc-db'),
        // No selector: its endpoints are managed by hand, so it selects no pod.
        h('Service', 'v1', 'shop', 'legacy', 'uid-svc-legacy'),
        h('Service', 'v1', 'shop', 'web', 'uid-svc-web', 'uid-ing-shop', 'shop.example.com/'),
        h('Pod', 'v1', 'shop', 'api-7c9-cccc', 'uid-pod-api-c', 'uid-svc-api', '10.0.0.13'),
        h('Pod', 'v1', 'shop', 'api-7c9-dddd', 'uid-pod-api-d', 'uid-svc-api', '10.0.0.14'),
        h('Pod', 'v1', 'shop', 'api-7c9-eeee', 'uid-pod-api-e', 'uid-svc-api', ''),
        h('Pod', 'v1', 'shop', 'db-0', 'uid-pod-db', 'uid-svc-db', '10.0.1.15'),
        h('Pod', 'v1', 'shop', 'web-5d4f-aaaa', 'uid-pod-web-a', 'uid-svc-web', '10.0.0.11'),
        h('Pod', 'v1', 'shop', 'web-5d4f-bbbb', 'uid-pod-web-b', 'uid-svc-web', '10.0.1.12'),
      ],
    });
  });

  it('joins the paths of one ingress that lead to the same service', () => {
    const ingress = structuredClone(FIXTURE.ingresses[0]) as {
      spec: { rules: { http: { paths: { backend: { service: { name: string } } }[] } }[] };
    };
    ingress.spec.rules[0]!.http.paths[1]!.backend.service.name = 'web';
    const g = networkGraph(loaded({ ...FIXTURE, ingresses: [ingress] }), 'shop');
    expect(g.shop!.find((n) => n.name === 'web')).toMatchObject({
      owner: 'uid-ing-shop',
      line: 'shop.example.com/, shop.example.com/api',
    });
  });
});

describe('pod graph', () => {
  const state = loaded();
  const pod = (name: string) => [...state.pods.all()].find((p) => p.name === name)!;

  it('climbs ReplicaSet → Deployment and lists the ServiceAccount, selecting Services and what the pod reads', () => {
    const p = pod('api-7c9-cccc');
    expect(podReferences(p)).toEqual([
      { kind: 'ServiceAccount', name: 'default' },
      { kind: 'ConfigMap', name: 'api-config' },
      { kind: 'ConfigMap', name: 'kube-root-ca.crt' },
      { kind: 'Secret', name: 'api-secrets' },
    ]);
    const graph = podGraph(state, p, [
      { kind: 'ServiceAccount', name: 'default', found: { uid: 'uid-sa' } },
      { kind: 'ConfigMap', name: 'api-config', found: { uid: 'uid-cm-api' } },
      { kind: 'ConfigMap', name: 'kube-root-ca.crt', found: 'unknown' },
      { kind: 'Secret', name: 'api-secrets', found: 'missing' },
    ]);
    expect(graph).toEqual({
      shop: [
        h('Pod', 'v1', 'shop', 'api-7c9-cccc', 'uid-pod-api-c'),
        h('ReplicaSet', 'apps/v1', 'shop', 'api-7c9', 'uid-rs-api', 'uid-pod-api-c'),
        h('Deployment', 'apps/v1', 'shop', 'api', 'uid-deploy-api', 'uid-rs-api'),
        h('Service', 'v1', 'shop', 'api', 'uid-svc-api', 'uid-pod-api-c'),
        h('ServiceAccount', 'v1', 'shop', 'default', 'uid-sa', 'uid-pod-api-c'),
        h('ConfigMap', 'v1', 'shop', 'api-config', 'uid-cm-api', 'uid-pod-api-c'),
        h('ConfigMap', 'v1', 'shop', 'kube-root-ca.crt', 'ConfigMap/shop/kube-root-ca.crt', 'uid-pod-api-c'),
        h('Secret', 'v1', 'shop', 'api-secrets', 'Secret/shop/api-secrets', 'uid-pod-api-c', 'not found'),
      ],
    });
  });

  it('climbs Job → CronJob and stops at a StatefulSet, with its volume claim and secret', () => {
    expect(podGraph(state, pod('backup-28000000-zzzz'), [])).toEqual({
      shop: [
        h('Pod', 'v1', 'shop', 'backup-28000000-zzzz', 'uid-pod-backup'),
        h('Job', 'batch/v1', 'shop', 'backup-28000000', 'uid-job-backup', 'uid-pod-backup'),
        h('CronJob', 'batch/v1', 'shop', 'backup', 'uid-cj-backup', 'uid-job-backup'),
      ],
    });
    const db = pod('db-0');
    expect(podReferences(db).map((r) => `${r.kind}/${r.name}`)).toEqual([
      'ServiceAccount/default',
      'PersistentVolumeClaim/data-db-0',
      'Secret/db-creds',
    ]);
    expect(podGraph(state, db, []).shop).toEqual([
      h('Pod', 'v1', 'shop', 'db-0', 'uid-pod-db'),
      h('StatefulSet', 'apps/v1', 'shop', 'db', 'uid-sts-db', 'uid-pod-db'),
      h('Service', 'v1', 'shop', 'db', 'uid-svc-db', 'uid-pod-db'),
    ]);
  });

  it('shows an owner it does not follow (a Node for a static pod) without climbing it', () => {
    const s = loaded({
      pods: [
        {
          metadata: {
            name: 'etcd-node-a',
            namespace: 'kube-system',
            uid: 'uid-etcd',
            ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'node-a', uid: 'uid-node-a', controller: true }],
          },
        },
      ],
    });
    expect(podGraph(s, [...s.pods.all()][0]!, [])).toEqual({
      'kube-system': [
        h('Pod', 'v1', 'kube-system', 'etcd-node-a', 'uid-etcd'),
        h('Node', 'v1', '', 'node-a', 'uid-node-a', 'uid-etcd'),
      ],
    });
  });
});

describe('pod problems', () => {
  const running = {
    spec: { nodeName: 'n' },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  };
  it('names them as kubectl does, and leaves finished or deleted pods alone', () => {
    expect(podProblem(running)).toBe('');
    expect(podProblem({ spec: { nodeName: 'n' }, status: { phase: 'Failed', reason: 'Evicted' } })).toBe('Evicted');
    expect(podProblem({ spec: { nodeName: 'n' }, status: { phase: 'Failed' } })).toBe('Failed');
    expect(podProblem({ spec: { nodeName: 'n' }, status: { phase: 'Succeeded' } })).toBe('');
    expect(
      podProblem({ metadata: { deletionTimestamp: T.created }, spec: { nodeName: 'n' }, status: { phase: 'Running' } }),
    ).toBe('');
    expect(
      podProblem({
        spec: { nodeName: 'n' },
        status: { phase: 'Pending', initContainerStatuses: [{ state: { waiting: { reason: 'CrashLoopBackOff' } } }] },
      }),
    ).toBe('Init:CrashLoopBackOff');
    expect(
      podProblem({
        spec: { nodeName: 'n' },
        status: { phase: 'Pending', initContainerStatuses: [{ state: { terminated: { exitCode: 1 } } }] },
      }),
    ).toBe('Init:Error');
    expect(
      podProblem({
        spec: { nodeName: 'n' },
        status: {
          phase: 'Pending',
          containerStatuses: [
            { state: { waiting: { reason: 'ContainerCreating' } } },
            { state: { waiting: { reason: 'ImagePullBackOff' } } },
          ],
        },
      }),
    ).toBe('ImagePullBackOff');
    expect(
      podProblem({
        spec: { nodeName: 'n' },
        status: { phase: 'Pending', containerStatuses: [{ state: { waiting: { reason: 'ContainerCreating' } } }] },
      }),
    ).toBe('ContainerCreating');
    expect(podProblem({ status: { phase: 'Pending' } })).toBe('Pending');
    expect(
      podProblem({
        spec: { nodeName: 'n' },
        status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] },
      }),
    ).toBe('NotReady');
  });
});
