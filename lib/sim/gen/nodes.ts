/** Generated Nodes: a few machine shapes across three zones, the last few NotReady (kubelet stopped reporting). */
import type { KubeObject } from '../object-meta';
import { DAY, type Ids, MINUTE } from './ids';

export interface NodePlan {
  name: string;
  index: number;
  ready: boolean;
  internalIP: string;
  /** First three octets of the node's pod /24, e.g. "10.64.3". */
  podNet: string;
  zone: string;
}

const SHAPES = [
  {
    instanceType: 'm6i.2xlarge',
    cpu: '8',
    allocatableCpu: '7910m',
    memory: '32386364Ki',
    allocatableMemory: '31371580Ki',
  },
  {
    instanceType: 'm6i.4xlarge',
    cpu: '16',
    allocatableCpu: '15890m',
    memory: '65047500Ki',
    allocatableMemory: '63934748Ki',
  },
  {
    instanceType: 'c6i.xlarge',
    cpu: '4',
    allocatableCpu: '3920m',
    memory: '7824920Ki',
    allocatableMemory: '7070872Ki',
  },
] as const;

const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] as const;

/** vm-live-01 … vm-live-NN; the last ~1% (at least one when there are three or more) are NotReady. */
export function planNodes(count: number): NodePlan[] {
  const width = Math.max(2, String(count).length);
  const notReady = count >= 3 ? Math.max(1, Math.round(count * 0.01)) : 0;
  return Array.from({ length: count }, (_, index) => ({
    name: `vm-live-${String(index + 1).padStart(width, '0')}`,
    index,
    ready: index < count - notReady,
    internalIP: `172.20.${Math.floor(index / 200)}.${10 + (index % 200)}`,
    podNet: `10.${64 + (index >> 8)}.${index & 255}`,
    zone: ZONES[index % ZONES.length] ?? 'eu-west-1a',
  }));
}

export function nodeObject(plan: NodePlan, ids: Ids, podsCapacity: number): KubeObject {
  const shape = SHAPES[plan.index % SHAPES.length] ?? SHAPES[0];
  const created = ids.ago(DAY * (30 + (plan.index % 60)));
  const heartbeat = plan.ready ? ids.ago(ids.int(1, 50) * 1000) : ids.ago(ids.int(20, 300) * MINUTE);
  const condition = (type: string, healthy: [string, string, string], unknown: boolean) => ({
    type,
    status: unknown ? 'Unknown' : healthy[0],
    lastHeartbeatTime: heartbeat,
    lastTransitionTime: unknown ? heartbeat : created,
    reason: unknown ? 'NodeStatusUnknown' : healthy[1],
    message: unknown ? 'Kubelet stopped posting node status.' : healthy[2],
  });
  const lost = !plan.ready;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: plan.name,
      uid: ids.uid(),
      creationTimestamp: created,
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/instance-type': shape.instanceType,
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': plan.name,
        'kubernetes.io/os': 'linux',
        'node.kubernetes.io/instance-type': shape.instanceType,
        'topology.kubernetes.io/region': 'eu-west-1',
        'topology.kubernetes.io/zone': plan.zone,
      },
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: {
      podCIDR: `${plan.podNet}.0/24`,
      podCIDRs: [`${plan.podNet}.0/24`],
      providerID: `aws:///${plan.zone}/i-0${ids.hex(16)}`,
      ...(lost
        ? {
            taints: [
              { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: heartbeat },
              { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: heartbeat },
            ],
          }
        : {}),
    },
    status: {
      capacity: {
        cpu: shape.cpu,
        'ephemeral-storage': '101430960Ki',
        'hugepages-1Gi': '0',
        'hugepages-2Mi': '0',
        memory: shape.memory,
        pods: String(podsCapacity),
      },
      allocatable: {
        cpu: shape.allocatableCpu,
        'ephemeral-storage': '93478772582',
        'hugepages-1Gi': '0',
        'hugepages-2Mi': '0',
        memory: shape.allocatableMemory,
        pods: String(podsCapacity),
      },
      conditions: [
        condition(
          'MemoryPressure',
          ['False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
          lost,
        ),
        condition('DiskPressure', ['False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'], lost),
        condition('PIDPressure', ['False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'], lost),
        condition('Ready', ['True', 'KubeletReady', 'kubelet is posting ready status'], lost),
      ],
      addresses: [
        { type: 'InternalIP', address: plan.internalIP },
        { type: 'InternalDNS', address: `ip-${plan.internalIP.replaceAll('.', '-')}.eu-west-1.compute.internal` },
        { type: 'Hostname', address: plan.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: ids.hex(32),
        systemUUID: ids.uid(),
        bootID: ids.uid(),
        kernelVersion: '6.1.119-129.201.amzn2023.x86_64',
        osImage: 'Amazon Linux 2023.6.20241212',
        containerRuntimeVersion: 'containerd://1.7.23',
        kubeletVersion: 'v1.32.4',
        kubeProxyVersion: 'v1.32.4',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}
