/**
 * Pod templates: what a controller's spec.template holds, and what its pods look like once admission has
 * added the service-account token volume, default tolerations and priority.
 */
import type { Ids } from './ids';
import { type ContainerImage, type PodTemplate } from './pods';

/** Annotation listing the shells a pod's image has (default "bash,sh"); read by the exec simulator. */
export const SHELLS_ANNOTATION = 'sim.kore-board.dev/shells';

export const SERVICE_ACCOUNT_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The tolerations the DefaultTolerationSeconds admission plugin adds to every pod. */
const DEFAULT_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

export interface Container {
  name: string;
  image: string;
  [field: string]: unknown;
}

export interface TemplateInput {
  containers: Container[];
  /** Labels of the pods (including pod-template-hash and the like). */
  labels: Record<string, string>;
  /** Labels in the controller's template, when they differ from the pods'. */
  templateLabels?: Record<string, string>;
  serviceAccount: string;
  volumes?: object[];
  /** Replaces the admission defaults (DaemonSets tolerate more). */
  tolerations?: object[];
  /** Shells in the image, when not "bash,sh". */
  shells?: string;
  imagePullSecrets?: string[];
  hostNetwork?: boolean;
  restartPolicy?: 'Always' | 'Never' | 'OnFailure';
  priorityClassName?: string;
  qosClass?: PodTemplate['qosClass'];
}

export interface Templates {
  /** spec.template of the controller. */
  template: { metadata: Record<string, unknown>; spec: Record<string, unknown> };
  /** Shared by every pod made from the template. */
  pod: PodTemplate;
}

export function podTemplates(input: TemplateInput, ids: Ids): Templates {
  const annotations = input.shells === undefined ? undefined : { [SHELLS_ANNOTATION]: input.shells };
  const common: Record<string, unknown> = {
    dnsPolicy: input.hostNetwork === true ? 'ClusterFirstWithHostNet' : 'ClusterFirst',
    ...(input.hostNetwork === true ? { hostNetwork: true } : {}),
    ...(input.imagePullSecrets === undefined
      ? {}
      : { imagePullSecrets: input.imagePullSecrets.map((name) => ({ name })) }),
    ...(input.priorityClassName === undefined ? {} : { priorityClassName: input.priorityClassName }),
    restartPolicy: input.restartPolicy ?? 'Always',
    schedulerName: 'default-scheduler',
    securityContext: {},
    serviceAccount: input.serviceAccount,
    serviceAccountName: input.serviceAccount,
    terminationGracePeriodSeconds: 30,
  };
  const token = `kube-api-access-${ids.suffix(5)}`;
  const tokenMount = { name: token, mountPath: SERVICE_ACCOUNT_MOUNT, readOnly: true };
  const withToken = (c: Container): Container => ({
    ...c,
    volumeMounts: [...(Array.isArray(c.volumeMounts) ? (c.volumeMounts as unknown[]) : []), tokenMount],
  });
  const templateMeta: Record<string, unknown> = { labels: input.templateLabels ?? input.labels };
  if (annotations !== undefined) templateMeta.annotations = annotations;
  const volumes = input.volumes ?? [];
  return {
    template: {
      metadata: templateMeta,
      spec: {
        containers: input.containers,
        ...common,
        ...(input.tolerations === undefined ? {} : { tolerations: input.tolerations }),
        ...(volumes.length > 0 ? { volumes } : {}),
      },
    },
    pod: {
      labels: input.labels,
      ...(annotations === undefined ? {} : { annotations }),
      spec: {
        containers: input.containers.map(withToken),
        ...common,
        enableServiceLinks: true,
        preemptionPolicy: 'PreemptLowerPriority',
        priority:
          input.priorityClassName === 'system-node-critical'
            ? 2000001000
            : input.priorityClassName === 'system-cluster-critical'
              ? 2000000000
              : 0,
        tolerations: input.tolerations ?? DEFAULT_TOLERATIONS,
        volumes: [...volumes, tokenVolume(token)],
      },
      images: input.containers.map((c) => imageOf(c.name, c.image, ids)),
      qosClass: input.qosClass ?? 'Burstable',
    },
  };
}

/** The projected service-account token volume that admission adds to every pod. */
function tokenVolume(name: string): object {
  return {
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        {
          downwardAPI: {
            items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
          },
        },
      ],
    },
  };
}

/** The fully qualified image and resolved digest the runtime reports for an image reference. */
function imageOf(name: string, image: string, ids: Ids): ContainerImage {
  const [repo = image, tag = 'latest'] = image.split(':');
  const host = repo.split('/')[0] ?? '';
  const full =
    repo.includes('/') && host.includes('.')
      ? repo
      : repo.includes('/')
        ? `docker.io/${repo}`
        : `docker.io/library/${repo}`;
  return { name, image: `${full}:${tag}`, imageID: `${full}@sha256:${ids.hex(64)}` };
}

/** A container with the fields the API server defaults filled in. */
export function container(name: string, image: string, fields: Record<string, unknown> = {}): Container {
  return {
    name,
    image,
    imagePullPolicy: 'IfNotPresent',
    ...fields,
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
  };
}
