/** Generated core objects: namespaces, service accounts, config, secrets, services, ingresses, volumes. */
import type { KubeObject } from '../object-meta';

interface Meta {
  name: string;
  namespace?: string;
  uid: string;
  created: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

function metadata(meta: Meta): KubeObject['metadata'] {
  const out: KubeObject['metadata'] = { name: meta.name };
  if (meta.namespace !== undefined) out.namespace = meta.namespace;
  out.uid = meta.uid;
  out.creationTimestamp = meta.created;
  if (meta.labels !== undefined) out.labels = meta.labels;
  if (meta.annotations !== undefined) out.annotations = meta.annotations;
  return out;
}

/** Stands in for the cluster CA that every namespace's kube-root-ca.crt carries. */
const ROOT_CA =
  '-----BEGIN CERTIFICATE-----\nMIIBdzCCAR2gAwIBAgIBADAKBggqhkjOPQQDAjAjMSEwHwYDVQQDDBhrOHMtc2lt\nLXNlcnZlci1jYUAxNzAwMDAwMDAwMB4XDTI1MDEwMTAwMDAwMFoXDTM1MDEwMTAw\n-----END CERTIFICATE-----\n';

export function namespaceObject(meta: Meta): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: metadata({ ...meta, labels: { 'kubernetes.io/metadata.name': meta.name, ...meta.labels } }),
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

export function serviceAccountObject(meta: Meta, imagePullSecrets?: string[]): KubeObject {
  const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata(meta) };
  if (imagePullSecrets !== undefined) sa.imagePullSecrets = imagePullSecrets.map((name) => ({ name }));
  return sa;
}

export function rootCaConfigMap(meta: Meta): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadata({
      ...meta,
      annotations: {
        'kubernetes.io/description':
          'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.',
      },
    }),
    data: { 'ca.crt': ROOT_CA },
  };
}

export function configMapObject(meta: Meta, data: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata(meta), data };
}

export function secretObject(meta: Meta, type: string, data: Record<string, string>): KubeObject {
  const encoded: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) encoded[key] = Buffer.from(value).toString('base64');
  return { apiVersion: 'v1', kind: 'Secret', metadata: metadata(meta), type, data: encoded };
}

export interface ServicePort {
  name: string;
  port: number;
  targetPort: number | string;
  protocol?: 'TCP' | 'UDP';
}

/** A ClusterIP Service (`clusterIP: 'None'` for a headless one); no selector for the `kubernetes` service. */
export function serviceObject(
  meta: Meta,
  clusterIP: string,
  ports: ServicePort[],
  selector?: Record<string, string>,
): KubeObject {
  const spec: Record<string, unknown> = {
    clusterIP,
    clusterIPs: [clusterIP],
    internalTrafficPolicy: 'Cluster',
    ipFamilies: ['IPv4'],
    ipFamilyPolicy: 'SingleStack',
    ports: ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP', targetPort: p.targetPort })),
  };
  if (selector !== undefined) spec.selector = selector;
  spec.sessionAffinity = 'None';
  spec.type = 'ClusterIP';
  return { apiVersion: 'v1', kind: 'Service', metadata: metadata(meta), spec, status: { loadBalancer: {} } };
}

export function ingressClassObject(meta: Meta): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: metadata({ ...meta, annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } }),
    spec: { controller: 'k8s.io/ingress-nginx' },
  };
}

export function ingressObject(
  meta: Meta,
  host: string,
  routes: Array<{ path: string; service: string; port: number }>,
  loadBalancerIP: string,
): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: metadata(meta),
    spec: {
      ingressClassName: 'nginx',
      tls: [{ hosts: [host], secretName: `${meta.name}-tls` }],
      rules: [
        {
          host,
          http: {
            paths: routes.map((r) => ({
              path: r.path,
              pathType: 'Prefix',
              backend: { service: { name: r.service, port: { number: r.port } } },
            })),
          },
        },
      ],
    },
    status: { loadBalancer: { ingress: [{ ip: loadBalancerIP }] } },
  };
}

/** A bound claim and the volume provisioned for it. */
export function boundVolume(claim: Meta & { namespace: string }, volumeUid: string, storage: string): KubeObject[] {
  const volumeName = `pvc-${claim.uid}`;
  const pvc: KubeObject = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: metadata({
      ...claim,
      annotations: {
        'pv.kubernetes.io/bind-completed': 'yes',
        'pv.kubernetes.io/bound-by-controller': 'yes',
        'volume.kubernetes.io/storage-provisioner': 'ebs.csi.aws.com',
      },
    }),
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage } },
      storageClassName: 'gp3',
      volumeMode: 'Filesystem',
      volumeName,
    },
    status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage } },
  };
  const pv: KubeObject = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: metadata({
      name: volumeName,
      uid: volumeUid,
      created: claim.created,
      annotations: { 'pv.kubernetes.io/provisioned-by': 'ebs.csi.aws.com' },
    }),
    spec: {
      accessModes: ['ReadWriteOnce'],
      capacity: { storage },
      claimRef: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        name: claim.name,
        namespace: claim.namespace,
        uid: claim.uid,
      },
      csi: {
        driver: 'ebs.csi.aws.com',
        fsType: 'ext4',
        volumeHandle: `vol-0${volumeUid.replaceAll('-', '').slice(0, 16)}`,
      },
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: 'gp3',
      volumeMode: 'Filesystem',
    },
    status: { phase: 'Bound' },
  };
  return [pv, pvc];
}
