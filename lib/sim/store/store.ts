/**
 * The simulated cluster's state: every object by resource, one global resourceVersion counter, and the
 * change window watches replay from. All writes (HTTP or direct, from tests) go through here, so they are
 * validated the same way and emit the same watch events.
 */
import { randomUUID } from 'node:crypto';
import { StatusError } from '../../errors';
import { systemClock, type Clock } from '../../clock';
import { ResourceRegistry, type ApiResource } from '../api/resources';
import { EventLog, type Change, type ChangeType } from './event-log';
import { StoredRecord } from './record';
import {
  alreadyExists,
  conflict,
  errorDetails,
  isObject,
  normalizeObject,
  notFound,
  validateObject,
  type KubeObject,
} from '../object-meta';
import { matchesFields, matchesLabels, pinnedName, type FieldSelector, type LabelSelector } from './selectors';
import { fieldValueOf, isIndexedField } from './selectable-fields';
import { PodLogs } from '../runtime/pod-logs';
import { asCrd, isCrdResource, isCustomResource, type CustomResourceDefinition } from '../crd/definition';
import { admitCrd } from '../crd/controller';
import { applyStructuralSchema } from '../crd/schema';
import { managedEntry, withManager } from './managed-fields';
import { applyCreateDefaults, applyUpdateDefaults, companionsOf, type DefaultsContext } from './defaults';

export interface WriteOptions {
  /** dryRun=All: validate and answer as if written, store nothing. */
  dryRun?: boolean;
  fieldManager?: string;
}

export interface DeleteOptions {
  dryRun?: boolean;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface Filter {
  namespace?: string;
  labelSelector?: LabelSelector;
  fieldSelector?: FieldSelector;
}

export interface ListQuery extends Filter {
  limit?: number;
  continue?: string;
}

export interface ListPage {
  records: StoredRecord[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface StoreOptions {
  clock?: Clock;
  /** How many past changes a watch can replay (default 10,000). */
  watchWindow?: number;
  /** What the store serves (default: the built-in resources, plus those of the CRDs it is given). */
  registry?: ResourceRegistry;
  /** The cluster CA, published in every namespace's kube-root-ca.crt ConfigMap. */
  caPem?: string;
}

/** The objects of one resource, with a sorted key index built on demand (lists page in key order). */
class Table {
  readonly records = new Map<string, StoredRecord>();
  private sorted: string[] | undefined;

  constructor(readonly res: ApiResource) {}

  set(key: string, record: StoredRecord): void {
    if (!this.records.has(key)) this.sorted = undefined;
    this.records.set(key, record);
  }

  delete(key: string): void {
    if (this.records.delete(key)) this.sorted = undefined;
  }

  keys(): string[] {
    this.sorted ??= [...this.records.keys()].sort();
    return this.sorted;
  }
}

/** First index in sorted `keys` whose key is > `after` (or >= `from`). */
function lowerBound(keys: readonly string[], target: string, strict: boolean): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const k = keys[mid] as string;
    if (k < target || (strict && k === target)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

function encodeContinue(rv: number, lastKey: string): string {
  // The same shape the real server's token decodes to; clients treat it as opaque.
  return Buffer.from(
    JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: `${lastKey}\u0000` } satisfies ContinueToken),
  ).toString('base64url');
}

function decodeContinue(token: string): ContinueToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new StatusError('BadRequest', 'continue key is not valid: illegal base64 data');
  }
  const t = parsed as Partial<ContinueToken>;
  if (!isObject(parsed) || t.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string') {
    throw new StatusError(
      'BadRequest',
      'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
    );
  }
  return t as ContinueToken;
}

const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function randomSuffix(length = 5): string {
  let out = '';
  for (let i = 0; i < length; i++) out += GENERATE_ALPHABET[Math.floor(Math.random() * GENERATE_ALPHABET.length)];
  return out;
}

