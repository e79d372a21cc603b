import { StatusError, failureStatus, isStatus, type Status } from '../errors';
import type { ApiResource } from '../kube/resource-index';
import type { DiscoveryCache } from '../kube/discovery-cache';
import type { KubeCall, KubeJsonResponse } from '../kube/kube-call';
import { objectJson, type ManifestItem, type ManifestObject } from './manifests';
import { invalidValue, namespaceProblem } from '../kube/names';

export type ApplyMode = 'create' | 'replace' | 'server-side';

export interface ApplyOptions {
  mode: ApplyMode;
  fieldManager: string;
  force: boolean;
  dryRun: boolean;
  /** `?namespace=`: the default for namespaced objects that name none. */
  namespace: string | undefined;
  /** The context's namespace, used when neither the object nor the request names one. */
  contextNamespace: string;
  /** How long to wait for a CRD to become Established before applying what follows it. */
  crdWaitMs: number;
}

/** One object answers as the API server did; several as the items of a List (objects, or Statuses tagged with their index). */
export type ApplyResult = { status: number; object: unknown } | { status: number; items: unknown[] };

type ItemOutcome = { ok: true; status: number; body: unknown } | { ok: false; status: Status };

const CRD_KIND = 'CustomResourceDefinition';
const CRD_GROUP = 'apiextensions.k8s.io';

function collectionPath(r: ApiResource, namespace: string | undefined): string {
  const root = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  return `${root}${namespace === undefined ? '' : `/namespaces/${encodeURIComponent(namespace)}`}/${r.resource}`;
}

function withIndex(status: Status, index: number): Status {
  return { ...status, details: { ...status.details, index } };
}

function asFailure(res: KubeJsonResponse, index: number): Status {
  // The API server's own Status passes through unchanged, only tagged with where it happened.
  if (isStatus(res.body)) return withIndex(res.body, index);
  return failureStatus(res.status, 'InternalError', `unexpected answer ${res.status} from the cluster`, { index });
}

/** The context's namespace (else `default`): it comes from a kubeconfig, and is checked before a path is built from it. */
function contextNamespace(options: ApplyOptions, index: number): string {
  const namespace = options.contextNamespace || 'default';
  const problem = namespaceProblem(namespace);
  if (problem !== undefined) throw invalidValue("the context's namespace", 'namespace', namespace, problem, { index });
  return namespace;
}

/** The namespace an object goes to, following kubectl: the object's own, else --namespace, else the context's. */
function targetNamespace(
  obj: ManifestObject,
  r: ApiResource,
  options: ApplyOptions,
  index: number,
): string | undefined {
  const own = obj.metadata.namespace;
  if (!r.namespaced) {
    if (own !== undefined) {
      throw new StatusError(
        'BadRequest',
        `${obj.kind} "${obj.metadata.name ?? ''}" is cluster-scoped and cannot have a namespace (metadata.namespace: "${own}")`,
        { index, kind: obj.kind },
      );
    }
    return undefined;
  }
  if (own !== undefined && options.namespace !== undefined && own !== options.namespace) {
    throw new StatusError(
      'BadRequest',
      `the namespace from the provided object "${own}" does not match the namespace "${options.namespace}". You must pass namespace=${own} to perform this operation.`,
      { index },
    );
  }
  return own ?? options.namespace ?? contextNamespace(options, index);
}

