/** A StatefulSet (postgres) with its headless Service and a bound volume per replica. */
import type { KubeObject } from '../object-meta';
import { boundVolume, serviceObject } from './core';
import { DAY, type Ids } from './ids';
import { collect, type Placer, pods } from './placement';
import { ownerRef } from './pods';
import { container, podTemplates } from './templates';
import { type PodCounts, statefulSetObject } from './workloads';

export function* postgres(namespace: string, ids: Ids, placer: Placer): Generator<KubeObject> {
  const name = 'postgres';
  const selector = { app: name };
  const created = ids.ago(45 * DAY);
  const uid = ids.uid();
  const revision = `${name}-${ids.suffix(10)}`;
  yield serviceObject(
    { name, namespace, uid: ids.uid(), created, labels: selector },
    'None',
    [{ name: 'postgres', port: 5432, targetPort: 5432 }],
    selector,
  );
  const claimTemplate = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data' },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '20Gi' } },
      storageClassName: 'gp3',
      volumeMode: 'Filesystem',
    },
    status: { phase: 'Pending' },
  };
  const owner = ownerRef('apps/v1', 'StatefulSet', name, uid);
  const podObjects: KubeObject[] = [];
  const counts: PodCounts = { active: 0, ready: 0 };
  let template: object = {};
  for (let ordinal = 0; ordinal < 3; ordinal++) {
    const podName = `${name}-${ordinal}`;
    const claim = { name: `data-${podName}`, namespace, uid: ids.uid(), created, labels: selector };
    for (const object of boundVolume(claim, ids.uid(), '20Gi')) yield object;
    const t = podTemplates(
      {
        containers: [
          container(name, 'postgres:16.6', {
            ports: [{ containerPort: 5432, name: 'postgres', protocol: 'TCP' }],
            env: [
              { name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: 'app-secrets', key: 'db-password' } } },
              { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
            ],
            resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } },
            volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }],
          }),
        ],
        labels: {
          ...selector,
          'apps.kubernetes.io/pod-index': String(ordinal),
          'controller-revision-hash': revision,
          'statefulset.kubernetes.io/pod-name': podName,
        },
        templateLabels: selector,
        serviceAccount: 'default',
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: claim.name } }],
      },
      ids,
    );
    template = t.template;
    const c = yield* collect(
      pods({ namespace, owner, template: t.pod, ageMs: 45 * DAY }, [podName], ['running'], ids, placer),
      podObjects,
    );
    counts.active += c.active;
    counts.ready += c.ready;
  }
  // The StatefulSet's template has no per-pod claim volume: the controller adds it from volumeClaimTemplates.
  const spec = (template as { spec: Record<string, unknown> }).spec;
  const { volumes: _perPod, ...templateSpec } = spec;
  yield statefulSetObject(
    { name, namespace, uid, created, labels: selector },
    selector,
    { ...template, spec: templateSpec },
    name,
    3,
    counts,
    revision,
    [claimTemplate],
  );
  yield* podObjects;
}