/** Everything outside metadata and status: what bumps metadata.generation when it changes. */
function specOf(obj: KubeObject): string {
  const { metadata: _m, status: _s, ...rest } = obj;
  return JSON.stringify(rest);
}

export type ChangeListener = (change: Change) => void;

export class SimStore {
  readonly registry: ResourceRegistry;
  readonly clock: Clock;
  readonly logs: PodLogs;
  private readonly tables = new Map<string, Table>();
  private readonly events: EventLog;
  private readonly listeners = new Set<ChangeListener>();
  /** How many objects name each owner UID: deletes only scan for dependents of owners that have some. */
  private readonly dependents = new Map<string, number>();
  private rv = 1000;
  /** The resourceVersion of each resource's last write (by storage key): lets readers rebuild derived state only on change. */
  private readonly lastWrite = new Map<string, number>();
  /** Cluster IPs for new Services, from 10.96.100.1 (clear of the fixtures' well-known ones). */
  private readonly caPem: string;
  private nextServiceIp = 100 * 256 + 1;

  constructor(options: StoreOptions = {}) {
    this.registry = options.registry ?? new ResourceRegistry();
    this.clock = options.clock ?? systemClock;
    this.events = new EventLog(options.watchWindow ?? 10_000);
    this.logs = new PodLogs(this.clock);
    this.caPem = options.caPem ?? '';
  }

  /** The latest resourceVersion (what a list returns). */
  get resourceVersion(): string {
    return String(this.rv);
  }

  /** A resource by kubectl-style name (`pods`, `deploy`, `deployments.apps`) or an ApiResource itself. */
  resource(ref: string | ApiResource): ApiResource {
    if (typeof ref !== 'string') return ref;
    const res = this.registry.find(ref);
    if (res === undefined) throw new StatusError('NotFound', `the server doesn't have a resource type "${ref}"`);
    return res;
  }

  private table(res: ApiResource): Table {
    let table = this.tables.get(res.storageKey);
    if (table === undefined) {
      table = new Table(this.registry.find(res.storageKey) ?? res);
      this.tables.set(res.storageKey, table);
    }
    return table;
  }

  private keyOf(res: ApiResource, namespace: string | undefined, name: string): string {
    return res.namespaced ? `${namespace ?? ''}/${name}` : name;
  }

  getRecord(ref: string | ApiResource, namespace: string | undefined, name: string): StoredRecord | undefined {
    const res = this.resource(ref);
    return this.tables.get(res.storageKey)?.records.get(this.keyOf(res, namespace, name));
  }

  get(ref: string | ApiResource, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.getRecord(ref, namespace, name)?.object();
  }

  /** Like get, but a missing object is the NotFound Status the API server answers. */
  require(ref: string | ApiResource, namespace: string | undefined, name: string): KubeObject {
    const res = this.resource(ref);
    const obj = this.get(res, namespace, name);
    if (obj === undefined) throw notFound(res, name);
    return obj;
  }

  /** Whether a record passes a filter (namespace, label and field selectors). */
  matches(res: ApiResource, record: StoredRecord, filter: Filter): boolean {
    if (
      filter.namespace !== undefined &&
      filter.namespace !== '' &&
      res.namespaced &&
      record.namespace !== filter.namespace
    )
      return false;
    if (filter.labelSelector && filter.labelSelector.length > 0 && !matchesLabels(filter.labelSelector, record.labels))
      return false;
    if (filter.fieldSelector && filter.fieldSelector.length > 0) {
      let parsed: KubeObject | undefined;
      const value = (field: string): string => {
        if (field === 'metadata.name') return record.name;
        if (field === 'metadata.namespace') return record.namespace;
        if (isIndexedField(res.kind, field)) return record.fields?.[field] ?? '';
        parsed ??= record.object();
        return fieldValueOf(parsed, field);
      };
      if (!matchesFields(filter.fieldSelector, value)) return false;
    }
    return true;
  }

