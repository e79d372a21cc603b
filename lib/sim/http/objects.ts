/**
 * Single-object verbs and writes: get, create, replace, delete (one or a collection), patch in its four
 * content types, and the status, scale and eviction subresources — each answering with the bodies and
 * Status shapes kube-apiserver uses.
 */
import { StatusError } from '../../errors';
import type { ApiResource } from '../api/resources';
import { isCrdResource, isCustomResource } from '../crd/definition';
import { isObject, notFound, type KubeObject } from '../object-meta';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from '../patch/index';
import { serverSideApply } from '../store/server-side-apply';
import { handleReview, handleTokenRequest, isReview } from './reviews';
import type { DeleteOptions } from '../store/store';
import { boolParam, dryRunParam, filterOf, writeOptions, type HandlerContext } from './context';
import { replaceScale, scaleOf } from './scale';
import { objectAt } from './served-version';
import { mediaType, parseBody, readBody, sendJson, StreamWriter } from './io';
import { TABLE_CONTENT_TYPE, includeObjectParam, tableHead, tablePrinter, tableRow, wantsTable } from './table';

const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

/**
 * Kinds whose DELETE answers with the deleted object; the rest answer a Success Status (ReturnDeletedObject).
 * A CRD answers with itself because its deletion waits on a finalizer (done at once here).
 */
function returnsDeletedObject(res: ApiResource): boolean {
  return (
    res.kind === 'Pod' ||
    res.kind === 'Service' ||
    res.kind === 'Namespace' ||
    isCustomResource(res) ||
    isCrdResource(res)
  );
}

function sendObject(ctx: HandlerContext, code: number, stored: KubeObject): void {
  const obj = objectAt(ctx.route.res, stored);
  if (wantsTable(ctx.req.headers.accept)) {
    const printer = tablePrinter(ctx.route.res);
    const body =
      tableHead(printer, { resourceVersion: obj.metadata.resourceVersion ?? '' }) +
      tableRow(printer, obj, includeObjectParam(ctx.query.get('includeObject')), ctx.store.clock.now()) +
      ']}';
    sendJson(ctx.res, code, body, TABLE_CONTENT_TYPE);
    return;
  }
  sendJson(ctx.res, code, obj);
}

/** The request body as an object of the expected kind (the resource's, or Scale for the scale subresource). */
async function objectBody(
  ctx: HandlerContext,
  expect = { apiVersion: ctx.route.res.apiVersion, kind: ctx.route.res.kind },
): Promise<KubeObject> {
  const body = parseBody(await readBody(ctx.req), mediaType(ctx.req));
  if (!isObject(body))
    throw new StatusError(
      'BadRequest',
      'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf',
    );
  const { res, namespace } = ctx.route;
  if (body.apiVersion !== undefined && body.apiVersion !== expect.apiVersion) {
    throw new StatusError(
      'BadRequest',
      `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${expect.apiVersion})`,
    );
  }
  if (body.kind !== undefined && body.kind !== expect.kind) {
    throw new StatusError(
      'BadRequest',
      `the kind in the data (${String(body.kind)}) does not match the expected kind (${expect.kind})`,
    );
  }
  const metadata = isObject(body.metadata) ? { ...body.metadata } : {};
  if (res.namespaced) {
    if (metadata.namespace !== undefined && metadata.namespace !== '' && metadata.namespace !== namespace) {
      throw new StatusError(
        'BadRequest',
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    metadata.namespace = namespace;
  }
  return { ...body, apiVersion: expect.apiVersion, kind: expect.kind, metadata };
}

export function handleGet(ctx: HandlerContext): void {
  const { res, namespace, name } = ctx.route;
  sendObject(ctx, 200, ctx.store.require(res, namespace, name ?? ''));
}

export async function handleCreate(ctx: HandlerContext): Promise<void> {
  const obj = await objectBody(ctx);
  if (isReview(ctx)) return handleReview(ctx, obj);
  sendObject(ctx, 201, ctx.store.create(obj, writeOptions(ctx), ctx.route.res));
}

function checkUrlName(ctx: HandlerContext, obj: KubeObject): void {
  const name = ctx.route.name ?? '';
  if (obj.metadata.name === undefined || obj.metadata.name === '') obj.metadata.name = name;
  if (obj.metadata.name !== name)
    throw new StatusError(
      'BadRequest',
      `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
    );
}

export async function handleReplace(ctx: HandlerContext): Promise<void> {
  const sub = ctx.route.subresource;
  if (sub === 'scale') return replaceScale(ctx, await objectBody(ctx, { apiVersion: 'autoscaling/v1', kind: 'Scale' }));
  const obj = await objectBody(ctx);
  checkUrlName(ctx, obj);
  const options = sub === 'status' ? { ...writeOptions(ctx), subresource: 'status' as const } : writeOptions(ctx);
  sendObject(ctx, 200, ctx.store.update(obj, options, ctx.route.res));
}

async function deleteOptionsOf(ctx: HandlerContext): Promise<DeleteOptions> {
  const raw = await readBody(ctx.req);
  const body = raw.length === 0 || raw.toString('utf8').trim() === '' ? {} : parseBody(raw, mediaType(ctx.req));
  const b = isObject(body) ? body : {};
  const options: DeleteOptions = {
    dryRun: dryRunParam(ctx.query) || (Array.isArray(b.dryRun) && b.dryRun.includes('All')),
  };
  const policy = ctx.query.get('propagationPolicy') ?? b.propagationPolicy;
  if (policy !== undefined && policy !== null) {
    if (policy !== 'Orphan' && policy !== 'Background' && policy !== 'Foreground') {
      throw new StatusError(
        'Invalid',
        `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${String(policy)}": supported values: "Foreground", "Background", "Orphan", "nil"`,
      );
    }
    options.propagationPolicy = policy;
  }
  if (isObject(b.preconditions)) {
    const pre = b.preconditions;
    options.preconditions = {
      ...(typeof pre.uid === 'string' ? { uid: pre.uid } : {}),
      ...(typeof pre.resourceVersion === 'string' ? { resourceVersion: pre.resourceVersion } : {}),
    };
  }
  return options;
}

