/** kube-system: the kube-proxy and fluent-bit DaemonSets (a pod on every node), and CoreDNS behind kube-dns. */
import type { KubeObject } from '../object-meta';
import { serviceObject } from './core';
import { controllerChain, type DeploymentPlan } from './deployments';
import { DAY, type Ids } from './ids';
import type { NodePlan } from './nodes';
import { collect, generatedNames, type Placer, pods } from './placement';
import { ownerRef } from './pods';
import { container, podTemplates } from './templates';
import { daemonSetObject, type PodCounts } from './workloads';

export function* systemWorkloads(ids: Ids, nodes: readonly NodePlan[], placer: Placer): Generator<KubeObject> {
  const daemons: Array<{
    name: string;
    image: string;
    hostNetwork: boolean;
    shells: string;
    labels: Record<string, string>;
  }> = [
    {
      name: 'kube-proxy',
      image: 'registry.k8s.io/kube-proxy:v1.32.4',
      hostNetwork: true,
      shells: 'sh',
      labels: { 'k8s-app': 'kube-proxy' },
    },
    {
      name: 'fluent-bit',
      image: 'cr.fluentbit.io/fluent/fluent-bit:3.2.2',
      hostNetwork: false,
      shells: '',
      labels: { 'app.kubernetes.io/name': 'fluent-bit' },
    },
  ];
  for (const daemon of daemons) {
    const revision = ids.suffix(10).slice(0, 9);
    const uid = ids.uid();
    const created = ids.ago(90 * DAY);
    const labels = { ...daemon.labels, 'controller-revision-hash': revision, 'pod-template-generation': '1' };
    const t = podTemplates(
      {
        containers: [
          container(daemon.name, daemon.image, { resources: { requests: { cpu: '100m', memory: '64Mi' } } }),
        ],
        labels,
        templateLabels: daemon.labels,
        serviceAccount: daemon.name,
        tolerations: [{ operator: 'Exists' }],
        shells: daemon.shells,
        hostNetwork: daemon.hostNetwork,
        priorityClassName: 'system-node-critical',
      },
      ids,
    );
    const group = {
      namespace: 'kube-system',
      owner: ownerRef('apps/v1', 'DaemonSet', daemon.name, uid),
      template: t.pod,
      ageMs: 90 * DAY,
    };
    const podObjects: KubeObject[] = [];
    const counts: PodCounts = { active: 0, ready: 0 };
    for (const node of nodes) {
      const c = yield* collect(
        pods(group, generatedNames(daemon.name, ids), ['running'], ids, placer, node),
        podObjects,
      );
      counts.active += c.active;
      counts.ready += c.ready;
    }
    yield daemonSetObject(
      { name: daemon.name, namespace: 'kube-system', uid, created, labels: daemon.labels },
      daemon.labels,
      t.template,
      nodes.length,
      counts,
    );
    yield* podObjects;
  }

  // CoreDNS: a Deployment in kube-system behind the kube-dns Service.
  const selector = { 'k8s-app': 'kube-dns' };
  const dns: DeploymentPlan = {
    namespace: 'kube-system',
    name: 'coredns',
    replicas: 2,
    evicted: 0,
    profile: 'healthy',
    ageMs: 90 * DAY,
    revisions: 1,
    hash: ids.suffix(10),
    appIndex: 0,
  };
  const t = podTemplates(
    {
      containers: [
        container('coredns', 'registry.k8s.io/coredns/coredns:v1.11.3', {
          args: ['-conf', '/etc/coredns/Corefile'],
          ports: [
            { containerPort: 53, name: 'dns', protocol: 'UDP' },
            { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' },
            { containerPort: 9153, name: 'metrics', protocol: 'TCP' },
          ],
          resources: { limits: { memory: '170Mi' }, requests: { cpu: '100m', memory: '70Mi' } },
        }),
      ],
      labels: { ...selector, 'pod-template-hash': dns.hash },
      templateLabels: selector,
      serviceAccount: 'coredns',
      shells: '',
      priorityClassName: 'system-cluster-critical',
    },
    ids,
  );
  yield* controllerChain(dns, selector, selector, t.template, t.pod, ids, placer);
  yield serviceObject(
    {
      name: 'kube-dns',
      namespace: 'kube-system',
      uid: ids.uid(),
      created: ids.ago(90 * DAY),
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'CoreDNS' },
    },
    '10.96.0.10',
    [
      { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, targetPort: 53 },
      { name: 'metrics', port: 9153, targetPort: 9153 },
    ],
    selector,
  );
}
