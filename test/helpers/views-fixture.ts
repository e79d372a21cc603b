/**
 * A small hand-built cluster, as the API server would send it, for exact view tests: every kind the views
 * read, a pending (unschedulable) pod, pods with two containers, a crash-looping pod, a not-ready pod, a
 * finished Job's pod, a service without selector and an ingress with two paths.
 */

type Obj = Record<string, unknown>;

export const T = {
  created: '2024-05-01T10:00:00Z',
  nodeBDown: '2024-05-01T11:00:00Z',
  apiChanged: '2024-05-01T11:30:00Z',
  crashSince: '2024-05-01T12:00:00Z',
  pendingSince: '2024-05-01T12:30:00Z',
  agentSince: '2024-05-01T12:45:00Z',
};

const meta = (name: string, namespace: string | undefined, uid: string, extra: Obj = {}): Obj => ({
  name,
  ...(namespace === undefined ? {} : { namespace }),
  uid,
  resourceVersion: '1',
  creationTimestamp: T.created,
  ...extra,
});

const owner = (kind: string, name: string, uid: string, apiVersion = 'apps/v1') => ({
  ownerReferences: [{ apiVersion, kind, name, uid, controller: true }],
});

const node = (name: string, uid: string, ready: boolean, since: string): Obj => ({
  metadata: meta(name, undefined, uid),
  status: {
    conditions: [
      { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', lastTransitionTime: T.created },
      ready
        ? { type: 'Ready', status: 'True', reason: 'KubeletReady', lastTransitionTime: since }
        : { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', lastTransitionTime: since },
    ],
  },
});

interface ContainerSpec {
  name: string;
  image: string;
  id?: string;
  ready?: boolean;
  restarts?: number;
  waiting?: string;
}

interface PodSpec {
  name: string;
  namespace: string;
  uid: string;
  node?: string;
  phase: string;
  ready: boolean;
  readySince?: string;
  ip?: string;
  labels?: Record<string, string>;
  owner?: Obj;
  containers: ContainerSpec[];
  spec?: Obj;
  scheduled?: Obj;
}

const pod = (p: PodSpec): Obj => ({
  metadata: meta(p.name, p.namespace, p.uid, { ...(p.labels === undefined ? {} : { labels: p.labels }), ...p.owner }),
  spec: {
    ...(p.node === undefined ? {} : { nodeName: p.node }),
    serviceAccountName: 'default',
    containers: p.containers.map((c) => ({ name: c.name, image: c.image })),
    volumes: [
      {
        name: 'kube-api-access',
        projected: {
          sources: [{ serviceAccountToken: { path: 'token' } }, { configMap: { name: 'kube-root-ca.crt' } }],
        },
      },
    ],
    ...p.spec,
  },
  status: {
    phase: p.phase,
    ...(p.ip === undefined ? {} : { podIP: p.ip }),
    conditions: [
      p.scheduled ?? { type: 'PodScheduled', status: 'True', lastTransitionTime: T.created },
      { type: 'Ready', status: p.ready ? 'True' : 'False', lastTransitionTime: p.readySince ?? T.created },
    ],
    ...(p.node === undefined
      ? {}
      : {
          containerStatuses: p.containers.map((c) => ({
            name: c.name,
            image: `docker.io/library/${c.image}`,
            ready: c.ready ?? p.ready,
            restartCount: c.restarts ?? 0,
            ...(c.id === undefined ? {} : { containerID: c.id }),
            state: c.waiting === undefined ? { running: { startedAt: T.created } } : { waiting: { reason: c.waiting } },
          })),
        }),
  },
});

const cid = (n: string) => `containerd://${n.repeat(8)}`;

export const NODES: Obj[] = [
  node('node-a', 'uid-node-a', true, T.created),
  node('node-b', 'uid-node-b', false, T.nodeBDown),
];

export const NAMESPACES: Obj[] = [
  { metadata: meta('default', undefined, 'uid-ns-default') },
  { metadata: meta('shop', undefined, 'uid-ns-shop') },
];

export const DEPLOYMENTS: Obj[] = [
  {
    metadata: meta('web', 'shop', 'uid-deploy-web', { generation: 2 }),
    spec: { replicas: 2 },
    status: { observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 },
  },
  {
    metadata: meta('api', 'shop', 'uid-deploy-api', { generation: 1 }),
    spec: { replicas: 3 },
    status: {
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 1,
      availableReplicas: 1,
      conditions: [
        {
          type: 'Available',
          status: 'False',
          reason: 'MinimumReplicasUnavailable',
          lastUpdateTime: T.apiChanged,
          lastTransitionTime: T.apiChanged,
        },
        {
          type: 'Progressing',
          status: 'True',
          reason: 'NewReplicaSetAvailable',
          lastUpdateTime: T.created,
          lastTransitionTime: T.created,
        },
      ],
    },
  },
];

export const REPLICASETS: Obj[] = [
  {
    metadata: meta('web-5d4f', 'shop', 'uid-rs-web', owner('Deployment', 'web', 'uid-deploy-web')),
    spec: { replicas: 2 },
    status: { replicas: 2, readyReplicas: 2 },
  },
  {
    metadata: meta('api-7c9', 'shop', 'uid-rs-api', owner('Deployment', 'api', 'uid-deploy-api')),
    spec: { replicas: 3 },
    status: { replicas: 3, readyReplicas: 1 },
  },
];

export const STATEFULSETS: Obj[] = [
  { metadata: meta('db', 'shop', 'uid-sts-db'), spec: { replicas: 1 }, status: { replicas: 1, readyReplicas: 1 } },
];

export const DAEMONSETS: Obj[] = [
  {
    metadata: meta('log-agent', 'default', 'uid-ds-agent'),
    status: { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 1 },
  },
];

export const CRONJOBS: Obj[] = [{ metadata: meta('backup', 'shop', 'uid-cj-backup'), spec: { schedule: '0 * * * *' } }];

export const JOBS: Obj[] = [
  {
    metadata: meta(
      'backup-28000000',
      'shop',
      'uid-job-backup',
      owner('CronJob', 'backup', 'uid-cj-backup', 'batch/v1'),
    ),
    status: { succeeded: 1 },
  },
];

const web = [
  { name: 'nginx', image: 'nginx:1.27' },
  { name: 'envoy', image: 'envoy:1.30' },
];

export const PODS: Obj[] = [
  pod({
    name: 'web-5d4f-aaaa',
    namespace: 'shop',
    uid: 'uid-pod-web-a',
    node: 'node-a',
    phase: 'Running',
    ready: true,
    ip: '10.0.0.11',
    labels: { app: 'web', 'pod-template-hash': '5d4f' },
    owner: owner('ReplicaSet', 'web-5d4f', 'uid-rs-web'),
    containers: web.map((c, i) => ({ ...c, id: cid(`a${i}`) })),
  }),
  pod({
    name: 'web-5d4f-bbbb',
    namespace: 'shop',
    uid: 'uid-pod-web-b',
    node: 'node-b',
    phase: 'Running',
    ready: true,
    ip: '10.0.1.12',
    labels: { app: 'web', 'pod-template-hash': '5d4f' },
    owner: owner('ReplicaSet', 'web-5d4f', 'uid-rs-web'),
    containers: web.map((c, i) => ({ ...c, id: cid(`b${i}`) })),
  }),
  pod({
    name: 'api-7c9-cccc',
    namespace: 'shop',
    uid: 'uid-pod-api-c',
    node: 'node-a',
    phase: 'Running',
    ready: false,
    readySince: T.crashSince,
    ip: '10.0.0.13',
    labels: { app: 'api' },
    owner: owner('ReplicaSet', 'api-7c9', 'uid-rs-api'),
    containers: [{ name: 'api', image: 'shop/api:2.1', id: cid('c'), restarts: 7, waiting: 'CrashLoopBackOff' }],
    spec: {
      containers: [
        {
          name: 'api',
          image: 'shop/api:2.1',
          envFrom: [{ configMapRef: { name: 'api-config' } }, { secretRef: { name: 'api-secrets' } }],
        },
      ],
    },
  }),
  pod({
    name: 'api-7c9-dddd',
    namespace: 'shop',
    uid: 'uid-pod-api-d',
    node: 'node-a',
    phase: 'Running',
    ready: true,
    ip: '10.0.0.14',
    labels: { app: 'api' },
    owner: owner('ReplicaSet', 'api-7c9', 'uid-rs-api'),
    containers: [{ name: 'api', image: 'shop/api:2.1', id: cid('d') }],
  }),
  pod({
    name: 'api-7c9-eeee',
    namespace: 'shop',
    uid: 'uid-pod-api-e',
    phase: 'Pending',
    ready: false,
    readySince: T.pendingSince,
    labels: { app: 'api' },
    owner: owner('ReplicaSet', 'api-7c9', 'uid-rs-api'),
    containers: [{ name: 'api', image: 'shop/api:2.1' }],
    scheduled: { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', lastTransitionTime: T.pendingSince },
  }),
  pod({
    name: 'db-0',
    namespace: 'shop',
    uid: 'uid-pod-db',
    node: 'node-b',
    phase: 'Running',
    ready: true,
    ip: '10.0.1.15',
    labels: { app: 'db' },
    owner: owner('StatefulSet', 'db', 'uid-sts-db'),
    containers: [{ name: 'postgres', image: 'postgres:16', id: cid('e') }],
    spec: {
      containers: [
        {
          name: 'postgres',
          image: 'postgres:16',
          env: [{ name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'db-creds', key: 'password' } } }],
        },
      ],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } }],
    },
  }),
  pod({
    name: 'backup-28000000-zzzz',
    namespace: 'shop',
    uid: 'uid-pod-backup',
    node: 'node-b',
    phase: 'Succeeded',
    ready: false,
    labels: { job: 'backup' },
    owner: owner('Job', 'backup-28000000', 'uid-job-backup', 'batch/v1'),
    containers: [{ name: 'backup', image: 'busybox:1.36', id: cid('f'), ready: false }],
  }),
  pod({
    name: 'log-agent-xxxx',
    namespace: 'default',
    uid: 'uid-pod-agent-x',
    node: 'node-a',
    phase: 'Running',
    ready: true,
    ip: '10.0.0.2',
    labels: { app: 'log-agent' },
    owner: owner('DaemonSet', 'log-agent', 'uid-ds-agent'),
    containers: [{ name: 'agent', image: 'fluent-bit:3', id: cid('g') }],
  }),
  pod({
    name: 'log-agent-yyyy',
    namespace: 'default',
    uid: 'uid-pod-agent-y',
    node: 'node-b',
    phase: 'Running',
    ready: false,
    readySince: T.agentSince,
    ip: '10.0.1.2',
    labels: { app: 'log-agent' },
    owner: owner('DaemonSet', 'log-agent', 'uid-ds-agent'),
    containers: [{ name: 'agent', image: 'fluent-bit:3', id: cid('h'), ready: false }],
  }),
];

