/**
 * The scale subresource: the autoscaling/v1 Scale view of a workload (spec.replicas, status.replicas, the
 * selector), or of a custom resource through the paths its CRD version declares.
 */
import { StatusError } from '../../errors';
import type { ApiResource } from '../api/resources';
import type { ScaleSubresource } from '../crd/definition';
import { jsonPathValue, setJsonPathValue } from '../api/json-path';
import { isObject, type KubeObject } from '../object-meta';
import { writeOptions, type HandlerContext } from './context';
import { sendJson } from './io';

/** Built-in workloads keep their replicas where a CRD would declare them; the selector comes from matchLabels. */
const WORKLOAD_PATHS: ScaleSubresource = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' };

function pathsOf(res: ApiResource): ScaleSubresource {
  return res.crd?.spec.versions.find((v) => v.name === res.version)?.subresources?.scale ?? WORKLOAD_PATHS;
}

function matchLabelsSelector(obj: KubeObject): string {
  const selector = isObject(obj.spec) && isObject(obj.spec.selector) ? obj.spec.selector : {};
  const labels = isObject(selector.matchLabels) ? selector.matchLabels : {};
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');
}

function selectorOf(res: ApiResource, obj: KubeObject, paths: ScaleSubresource): string | undefined {
  if (res.crd === undefined) return matchLabelsSelector(obj);
  if (paths.labelSelectorPath === undefined) return undefined;
  const value = jsonPathValue(obj, paths.labelSelectorPath);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The autoscaling/v1 Scale view of an object. */
export function scaleOf(res: ApiResource, obj: KubeObject): KubeObject {
  const paths = pathsOf(res);
  const specReplicas = jsonPathValue(obj, paths.specReplicasPath);
  const statusReplicas = jsonPathValue(obj, paths.statusReplicasPath);
  const selector = selectorOf(res, obj, paths);
  const { name, namespace, uid, resourceVersion, creationTimestamp } = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, ...(res.namespaced ? { namespace } : {}), uid, resourceVersion, creationTimestamp },
    // A workload without spec.replicas has been defaulted to 1; a custom resource without it has 0.
    spec: { replicas: typeof specReplicas === 'number' ? specReplicas : res.crd === undefined ? 1 : 0 },
    status: {
      replicas: typeof statusReplicas === 'number' ? statusReplicas : 0,
      ...(selector !== undefined ? { selector } : {}),
    },
  };
}

export function handleGetScale(ctx: HandlerContext): void {
  const { res, namespace, name } = ctx.route;
  sendJson(ctx.res, 200, scaleOf(res, ctx.store.require(res, namespace, name ?? '')));
}

/** Writes a Scale back: its spec.replicas goes to the object's replicas path. */
export function replaceScale(ctx: HandlerContext, scale: KubeObject): void {
  const { res, namespace } = ctx.route;
  const name = ctx.route.name ?? '';
  const replicas = isObject(scale.spec) ? scale.spec.replicas : undefined;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw new StatusError(
      'Invalid',
      `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
      {
        name,
        group: 'autoscaling',
        kind: 'Scale',
        causes: [
          {
            reason: 'FieldValueInvalid',
            message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
            field: 'spec.replicas',
          },
        ],
      },
    );
  }
  const wantRv = scale.metadata.resourceVersion;
  const updated = ctx.store.mutate(
    res,
    namespace,
    name,
    (obj) => {
      if (wantRv) obj.metadata.resourceVersion = wantRv;
      setJsonPathValue(obj, pathsOf(res).specReplicasPath, replicas);
    },
    writeOptions(ctx),
  );
  sendJson(ctx.res, 200, scaleOf(res, updated));
}