  /** One page of a list, in key order; `continue` resumes after the last key of the previous page. */
  select(ref: string | ApiResource, query: ListQuery = {}): ListPage {
    const res = this.resource(ref);
    const table = this.tables.get(res.storageKey);
    const resourceVersion = String(this.rv);
    if (table === undefined) return { records: [], resourceVersion };

    let keys = table.keys();
    let begin = 0;
    let end = keys.length;
    const namespace = res.namespaced && query.namespace ? query.namespace : undefined;
    if (namespace !== undefined) {
      begin = lowerBound(keys, `${namespace}/`, false);
      end = lowerBound(keys, `${namespace}0`, false); // '0' is the character after '/'
    }
    const pinned = query.fieldSelector ? pinnedName(query.fieldSelector) : undefined;
    if (pinned !== undefined && (namespace !== undefined || !res.namespaced)) {
      const key = this.keyOf(res, namespace, pinned);
      keys = table.records.has(key) ? [key] : [];
      begin = 0;
      end = keys.length;
    }
    if (query.continue) {
      const token = decodeContinue(query.continue);
      if (token.rv < this.events.oldestResumable(this.rv)) {
        throw new StatusError(
          'Expired',
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
        );
      }
      begin = Math.max(begin, lowerBound(keys, token.start.replace(/\u0000$/, ''), true));
    }

    const limit = query.limit !== undefined && query.limit > 0 ? query.limit : Infinity;
    const filtered = (query.labelSelector?.length ?? 0) > 0 || (query.fieldSelector?.length ?? 0) > 0;
    const records: StoredRecord[] = [];
    let i = begin;
    for (; i < end && records.length < limit; i++) {
      const record = table.records.get(keys[i] as string);
      if (record !== undefined && this.matches(res, record, query)) records.push(record);
    }
    // Skip non-matching keys so a page never ends with a token that leads only to an empty page.
    if (filtered) {
      while (i < end) {
        const record = table.records.get(keys[i] as string);
        if (record !== undefined && this.matches(res, record, query)) break;
        i++;
      }
    }
    const page: ListPage = { records, resourceVersion };
    const last = records[records.length - 1];
    if (i < end && last !== undefined) {
      page.continue = encodeContinue(this.rv, last.key);
      if (!filtered) page.remainingItemCount = end - i;
    }
    return page;
  }

  /** Objects of a resource (all pages), for tests and in-process callers. */
  list(ref: string | ApiResource, filter: Filter = {}): KubeObject[] {
    return this.select(ref, filter).records.map((r) => r.object());
  }

  count(ref: string | ApiResource): number {
    return this.tables.get(this.resource(ref).storageKey)?.records.size ?? 0;
  }

  private defaultsContext(): DefaultsContext {
    return {
      now: () => new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      pickNode: () => {
        const nodes = this.tables.get('/nodes');
        if (nodes === undefined) return undefined;
        const ready: string[] = [];
        for (const record of nodes.records.values()) {
          if (record.json.includes('"type":"Ready","status":"True"') && !record.json.includes('"unschedulable":true'))
            ready.push(record.name);
        }
        return ready[Math.floor(Math.random() * ready.length)];
      },
      allocateServiceIp: () => {
        const n = this.nextServiceIp++;
        return `10.96.${(n >> 8) & 255}.${n & 255}`;
      },
    };
  }

  private commit(res: ApiResource, type: ChangeType, record: StoredRecord, prev: StoredRecord | undefined): void {
    const table = this.table(res);
    this.lastWrite.set(res.storageKey, record.rv);
    if (type === 'DELETED') table.delete(record.key);
    else table.set(record.key, record);
    this.countOwners(prev, -1);
    if (type !== 'DELETED') this.countOwners(record, 1);
    // Discovery and routing change with the CRD before anyone hears of it, as the handlers follow the informer.
    if (isCrdResource(res)) this.registry.putCrd(record.name, type === 'DELETED' ? undefined : asCrd(record.object()));
    const change: Change =
      prev === undefined ? { type, rv: record.rv, res, record } : { type, rv: record.rv, res, record, prev };
    this.events.push(change);
    for (const listener of this.listeners) listener(change);
  }

