/**
 * Server-side printing (meta.k8s.io/v1 Table), what `kubectl get` asks for and prints as it comes: the
 * columns of the real printers for the kinds a dashboard shows, the default Name / Created At for the rest,
 * and a CRD's additionalPrinterColumns for custom resources.
 */
import { isObject, type KubeObject } from '../object-meta';
import type { CustomResourceDefinition, PrinterColumn } from '../crd/definition';
import { jsonPathValue } from './json-path';

export interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

type Json = Record<string, unknown>;
type Cell = string | number | boolean | null;

interface Printer {
  columns: ColumnDefinition[];
  cells(obj: KubeObject, now: number): Cell[];
}

const col = (name: string, type: string, description: string, priority = 0, format = ''): ColumnDefinition => ({
  name,
  type,
  format,
  description,
  priority,
});
const NAME = col(
  'Name',
  'string',
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  0,
  'name',
);
const AGE = col(
  'Age',
  'string',
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
);
/** The wide-output columns of every workload that has a pod template. */
const CONTAINERS = col('Containers', 'string', 'Names of each container in the template.', 1);
const IMAGES = col('Images', 'string', 'Images referenced by each container in the template.', 1);

/** apimachinery's duration.HumanDuration, which every Age cell is written with. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8)
    return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24) % 365;
    return days === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${days}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

function since(timestamp: unknown, now: number): string {
  if (typeof timestamp !== 'string') return '<unknown>';
  return humanDuration(now - Date.parse(timestamp));
}

const obj = (v: unknown): Json => (isObject(v) ? v : {});
const arr = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const str = (v: unknown, fallback = '<none>'): string => (typeof v === 'string' && v !== '' ? v : fallback);

function age(o: KubeObject, now: number): string {
  return since(o.metadata.creationTimestamp, now);
}

function containersOf(template: Json): { names: string; images: string } {
  const containers = arr(obj(template.spec).containers);
  return {
    names: containers.map((c) => str(c.name, '')).join(','),
    images: containers.map((c) => str(c.image, '')).join(','),
  };
}

function selectorText(selector: unknown): string {
  const s = obj(selector);
  const parts = Object.entries(obj(s.matchLabels)).map(([k, v]) => `${k}=${String(v)}`);
  for (const e of arr(s.matchExpressions)) {
    const values = Array.isArray(e.values) ? e.values.join(',') : '';
    if (e.operator === 'In') parts.push(`${String(e.key)} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${String(e.key)} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(String(e.key));
    else if (e.operator === 'DoesNotExist') parts.push(`!${String(e.key)}`);
  }
  return parts.length === 0 ? '<none>' : parts.join(',');
}

function podStatusReason(pod: KubeObject): { reason: string; ready: number; total: number; restarts: string } {
  const status = obj(pod.status);
  const spec = obj(pod.spec);
  let reason = str(status.reason, str(status.phase, 'Unknown'));
  const statuses = arr(status.containerStatuses);
  let restarts = 0;
  let lastRestart = 0;
  let ready = 0;
  for (let i = statuses.length - 1; i >= 0; i--) {
    const cs = statuses[i] as Json;
    restarts += num(cs.restartCount);
    const finished = obj(obj(obj(cs.lastState).terminated)).finishedAt;
    if (typeof finished === 'string') lastRestart = Math.max(lastRestart, Date.parse(finished));
    const state = obj(cs.state);
    const waiting = obj(state.waiting);
    const terminated = obj(state.terminated);
    if (typeof waiting.reason === 'string' && waiting.reason !== '') reason = waiting.reason;
    else if (typeof terminated.reason === 'string' && terminated.reason !== '') reason = terminated.reason;
    else if (isObject(state.terminated))
      reason =
        typeof terminated.signal === 'number' && terminated.signal !== 0
          ? `Signal:${terminated.signal}`
          : `ExitCode:${num(terminated.exitCode)}`;
    else if (cs.ready === true && isObject(state.running)) ready++;
  }
  if (reason === 'Running' && statuses.length > 0 && ready < statuses.length) {
    const readyCondition = arr(status.conditions).find((c) => c.type === 'Ready');
    if (readyCondition?.status !== 'True') reason = 'NotReady';
  }
  if (pod.metadata.deletionTimestamp !== undefined) reason = status.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return {
    reason,
    ready,
    total: arr(spec.containers).length,
    restarts: String(restarts) + (lastRestart > 0 ? ` (${humanDuration(Date.now() - lastRestart)} ago)` : ''),
  };
}

const PRINTERS: Record<string, Printer> = {
  Pod: {
    columns: [
      NAME,
      col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
      col('Status', 'string', 'The aggregate status of the containers in this pod.'),
      col(
        'Restarts',
        'string',
        'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
      ),
      AGE,
      col('IP', 'string', 'The IP address assigned to the pod', 1),
      col('Node', 'string', 'The name of the node where the pod is running', 1),
      col('Nominated Node', 'string', 'The name of the node where the pod is nominated', 1),
      col('Readiness Gates', 'string', 'The readiness gates of the pod', 1),
    ],
    cells: (pod, now) => {
      const s = podStatusReason(pod);
      const status = obj(pod.status);
      const spec = obj(pod.spec);
      const gates = arr(spec.readinessGates);
      return [
        pod.metadata.name ?? '',
        `${s.ready}/${s.total}`,
        s.reason,
        s.restarts,
        age(pod, now),
        str(status.podIP),
        str(spec.nodeName),
        str(status.nominatedNodeName),
        gates.length === 0 ? '<none>' : `0/${gates.length}`,
      ];
    },
  },
  Node: {
    columns: [
      NAME,
      col('Status', 'string', 'The status of the node'),
      col('Roles', 'string', 'The roles of the node'),
      AGE,
      col('Version', 'string', 'Kubelet Version reported by the node.'),
      col(
        'Internal-IP',
        'string',
        'List of addresses reachable to the node. Queried from cloud provider, if available.',
        1,
      ),
      col(
        'External-IP',
        'string',
        'List of addresses reachable to the node. Queried from cloud provider, if available.',
        1,
      ),
      col(
        'OS-Image',
        'string',
        'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).',
        1,
      ),
      col(
        'Kernel-Version',
        'string',
        "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
        1,
      ),
      col(
        'Container-Runtime',
        'string',
        'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).',
        1,
      ),
    ],
    cells: (node, now) => {
      const status = obj(node.status);
      const ready = arr(status.conditions).find((c) => c.type === 'Ready');
      let state = ready === undefined ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady';
      if (obj(node.spec).unschedulable === true) state += ',SchedulingDisabled';
      const roles = Object.keys(node.metadata.labels ?? {})
        .filter((k) => k.startsWith('node-role.kubernetes.io/'))
        .map((k) => k.slice('node-role.kubernetes.io/'.length))
        .sort();
      const address = (type: string) => str(arr(status.addresses).find((a) => a.type === type)?.address);
      const info = obj(status.nodeInfo);
      return [
        node.metadata.name ?? '',
        state,
        roles.length === 0 ? '<none>' : roles.join(','),
        age(node, now),
        str(info.kubeletVersion, ''),
        address('InternalIP'),
        address('ExternalIP'),
        str(info.osImage, '<unknown>'),
        str(info.kernelVersion, '<unknown>'),
        str(info.containerRuntimeVersion, '<unknown>'),
      ];
    },
  },
  Namespace: {
    columns: [NAME, col('Status', 'string', 'The status of the namespace'), AGE],
    cells: (ns, now) => [ns.metadata.name ?? '', str(obj(ns.status).phase, ''), age(ns, now)],
  },
  Deployment: {
    columns: [
      NAME,
      col('Ready', 'string', 'Number of the pod with ready state'),
      col(
        'Up-to-date',
        'string',
        'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
      ),
      col(
        'Available',
        'string',
        'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
      ),
      AGE,
      CONTAINERS,
      IMAGES,
      col(
        'Selector',
        'string',
        'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.',
        1,
      ),
    ],
    cells: (d, now) => {
      const spec = obj(d.spec);
      const status = obj(d.status);
      const c = containersOf(obj(spec.template));
      return [
        d.metadata.name ?? '',
        `${num(status.readyReplicas)}/${num(spec.replicas)}`,
        num(status.updatedReplicas),
        num(status.availableReplicas),
        age(d, now),
        c.names,
        c.images,
        selectorText(spec.selector),
      ];
    },
  },
  ReplicaSet: {
    columns: [
      NAME,
      col('Desired', 'integer', 'Replicas is the number of desired replicas.'),
      col('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
      col('Ready', 'integer', 'The number of ready replicas for this replica set.'),
      AGE,
      CONTAINERS,
      IMAGES,
      col('Selector', 'string', 'Selector is a label query over pods that should match the replica count.', 1),
    ],
    cells: (rs, now) => {
      const spec = obj(rs.spec);
      const status = obj(rs.status);
      const c = containersOf(obj(spec.template));
      return [
        rs.metadata.name ?? '',
        num(spec.replicas),
        num(status.replicas),
        num(status.readyReplicas),
        age(rs, now),
        c.names,
        c.images,
        selectorText(spec.selector),
      ];
    },
  },
  StatefulSet: {
    columns: [NAME, col('Ready', 'string', 'Number of the pod with ready state'), AGE, CONTAINERS, IMAGES],
    cells: (s, now) => {
      const spec = obj(s.spec);
      const c = containersOf(obj(spec.template));
      return [
        s.metadata.name ?? '',
        `${num(obj(s.status).readyReplicas)}/${num(spec.replicas)}`,
        age(s, now),
        c.names,
        c.images,
      ];
    },
  },
  DaemonSet: {
    columns: [
      NAME,
      col(
        'Desired',
        'integer',
        'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).',
      ),
      col(
        'Current',
        'integer',
        'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.',
      ),
      col(
        'Ready',
        'integer',
        'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.',
      ),
      col('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
      col(
        'Available',
        'integer',
        'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)',
      ),
      col(
        'Node Selector',
        'string',
        "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/",
      ),
      AGE,
      CONTAINERS,
      IMAGES,
      col(
        'Selector',
        'string',
        'A label query over pods that are managed by the daemon set. Must match in order to be controlled. If empty, defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors',
        1,
      ),
    ],
    cells: (ds, now) => {
      const spec = obj(ds.spec);
      const status = obj(ds.status);
      const template = obj(spec.template);
      const c = containersOf(template);
      const nodeSelector = Object.entries(obj(obj(template.spec).nodeSelector)).map(([k, v]) => `${k}=${String(v)}`);
      return [
        ds.metadata.name ?? '',
        num(status.desiredNumberScheduled),
        num(status.currentNumberScheduled),
        num(status.numberReady),
        num(status.updatedNumberScheduled),
        num(status.numberAvailable),
        nodeSelector.length === 0 ? '<none>' : nodeSelector.join(','),
        age(ds, now),
        c.names,
        c.images,
        selectorText(spec.selector),
      ];
    },
  },
  Job: {
    columns: [
      NAME,
      col('Status', 'string', 'Status of the job.'),
      col('Completions', 'string', 'The completion status of the job, in the format succeeded/completions.'),
      col('Duration', 'string', 'Time required to complete the job.'),
      AGE,
      CONTAINERS,
      IMAGES,
      col('Selector', 'string', 'A label query over pods that should match the pod count.', 1),
    ],
    cells: (job, now) => {
      const spec = obj(job.spec);
      const status = obj(job.status);
      const conditions = arr(status.conditions).filter((c) => c.status === 'True');
      const state = conditions.some((c) => c.type === 'Complete')
        ? 'Complete'
        : conditions.some((c) => c.type === 'Failed')
          ? 'Failed'
          : num(status.active) > 0
            ? 'Running'
            : 'Pending';
      const start = typeof status.startTime === 'string' ? Date.parse(status.startTime) : undefined;
      const end = typeof status.completionTime === 'string' ? Date.parse(status.completionTime) : now;
      const c = containersOf(obj(spec.template));
      return [
        job.metadata.name ?? '',
        state,
        `${num(status.succeeded)}/${typeof spec.completions === 'number' ? spec.completions : 1}`,
        start === undefined ? '' : humanDuration(end - start),
        age(job, now),
        c.names,
        c.images,
        selectorText(spec.selector),
      ];
    },
  },
  CronJob: {
    columns: [
      NAME,
      col('Schedule', 'string', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
      col(
        'Timezone',
        'string',
        'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.',
      ),
      col(
        'Suspend',
        'boolean',
        'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.',
      ),
      col('Active', 'integer', 'A list of pointers to currently running jobs.'),
      col('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'),
      AGE,
      CONTAINERS,
      IMAGES,
      col('Selector', 'string', 'A label query over pods that should match the pod count.', 1),
    ],
    cells: (cj, now) => {
      const spec = obj(cj.spec);
      const status = obj(cj.status);
      const jobTemplate = obj(obj(spec.jobTemplate).spec);
      const c = containersOf(obj(jobTemplate.template));
      return [
        cj.metadata.name ?? '',
        str(spec.schedule, ''),
        str(spec.timeZone),
        spec.suspend === true ? 'True' : 'False',
        arr(status.active).length,
        typeof status.lastScheduleTime === 'string' ? since(status.lastScheduleTime, now) : '<none>',
        age(cj, now),
        c.names,
        c.images,
        selectorText(jobTemplate.selector),
      ];
    },
  },
  Service: {
    columns: [
      NAME,
      col('Type', 'string', 'type determines how the Service is exposed.'),
      col('Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
      col(
        'External-IP',
        'string',
        'List of IP addresses for which nodes in the cluster will also accept traffic for this service.',
      ),
      col('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
      AGE,
      col('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', 1),
    ],
    cells: (svc, now) => {
      const spec = obj(svc.spec);
      const type = str(spec.type, 'ClusterIP');
      const ingress = arr(obj(obj(svc.status).loadBalancer).ingress).map((i) => str(i.ip, str(i.hostname, '')));
      const external =
        Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0
          ? spec.externalIPs.join(',')
          : type === 'LoadBalancer'
            ? ingress.length > 0
              ? ingress.join(',')
              : '<pending>'
            : type === 'ExternalName'
              ? str(spec.externalName)
              : '<none>';
      const ports = arr(spec.ports).map(
        (p) => `${num(p.port)}${typeof p.nodePort === 'number' ? `:${p.nodePort}` : ''}/${str(p.protocol, 'TCP')}`,
      );
      const selector = Object.entries(obj(spec.selector)).map(([k, v]) => `${k}=${String(v)}`);
      return [
        svc.metadata.name ?? '',
        type,
        str(spec.clusterIP),
        external,
        ports.length === 0 ? '<none>' : ports.join(','),
        age(svc, now),
        selector.length === 0 ? '<none>' : selector.join(','),
      ];
    },
  },
  Ingress: {
    columns: [
      NAME,
      col('Class', 'string', 'The name of the IngressClass resource that should be used for this Ingress.'),
      col('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
      col('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
      col('Ports', 'string', 'Ports of TLS configurations that open'),
      AGE,
    ],
    cells: (ing, now) => {
      const spec = obj(ing.spec);
      const hosts = arr(spec.rules).map((r) => str(r.host, '*'));
      const address = arr(obj(obj(ing.status).loadBalancer).ingress).map((i) => str(i.ip, str(i.hostname, '')));
      return [
        ing.metadata.name ?? '',
        str(spec.ingressClassName),
        hosts.length === 0 ? '*' : hosts.join(','),
        address.join(','),
        arr(spec.tls).length > 0 ? '80, 443' : '80',
        age(ing, now),
      ];
    },
  },
  ConfigMap: {
    columns: [NAME, col('Data', 'string', 'Data contains the configuration data.'), AGE],
    cells: (cm, now) => [
      cm.metadata.name ?? '',
      Object.keys(obj(cm.data)).length + Object.keys(obj(cm.binaryData)).length,
      age(cm, now),
    ],
  },
  Secret: {
    columns: [
      NAME,
      col('Type', 'string', 'The type of the secret'),
      col('Data', 'string', 'The number of entries in the secret'),
      AGE,
    ],
    cells: (s, now) => [
      s.metadata.name ?? '',
      str(s.type, 'Opaque'),
      Object.keys(obj(s.data)).length + Object.keys(obj(s.stringData)).length,
      age(s, now),
    ],
  },
  ServiceAccount: {
    columns: [
      NAME,
      col(
        'Secrets',
        'string',
        'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.',
      ),
      AGE,
    ],
    cells: (sa, now) => [sa.metadata.name ?? '', arr(sa.secrets).length, age(sa, now)],
  },
  Endpoints: {
    columns: [NAME, col('Endpoints', 'string', 'Endpoints is the list of endpoints in the service.'), AGE],
    cells: (ep, now) => {
      const list = arr(ep.subsets).flatMap((s) =>
        arr(s.addresses).flatMap((a) => arr(s.ports).map((p) => `${str(a.ip, '')}:${num(p.port)}`)),
      );
      return [
        ep.metadata.name ?? '',
        list.length === 0
          ? '<none>'
          : list.slice(0, 3).join(',') + (list.length > 3 ? ` + ${list.length - 3} more...` : ''),
        age(ep, now),
      ];
    },
  },
  Event: {
    columns: [
      col('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
      col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future.'),
      col(
        'Reason',
        'string',
        "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
      ),
      col('Object', 'string', 'The object that this event is about.'),
      col('Message', 'string', 'A human-readable description of the status of this operation.'),
    ],
    cells: (ev, now) => {
      const involved = obj(ev.involvedObject);
      const last = ev.lastTimestamp ?? ev.eventTime ?? ev.metadata.creationTimestamp;
      return [
        since(last, now),
        str(ev.type, ''),
        str(ev.reason, ''),
        `${str(involved.kind, '').toLowerCase()}/${str(involved.name, '')}`,
        str(ev.message, ''),
      ];
    },
  },
};

/** The default convertor's columns, for kinds without a printer (rest.NewDefaultTableConvertor). */
const DEFAULT_PRINTER: Printer = {
  columns: [
    NAME,
    col(
      'Created At',
      'date',
      'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
    ),
  ],
  cells: (o) => [o.metadata.name ?? '', o.metadata.creationTimestamp ?? null],
};