function deletedAnswer(res: ApiResource, obj: KubeObject): unknown {
  if (returnsDeletedObject(res)) return obj;
  const details: Record<string, string> = { name: obj.metadata.name ?? '' };
  if (res.group !== '') details.group = res.group;
  details.kind = res.resource;
  details.uid = obj.metadata.uid ?? '';
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}

export async function handleDelete(ctx: HandlerContext): Promise<void> {
  const { res, namespace, name } = ctx.route;
  const obj = ctx.store.delete(res, namespace, name ?? '', await deleteOptionsOf(ctx));
  sendJson(ctx.res, 200, deletedAnswer(res, obj));
}

export async function handleDeleteCollection(ctx: HandlerContext): Promise<void> {
  const { res } = ctx.route;
  const options = await deleteOptionsOf(ctx);
  const records = ctx.store.select(res, filterOf(ctx)).records;
  const out = new StreamWriter(ctx.res);
  ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
  await out.write(
    `{"kind":"${res.listKind}","apiVersion":"${res.apiVersion}","metadata":{"resourceVersion":"${ctx.store.resourceVersion}"},"items":[`,
  );
  let first = true;
  for (const record of records) {
    if (ctx.store.getRecord(res, record.namespace || undefined, record.name) === undefined) continue; // gone with its owner
    const deleted = ctx.store.delete(res, record.namespace || undefined, record.name, options);
    await out.write((first ? '' : ',') + JSON.stringify(deleted));
    first = false;
  }
  await out.end(']}');
}

/** The object after a patch of the given content type; `target` is the object (or Scale) being patched. */
function patched(ctx: HandlerContext, type: string, target: KubeObject, patch: unknown, kind: string): KubeObject {
  let result: unknown;
  switch (type) {
    case 'application/merge-patch+json':
      result = applyMergePatch(target, patch);
      break;
    case 'application/json-patch+json':
      result = applyJsonPatch(target, patch);
      break;
    case 'application/strategic-merge-patch+json':
      if (isCustomResource(ctx.route.res)) throw unsupportedPatch(ctx);
      result = applyStrategicMergePatch(target, patch, kind);
      break;
    default:
      throw unsupportedPatch(ctx);
  }
  if (!isObject(result) || !isObject(result.metadata))
    throw new StatusError('BadRequest', 'the patch produced an object without metadata');
  return result as KubeObject;
}

function unsupportedPatch(ctx: HandlerContext): StatusError {
  const accepted = isCustomResource(ctx.route.res)
    ? PATCH_TYPES.filter((t) => !t.startsWith('application/strategic'))
    : PATCH_TYPES;
  return new StatusError(
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );
}

export async function handlePatch(ctx: HandlerContext): Promise<void> {
  const { res, namespace, subresource } = ctx.route;
  const name = ctx.route.name ?? '';
  const type = mediaType(ctx.req);
  const accepted = isCustomResource(res)
    ? PATCH_TYPES.filter((t) => !t.startsWith('application/strategic'))
    : PATCH_TYPES;
  if (!accepted.includes(type)) throw unsupportedPatch(ctx);
  const body = parseBody(await readBody(ctx.req), type);

  if (type === 'application/apply-patch+yaml') {
    if (subresource !== undefined)
      throw new StatusError('MethodNotAllowed', 'apply patches are only served on the main resource here', {});
    const result = serverSideApply(ctx.store, {
      res,
      namespace,
      name,
      applied: body,
      fieldManager: ctx.query.get('fieldManager'),
      force: boolParam(ctx.query, 'force'),
      dryRun: dryRunParam(ctx.query),
    });
    sendObject(ctx, result.created ? 201 : 200, result.object);
    return;
  }
  const current = ctx.store.get(res, namespace, name);
  if (current === undefined) throw notFound(res, name);
  if (subresource === 'scale') {
    const scale = patched(ctx, type, scaleOf(res, current), body, 'Scale');
    return replaceScale(ctx, scale);
  }
  const next = patched(ctx, type, current, body, res.kind);
  // The URL names the object; a patch cannot move it.
  next.metadata.name = current.metadata.name;
  if (res.namespaced) next.metadata.namespace = current.metadata.namespace;
  const options =
    subresource === 'status' ? { ...writeOptions(ctx), subresource: 'status' as const } : writeOptions(ctx);
  sendObject(ctx, 200, ctx.store.update(next, options, res));
}

/** POST serviceaccounts/<name>/token. */
export async function handleCreateToken(ctx: HandlerContext): Promise<void> {
  handleTokenRequest(ctx, await objectBody(ctx, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest' }));
}

/** POST pods/<name>/eviction: deletes the pod (no disruption budgets are simulated). */
export async function handleEviction(ctx: HandlerContext): Promise<void> {
  const { res, namespace } = ctx.route;
  const name = ctx.route.name ?? '';
  const body = parseBody(await readBody(ctx.req), mediaType(ctx.req));
  const evictionName = isObject(body) && isObject(body.metadata) ? body.metadata.name : undefined;
  if (evictionName !== undefined && evictionName !== name)
    throw new StatusError('BadRequest', `name in URL does not match name in Eviction object`);
  ctx.store.delete(res, namespace, name, { dryRun: dryRunParam(ctx.query) });
  sendJson(ctx.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}
