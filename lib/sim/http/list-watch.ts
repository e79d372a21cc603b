/**
 * GET on a collection: a list streamed item by item (plain XList or Table), or a watch — chunked JSON lines
 * of ADDED/MODIFIED/DELETED/BOOKMARK events that replay from a resourceVersion and follow the store until
 * the client leaves, `timeoutSeconds` runs out, or the client reads too slowly.
 */
import { StatusError, toStatusError } from '../../errors';
import type { Change } from '../store/event-log';
import type { KubeObject } from '../object-meta';
import type { StoredRecord } from '../store/record';
import type { Filter } from '../store/store';
import { boolParam, filterOf, type HandlerContext } from './context';
import { StreamWriter } from './io';
import { jsonAt, objectAt } from './served-version';
import { isCrdResource } from '../crd/definition';
import { TABLE_CONTENT_TYPE, includeObjectParam, tableHead, tablePrinter, tableRow, wantsTable } from './table';

/** A watcher whose unread output grows past this is cut off, as the API server drops slow watchers. */
const MAX_WATCH_BACKLOG = 16 * 1024 * 1024;
export const BOOKMARK_INTERVAL_MS = 5_000;

function positiveInt(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new StatusError('BadRequest', `invalid value "${value}": must be a non-negative integer`);
  return n;
}

/** A parsed resourceVersion query parameter; "" and "0" mean "any" (no replay point). */
function resourceVersionParam(value: string | null): number | undefined {
  if (value === null || value === '' || value === '0') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new StatusError('BadRequest', `invalid resource version: "${value}"`);
  return n;
}

export async function handleList(ctx: HandlerContext): Promise<void> {
  const { store, route, query } = ctx;
  const filter = filterOf(ctx);
  const limit = positiveInt(query.get('limit'));
  const rv = resourceVersionParam(query.get('resourceVersion'));
  // Lists are served from the current state; an exact older version is history the store no longer has.
  if (rv !== undefined && query.get('resourceVersionMatch') === 'Exact' && String(rv) !== store.resourceVersion) {
    throw new StatusError('Expired', `too old resource version: ${rv} (${store.resourceVersion})`);
  }
  const cont = query.get('continue');
  const page = store.select(route.res, {
    ...filter,
    ...(limit !== undefined ? { limit } : {}),
    ...(cont ? { continue: cont } : {}),
  });
  const metadata: Record<string, unknown> = { resourceVersion: page.resourceVersion };
  if (page.continue !== undefined) metadata.continue = page.continue;
  if (page.remainingItemCount !== undefined) metadata.remainingItemCount = page.remainingItemCount;

  const table = wantsTable(ctx.req.headers.accept);
  ctx.res.writeHead(200, {
    'Content-Type': table ? TABLE_CONTENT_TYPE : 'application/json',
    'Cache-Control': 'no-cache, private',
  });
  const out = new StreamWriter(ctx.res);
  if (table) {
    const printer = tablePrinter(route.res);
    const include = includeObjectParam(query.get('includeObject'));
    const now = store.clock.now();
    await out.write(tableHead(printer, metadata));
    for (let i = 0; i < page.records.length && !out.closed; i++) {
      await out.write(
        (i === 0 ? '' : ',') +
          tableRow(printer, objectAt(route.res, (page.records[i] as StoredRecord).object()), include, now),
      );
    }
  } else {
    await out.write(
      `{"kind":"${route.res.listKind}","apiVersion":"${route.res.apiVersion}","metadata":${JSON.stringify(metadata)},"items":[`,
    );
    for (let i = 0; i < page.records.length && !out.closed; i++) {
      await out.write((i === 0 ? '' : ',') + jsonAt(route.res, page.records[i] as StoredRecord));
    }
  }
  await out.end(']}');
}

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** What a change looks like to a watcher with a filter: moving into or out of the selection is ADDED/DELETED. */
function eventFor(
  ctx: HandlerContext,
  filter: Filter,
  change: Change,
): { type: EventType; record: StoredRecord } | undefined {
  const { store } = ctx;
  const res = ctx.route.res;
  if (change.res.storageKey !== res.storageKey) return undefined;
  const now = store.matches(res, change.record, filter);
  if (change.type !== 'MODIFIED') return now ? { type: change.type, record: change.record } : undefined;
  const before = change.prev !== undefined && store.matches(res, change.prev, filter);
  if (now) return { type: before ? 'MODIFIED' : 'ADDED', record: change.record };
  return before ? { type: 'DELETED', record: change.record } : undefined;
}