/** apiextensions' cellForJSONValue: a value of the wrong type for its column prints empty. */
function crdCell(column: PrinterColumn, value: unknown, now: number): Cell {
  if (value === undefined || value === null) return null;
  switch (column.type) {
    case 'string':
      // jsonpath prints maps and lists as JSON, everything else as text.
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date':
      return typeof value !== 'string' ? null : Number.isNaN(Date.parse(value)) ? '<invalid>' : since(value, now);
    default:
      return null;
  }
}

/** The Age column a CRD version without additionalPrinterColumns is printed with. */
const CRD_DEFAULT_COLUMNS: PrinterColumn[] = [
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: AGE.description },
];

function crdPrinter(crd: CustomResourceDefinition, version: string): Printer {
  const declared = crd.spec.versions.find((v) => v.name === version)?.additionalPrinterColumns;
  const columns = declared !== undefined && declared.length > 0 ? declared : CRD_DEFAULT_COLUMNS;
  return {
    columns: [
      NAME,
      ...columns.map((c) =>
        col(
          c.name,
          c.type,
          c.description ?? `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
          c.priority ?? 0,
          c.format ?? '',
        ),
      ),
    ],
    cells: (o, now) => [o.metadata.name ?? '', ...columns.map((c) => crdCell(c, jsonPathValue(o, c.jsonPath), now))],
  };
}

export interface TablePrinter {
  columns: ColumnDefinition[];
  row(o: KubeObject, now: number): Cell[];
}

export function printerFor(kind: string, crd?: { crd: CustomResourceDefinition; version: string }): TablePrinter {
  const p = crd ? crdPrinter(crd.crd, crd.version) : (PRINTERS[kind] ?? DEFAULT_PRINTER);
  return { columns: p.columns, row: p.cells };
}