async function send(
  obj: ManifestObject,
  r: ApiResource,
  namespace: string | undefined,
  options: ApplyOptions,
  call: KubeCall,
): Promise<KubeJsonResponse> {
  const collection = collectionPath(r, namespace);
  const name = obj.metadata.name;
  const dryRun: Record<string, string> = options.dryRun ? { dryRun: 'All' } : {};
  const placed = namespace === undefined ? obj.metadata : { ...obj.metadata, namespace };
  const body = objectJson(obj, placed);
  if (options.mode === 'create' || name === undefined) {
    return call({ method: 'POST', path: collection, query: dryRun, body, contentType: 'application/json' });
  }
  const item = `${collection}/${encodeURIComponent(name)}`;
  if (options.mode === 'server-side') {
    const query = { ...dryRun, fieldManager: options.fieldManager, ...(options.force ? { force: 'true' } : {}) };
    // JSON is YAML, so the object goes as is under the apply-patch media type.
    return call({ method: 'PATCH', path: item, query, body, contentType: 'application/apply-patch+yaml' });
  }
  const current = await call({ method: 'GET', path: item });
  if (current.status === 404)
    return call({ method: 'POST', path: collection, query: dryRun, body, contentType: 'application/json' });
  if (current.status !== 200) return current;
  const resourceVersion =
    obj.metadata.resourceVersion ??
    (current.body as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
  return call({
    method: 'PUT',
    path: item,
    query: dryRun,
    body: objectJson(obj, { ...placed, resourceVersion }),
    contentType: 'application/json',
  });
}

function isEstablished(crd: unknown): boolean {
  const conditions =
    (crd as { status?: { conditions?: Array<{ type?: string; status?: string }> } }).status?.conditions ?? [];
  return conditions.some((c) => c.type === 'Established' && c.status === 'True');
}

/** Waits (bounded) for a CRD the request just applied to serve its kind, so a CR later in the stream can follow it. */
async function awaitEstablished(
  name: string,
  call: KubeCall,
  discovery: DiscoveryCache,
  waitMs: number,
): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const res = await call({
      method: 'GET',
      path: `/apis/${CRD_GROUP}/v1/customresourcedefinitions/${encodeURIComponent(name)}`,
    });
    if (res.status === 200 && isEstablished(res.body)) break;
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  discovery.invalidate();
}

async function applyOne(
  item: Extract<ManifestItem, { object: unknown }>,
  options: ApplyOptions,
  call: KubeCall,
  discovery: DiscoveryCache,
): Promise<ItemOutcome> {
  const obj = item.object;
  try {
    const r = await discovery.resolve(obj.apiVersion, obj.kind);
    if (r === undefined) {
      throw new StatusError('NotFound', `no matches for kind "${obj.kind}" in version "${obj.apiVersion}"`, {
        index: item.index,
        kind: obj.kind,
      });
    }
    const namespace = targetNamespace(obj, r, options, item.index);
    const res = await send(obj, r, namespace, options, call);
    if (res.status >= 300) return { ok: false, status: asFailure(res, item.index) };
    if (r.kind === CRD_KIND && r.group === CRD_GROUP && !options.dryRun && obj.metadata.name !== undefined) {
      await awaitEstablished(obj.metadata.name, call, discovery, options.crdWaitMs);
    }
    return { ok: true, status: res.status, body: res.body };
  } catch (err) {
    if (err instanceof StatusError) return { ok: false, status: withIndex(err.toStatus(), item.index) };
    throw err;
  }
}

/** Applies every object in order, all of them even after a failure. */
export async function applyManifests(
  items: ManifestItem[],
  options: ApplyOptions,
  call: KubeCall,
  discovery: DiscoveryCache,
): Promise<ApplyResult> {
  const outcomes: ItemOutcome[] = [];
  // A document that did not decode needs no cluster, nor a turn of the event loop: 10,000 of them took 26 ms.
  for (const item of items)
    outcomes.push(
      'status' in item ? { ok: false, status: item.status } : await applyOne(item, options, call, discovery),
    );
  if (outcomes.length === 1) {
    const only = outcomes[0]!;
    return only.ok ? { status: only.status, object: only.body } : { status: only.status.code, object: only.status };
  }
  const firstFailure = outcomes.find((o): o is Extract<ItemOutcome, { ok: false }> => !o.ok);
  const allCreated = outcomes.every((o) => o.ok && o.status === 201);
  return {
    status: firstFailure?.status.code ?? (allCreated ? 201 : 200),
    items: outcomes.map((o) => (o.ok ? o.body : o.status)),
  };
}