export async function handleWatch(ctx: HandlerContext): Promise<void> {
  const { store, route, query, res } = ctx;
  const filter = filterOf(ctx);
  const since = resourceVersionParam(query.get('resourceVersion'));
  const timeoutSeconds = positiveInt(query.get('timeoutSeconds'));
  const bookmarks = boolParam(query, 'allowWatchBookmarks');
  const sendInitialEvents = query.has('sendInitialEvents')
    ? boolParam(query, 'sendInitialEvents')
    : since === undefined;
  const table = wantsTable(ctx.req.headers.accept);
  const printer = table ? tablePrinter(route.res) : undefined;
  const include = includeObjectParam(query.get('includeObject'));

  const encode = (type: EventType, record: StoredRecord): string => {
    if (printer === undefined) return `{"type":"${type}","object":${jsonAt(route.res, record)}}\n`;
    const obj: KubeObject = objectAt(route.res, record.object());
    const head = tableHead(printer, { resourceVersion: String(record.rv) });
    return `{"type":"${type}","object":${head}${tableRow(printer, obj, include, store.clock.now())}]}}\n`;
  };
  const bookmark = (annotations?: Record<string, string>): string => {
    const metadata = {
      resourceVersion: store.resourceVersion,
      creationTimestamp: null,
      ...(annotations ? { annotations } : {}),
    };
    return `{"type":"BOOKMARK","object":${JSON.stringify({ kind: route.res.kind, apiVersion: route.res.apiVersion, metadata })}}\n`;
  };

  // Everything before "live" is gathered synchronously, so no change can slip between replay and subscription.
  let replayed: Change[];
  try {
    replayed = since === undefined ? [] : store.changesSince(since);
  } catch (err) {
    // A watch the server accepted reports a too-old version as an ERROR event on a 200 stream, as kube-apiserver does.
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    res.end(`{"type":"ERROR","object":${JSON.stringify(toStatusError(err).toStatus())}}\n`);
    return;
  }
  const initial = sendInitialEvents ? store.select(route.res, filter).records : [];
  const pending: Change[] = [];
  let live = false;
  let closed = false;
  let timeout: NodeJS.Timeout | undefined;
  let bookmarkTimer: NodeJS.Timeout | undefined;
  let wake: () => void = () => undefined;
  const send = (text: string) => {
    if (closed) return;
    res.write(text);
    if (res.writableLength > MAX_WATCH_BACKLOG) finish();
  };
  // A custom resource's watch ends when its CRD no longer serves it (deleted, or the version withdrawn).
  const served = () =>
    route.res.crd === undefined ||
    store.registry.resolve(route.res.group, route.res.version, route.res.resource) !== undefined;
  const unsubscribe = store.subscribe((change) => {
    if (!live) {
      pending.push(change);
      return;
    }
    const event = eventFor(ctx, filter, change);
    if (event) send(encode(event.type, event.record));
    if (isCrdResource(change.res) && !served()) finish();
  });
  const finish = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    clearTimeout(timeout);
    clearTimeout(bookmarkTimer);
    if (!res.writableEnded) res.end();
    wake();
  };
  res.once('close', finish);

  res.writeHead(200, {
    'Content-Type': table ? TABLE_CONTENT_TYPE : 'application/json',
    'Cache-Control': 'no-cache, private',
  });
  res.flushHeaders();
  if (timeoutSeconds !== undefined && timeoutSeconds > 0) timeout = setTimeout(finish, timeoutSeconds * 1000);

  const out = new StreamWriter(res);
  for (const record of initial) {
    if (closed) break;
    await out.write(encode('ADDED', record));
  }
  for (const change of replayed) {
    if (closed) break;
    const event = eventFor(ctx, filter, change);
    if (event) await out.write(encode(event.type, event.record));
  }
  if (sendInitialEvents && bookmarks && query.has('sendInitialEvents'))
    await out.write(bookmark({ 'k8s.io/initial-events-end': 'true' }));
  await out.flush();
  for (const change of pending) {
    const event = eventFor(ctx, filter, change);
    if (event) send(encode(event.type, event.record));
  }
  pending.length = 0;
  live = true;
  if (!served()) finish();
  if (bookmarks) {
    const tick = () => {
      send(bookmark());
      bookmarkTimer = setTimeout(tick, BOOKMARK_INTERVAL_MS);
    };
    bookmarkTimer = setTimeout(tick, BOOKMARK_INTERVAL_MS);
  }
  if (!closed) await new Promise<void>((resolve) => (wake = resolve));
}
