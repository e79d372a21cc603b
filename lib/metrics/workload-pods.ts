/**
 * Which pods make up a workload, by owner references as the controllers set them: a Deployment's pods are those of
 * the ReplicaSets it owns; a CronJob is not among the kinds (its pods belong to its Jobs, each a workload of its own).
 * Pure: the caller lists the namespace's pods (and ReplicaSets, for a Deployment).
 */
import * as v from 'valibot';
import { StatusError } from '../errors';
import type { RawObject } from '../views/k8s-types';

/** The resources `…/namespaces/:ns/:resource/:name/metrics` and `/pods` answer for. */
export const WORKLOAD_RESOURCES = ['pods', 'deployments', 'statefulsets', 'daemonsets', 'replicasets', 'jobs'] as const;
export type WorkloadResource = (typeof WORKLOAD_RESOURCES)[number];
/** `:resource` of those routes (/openapi.json documents it from this schema). */
export const WORKLOAD_RESOURCE = v.picklist(WORKLOAD_RESOURCES);

/** The resource named in a path, or a 400 naming the ones served. */
export function workloadResource(text: string): WorkloadResource {
  if (!v.is(WORKLOAD_RESOURCE, text))
    throw new StatusError(
      'BadRequest',
      `metrics are served for ${WORKLOAD_RESOURCES.join(', ')}; not for ${JSON.stringify(text)}`,
    );
  return text;
}

/** Whether the object's controller (or any owner, for objects whose owner set no controller flag) has this uid. */
function ownedBy(object: RawObject, uid: string): boolean {
  const owners = object.metadata?.ownerReferences ?? [];
  const controller = owners.find((o) => o.controller === true);
  return controller !== undefined ? controller.uid === uid : owners.some((o) => o.uid === uid);
}

/**
 * The pods of `workload` (of kind `resource`) among `pods`; `replicaSets` are the namespace's ReplicaSets, read only
 * for a Deployment. A pod is its own single pod.
 */
export function workloadPods<P extends RawObject>(
  resource: WorkloadResource,
  workload: RawObject,
  pods: readonly P[],
  replicaSets: readonly RawObject[] = [],
): P[] {
  const uid = workload.metadata?.uid;
  if (resource === 'pods') return pods.filter((p) => p.metadata?.name === workload.metadata?.name);
  if (uid === undefined) return [];
  if (resource !== 'deployments') return pods.filter((p) => ownedBy(p, uid));
  const owners = new Set(
    replicaSets.filter((rs) => ownedBy(rs, uid)).flatMap((rs) => (rs.metadata?.uid ? [rs.metadata.uid] : [])),
  );
  return pods.filter((p) => [...owners].some((owner) => ownedBy(p, owner)));
}
