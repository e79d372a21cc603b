/**
 * What a port-forward reaches inside a simulated pod: each container listens on the TCP ports it declares,
 * and each of those is an echo server; any other port refuses the connection, reported in the words the
 * kubelet (with containerd) uses.
 */
import { createHash } from 'node:crypto';
import { isObject, type KubeObject } from '../object-meta';

export interface PortForwardTarget {
  /** The ports something listens on. */
  listening: ReadonlySet<number>;
  /** The kubelet's error text for a connection to `port` that nothing accepts. */
  refused(port: number): string;
}

/** The TCP containerPorts a pod's containers declare. */
export function declaredPorts(pod: KubeObject): Set<number> {
  const spec = isObject(pod.spec) ? pod.spec : {};
  const ports = new Set<number>();
  for (const c of Array.isArray(spec.containers) ? spec.containers : []) {
    if (!isObject(c) || !Array.isArray(c.ports)) continue;
    for (const p of c.ports) {
      if (isObject(p) && typeof p.containerPort === 'number' && (p.protocol === undefined || p.protocol === 'TCP'))
        ports.add(p.containerPort);
    }
  }
  return ports;
}

export function portForwardTarget(pod: KubeObject): PortForwardTarget {
  // With a CRI runtime the kubelet names the pod by its sandbox ID and leaves the uid empty.
  const sandbox = createHash('sha256')
    .update(`sandbox/${pod.metadata.uid ?? ''}`)
    .digest('hex');
  const netns = `/var/run/netns/cni-${sandbox.slice(0, 8)}-${sandbox.slice(8, 12)}-${sandbox.slice(12, 16)}-${sandbox.slice(16, 20)}-${sandbox.slice(20, 32)}`;
  return {
    listening: declaredPorts(pod),
    refused: (port) =>
      `error forwarding port ${port} to pod ${sandbox}, uid : failed to execute portforward in network namespace "${netns}": failed to connect to localhost:${port} inside namespace "${sandbox}", IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused IPv6 dial tcp6 [::1]:${port}: connect: connection refused `,
  };
}