export const SERVICES: Obj[] = [
  { metadata: meta('web', 'shop', 'uid-svc-web'), spec: { selector: { app: 'web' } } },
  { metadata: meta('api', 'shop', 'uid-svc-api'), spec: { selector: { app: 'api' } } },
  { metadata: meta('db', 'shop', 'uid-svc-db'), spec: { selector: { app: 'db' }, clusterIP: 'None' } },
  { metadata: meta('legacy', 'shop', 'uid-svc-legacy'), spec: { ports: [{ port: 5432 }] } },
];

export const INGRESSES: Obj[] = [
  {
    metadata: meta('shop', 'shop', 'uid-ing-shop'),
    spec: {
      rules: [
        {
          host: 'shop.example.com',
          http: {
            paths: [
              { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } },
              { path: '/api', pathType: 'Prefix', backend: { service: { name: 'api', port: { number: 8080 } } } },
            ],
          },
        },
      ],
    },
  },
];

/** Every object by plural resource name, the way the views' state is fed. */
export const FIXTURE = {
  nodes: NODES,
  namespaces: NAMESPACES,
  pods: PODS,
  services: SERVICES,
  ingresses: INGRESSES,
  deployments: DEPLOYMENTS,
  replicasets: REPLICASETS,
  daemonsets: DAEMONSETS,
  statefulsets: STATEFULSETS,
  jobs: JOBS,
  cronjobs: CRONJOBS,
} as const;