  /** Resolves the resource an object body belongs to (its apiVersion and kind). */
  resourceFor(obj: KubeObject): ApiResource {
    const res = this.registry.forKind(obj.apiVersion, obj.kind);
    if (res === undefined)
      throw new StatusError('BadRequest', `no matches for kind "${obj.kind}" in version "${obj.apiVersion}"`);
    return res;
  }

  private checkNamespace(res: ApiResource, obj: KubeObject): void {
    if (!res.namespaced) {
      delete obj.metadata.namespace;
      return;
    }
    const ns = obj.metadata.namespace;
    if (ns === undefined || ns === '')
      throw new StatusError('BadRequest', 'the server could not find the requested resource (namespace is required)');
    const nsRecord = this.getRecord('namespaces', undefined, ns);
    if (nsRecord === undefined) throw notFound(this.resource('namespaces'), ns);
    if (nsRecord.json.includes('"phase":"Terminating"')) {
      throw new StatusError(
        'Forbidden',
        `${res.resource} "${obj.metadata.name ?? ''}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
        errorDetails(res, obj.metadata.name ?? ''),
      );
    }
  }

  create(input: KubeObject, options: WriteOptions = {}, resource?: ApiResource): KubeObject {
    const res = resource ?? this.resourceFor(input);
    const obj: KubeObject = structuredClone(input);
    obj.apiVersion = res.apiVersion;
    obj.kind = res.kind;
    obj.metadata = { ...obj.metadata };
    const meta = obj.metadata;
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSuffix()}`;
    if (res.crd !== undefined) applyStructuralSchema(obj, res.crd, res.version);
    validateObject(res, obj);
    this.checkNamespace(res, obj);
    const ctx = this.defaultsContext();
    if (isCrdResource(res)) admitCrd(res, obj, undefined, this.crds(), ctx.now());
    const name = meta.name as string;
    if (this.getRecord(res, meta.namespace, name) !== undefined) throw alreadyExists(res, name);

    meta.uid = randomUUID();
    meta.creationTimestamp = ctx.now();
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    if ('spec' in obj || isCustomResource(res)) meta.generation = 1;
    else delete meta.generation;
    if (options.fieldManager)
      meta.managedFields = [managedEntry(options.fieldManager, 'Update', res.apiVersion, ctx.now())];
    applyCreateDefaults(obj, ctx);
    if (options.dryRun) return normalizeObject(obj);

    meta.resourceVersion = String(++this.rv);
    const stored = normalizeObject(obj);
    this.commit(res, 'ADDED', StoredRecord.of(stored), undefined);
    for (const companion of companionsOf(stored, this.caPem)) this.create(companion);
    return stored;
  }

  /**
   * Replaces an object (PUT). A resourceVersion in the body must match the stored one (else Conflict).
   * `subresource: 'status'` takes only the status from the body; the main resource keeps the stored status
   * when the kind has a status subresource, as the real registries do.
   */
  update(
    input: KubeObject,
    options: WriteOptions & { subresource?: 'status' } = {},
    resource?: ApiResource,
  ): KubeObject {
    const res = resource ?? this.resourceFor(input);
    const name = input.metadata?.name ?? '';
    const existingRecord = this.getRecord(res, res.namespaced ? input.metadata.namespace : undefined, name);
    if (existingRecord === undefined) throw notFound(res, name);
    const existing = existingRecord.object();
    const wantRv = input.metadata.resourceVersion;
    if (wantRv !== undefined && wantRv !== '' && wantRv !== existing.metadata.resourceVersion)
      throw conflict(res, name);

    let next: KubeObject;
    if (options.subresource === 'status') {
      next = { ...existing, status: structuredClone(input.status) };
    } else {
      next = structuredClone(input);
      next.apiVersion = res.apiVersion;
      next.kind = res.kind;
      if (res.subresources.has('status')) {
        if (existing.status === undefined) delete next.status;
        else next.status = existing.status;
      }
    }
    const meta: Record<string, unknown> = { ...next.metadata };
    next.metadata = meta;
    for (const key of ['uid', 'creationTimestamp', 'namespace', 'name', 'generation']) {
      if (existing.metadata[key] === undefined) delete meta[key];
      else meta[key] = existing.metadata[key];
    }
    meta.resourceVersion = existing.metadata.resourceVersion;
    if (res.crd !== undefined) applyStructuralSchema(next, res.crd, res.version);
    validateObject(res, next);
    const ctx = this.defaultsContext();
    if (isCrdResource(res)) admitCrd(res, next, existing, this.crds(), ctx.now());
    if (existing.metadata.generation !== undefined && specOf(next) !== specOf(existing))
      meta.generation = existing.metadata.generation + 1;
    applyUpdateDefaults(next, existing, ctx);
    // A write that changes nothing keeps its resourceVersion (and managedFields) and emits no event, like the real server.
    if (JSON.stringify(normalizeObject(next)) === existingRecord.json) return existing;
    if (options.fieldManager)
      meta.managedFields = withManager(
        meta.managedFields as unknown[] | undefined,
        managedEntry(options.fieldManager, 'Update', res.apiVersion, ctx.now(), options.subresource),
      );
    const normalized = normalizeObject(next);
    if (options.dryRun) return normalized;
    normalized.metadata.resourceVersion = String(++this.rv);
    this.commit(res, 'MODIFIED', StoredRecord.of(normalized), existingRecord);
    return normalized;
  }

  /** Reads, lets `change` edit a copy, and writes it back (a convenience for tests and the sim itself). */
  mutate(
    ref: string | ApiResource,
    namespace: string | undefined,
    name: string,
    change: (obj: KubeObject) => KubeObject | void,
    options: WriteOptions & { subresource?: 'status' } = {},
  ): KubeObject {
    const res = this.resource(ref);
    const current = this.require(res, namespace, name);
    const edited = change(current) ?? current;
    return this.update(edited, options, res);
  }

  delete(
    ref: string | ApiResource,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
  ): KubeObject {
    const res = this.resource(ref);
    const record = this.getRecord(res, namespace, name);
    if (record === undefined) throw notFound(res, name);
    const obj = record.object();
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== record.uid) {
      throw conflict(
        res,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${record.uid}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== String(record.rv)) {
      throw conflict(
        res,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${record.rv}`,
      );
    }
    if (options.dryRun) return obj;

    if (res.storageKey === '/namespaces') this.deleteNamespaceContents(name);
    if (isCrdResource(res)) this.deleteCustomResources(asCrd(obj));
    if (options.propagationPolicy !== 'Orphan') this.deleteDependents(record.uid);
    obj.metadata.resourceVersion = String(++this.rv);
    const final = normalizeObject(obj);
    this.commit(res, 'DELETED', StoredRecord.of(final), record);
    return final;
  }

  /** A namespace's contents go with it (the namespace controller's job, done at once here). */
  private deleteNamespaceContents(namespace: string): void {
    for (const table of this.tables.values()) {
      if (!table.res.namespaced) continue;
      const keys = table.keys();
      const inNamespace = keys.slice(
        lowerBound(keys, `${namespace}/`, false),
        lowerBound(keys, `${namespace}0`, false),
      );
      for (const key of inNamespace) {
        const record = table.records.get(key);
        if (record !== undefined) this.delete(table.res, namespace, record.name, { propagationPolicy: 'Orphan' });
      }
    }
  }

  /**
   * A CRD's custom resources go before it (the finalizer the apiextensions server puts on every CRD), each
   * with a DELETED event; then its storage is dropped.
   */
  private deleteCustomResources(crd: CustomResourceDefinition): void {
    const storageKey = `${crd.spec.group}/${crd.status?.acceptedNames.plural || crd.spec.names.plural}`;
    // Only what the CRD itself served: never a built-in resource it clashed with.
    const table = this.registry.find(storageKey)?.crd === undefined ? undefined : this.tables.get(storageKey);
    if (table === undefined) return;
    for (const key of [...table.keys()]) {
      const record = table.records.get(key);
      if (record !== undefined) this.delete(table.res, record.namespace || undefined, record.name);
    }
    this.tables.delete(storageKey);
  }

  /** Every stored CRD (few: parsing them on each CRD write is cheap). */
  private crds(): CustomResourceDefinition[] {
    return this.list('customresourcedefinitions').map(asCrd);
  }

  /** Garbage collection of objects owned by `uid` (background propagation, done at once). */
  private deleteDependents(uid: string): void {
    if (!this.dependents.has(uid)) return;
    for (const table of this.tables.values()) {
      const owned = [...table.records.values()].filter((r) => r.owners?.includes(uid));
      for (const dep of owned) {
        if (table.records.has(dep.key)) this.delete(table.res, dep.namespace || undefined, dep.name);
      }
    }
  }

  private countOwners(record: StoredRecord | undefined, delta: 1 | -1): void {
    for (const uid of record?.owners ?? []) {
      const n = (this.dependents.get(uid) ?? 0) + delta;
      if (n <= 0) this.dependents.delete(uid);
      else this.dependents.set(uid, n);
    }
  }

  /**
   * Loads objects as they are (fixtures, generators): no events, consecutive resourceVersions. A CRD without
   * a status is established as of its creation, so the objects after it may be its custom resources.
   */
  load(objects: Iterable<KubeObject>): void {
    const ctx = this.defaultsContext();
    for (const input of objects) {
      const res = this.resourceFor(input);
      const meta = { ...input.metadata };
      meta.uid ??= randomUUID();
      meta.creationTimestamp ??= ctx.now();
      meta.resourceVersion = String(++this.rv);
      if (meta.generation === undefined && 'spec' in input) meta.generation = 1;
      const crd = isCrdResource(res);
      // Only a CRD is edited here (defaults, status), so only a CRD is copied first.
      const loaded: KubeObject = {
        ...(crd ? structuredClone(input) : input),
        apiVersion: res.apiVersion,
        kind: res.kind,
        metadata: meta,
      };
      if (crd && loaded.status === undefined) admitCrd(res, loaded, undefined, this.crds(), meta.creationTimestamp);
      const obj = normalizeObject(loaded);
      const record = StoredRecord.of(obj);
      this.table(res).set(this.keyOf(res, meta.namespace, meta.name ?? ''), record);
      this.lastWrite.set(res.storageKey, this.rv);
      this.countOwners(record, 1);
      if (crd) this.registry.putCrd(record.name, asCrd(obj));
    }
  }

  /** The resourceVersion of the last write to a resource's objects (0 when none was written). */
  lastWriteOf(ref: string | ApiResource): number {
    return this.lastWrite.get(this.resource(ref).storageKey) ?? 0;
  }

  /** How many subscribers (open watches, log follows, ...) are listening: tests check none leak. */
  get subscriberCount(): number {
    return this.listeners.size;
  }

  /** Every change from now on (unfiltered); returns the unsubscribe function. */
  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The changes after `resourceVersion` still in the window, for a watch to replay; a 410 Expired
   * "too old resource version" when some have left it.
   */
  changesSince(resourceVersion: number): Change[] {
    const changes = this.events.since(resourceVersion, this.rv);
    if (changes === undefined) {
      throw new StatusError(
        'Expired',
        `too old resource version: ${resourceVersion} (${this.events.oldestResumable(this.rv)})`,
      );
    }
    return changes;
  }
}
