/**
 * metrics.k8s.io/v1beta1 as metrics-server serves it (get and list only): NodeMetrics for Ready nodes and
 * PodMetrics for running pods, computed from the stored objects at request time.
 */
import { StatusError } from '../../errors';
import { nodeMetrics, podMetrics, METRICS_API_VERSION } from '../runtime/metrics';
import { notFound } from '../object-meta';
import { filterOf, type HandlerContext } from './context';
import { StreamWriter, methodNotAllowed, sendJson } from './io';

export async function handleMetrics(ctx: HandlerContext): Promise<void> {
  const { store, route } = ctx;
  if (ctx.req.method !== 'GET' || route.subresource !== undefined) throw methodNotAllowed();
  if (ctx.query.has('watch') && ctx.query.get('watch') !== 'false' && ctx.query.get('watch') !== '0')
    throw methodNotAllowed();
  const source = store.resource(route.res.resource === 'nodes' ? 'nodes' : 'pods');
  const measure = (obj: object) =>
    source.kind === 'Node' ? nodeMetrics(obj, store.clock.now()) : podMetrics(obj, store.clock.now());

  if (route.name !== undefined) {
    const obj = store.get(source, route.namespace, route.name);
    const metrics = obj === undefined ? undefined : measure(obj);
    if (metrics === undefined) throw notFound(route.res, route.name);
    sendJson(ctx.res, 200, metrics);
    return;
  }
  const filter = filterOf(ctx);
  if (
    filter.fieldSelector &&
    filter.fieldSelector.some((f) => f.field !== 'metadata.name' && f.field !== 'metadata.namespace')
  ) {
    throw new StatusError(
      'BadRequest',
      'field selectors other than metadata.name and metadata.namespace are not supported',
    );
  }
  const records = store.select(source, filter).records;
  ctx.res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  const out = new StreamWriter(ctx.res);
  await out.write(`{"kind":"${route.res.kind}List","apiVersion":"${METRICS_API_VERSION}","metadata":{},"items":[`);
  let first = true;
  for (const record of records) {
    if (out.closed) break;
    const metrics = measure(record.object());
    if (metrics === undefined) continue;
    await out.write((first ? '' : ',') + JSON.stringify(metrics));
    first = false;
  }
  await out.end(']}');
}
