import { systemClock, type Clock } from '../clock';
import type { ClusterConnection } from '../clusters/types';
import { StatusError, toStatusError } from '../errors';
import type { Logger } from '../log';
import { DEFAULT_PAGE_SIZE, listPages } from './list';
import { resourcePath, type ResourceType } from './resource';
import { isGone, watchEvents } from './watch';

/** Where a reflector delivers what it reads. Objects are raw API objects, as parsed from JSON. */
export interface ReflectorSink {
  /** A full list starts: each object it holds is upserted, then endSync is called. */
  beginSync(): void;
  upsert(object: unknown): void;
  remove(object: unknown): void;
  /** The list is complete: objects not upserted since beginSync no longer exist. */
  endSync(): void;
}

export interface ReflectorOptions {
  connection: ClusterConnection;
  resource: ResourceType;
  sink: ReflectorSink;
  log: Logger;
  pageSize?: number;
  /** Each watch asks the server to end after between this and twice this (client-go: 5–10 min). */
  watchSeconds?: number;
  /** Longest wait for response headers; an unreachable cluster fails the list this fast. */
  headersTimeoutMs?: number;
  /**
   * An open watch silent this long is resumed on a new one (see WatchOptions.silenceMs): a frozen cluster then
   * fails that new watch within headersTimeoutMs. Default: the watch's own timeout plus 30 s.
   */
  silenceMs?: number;
  /** Wall time of lastHeard and failingSince. Default: the system's. */
  clock?: Clock;
  /** Retry delays after failures: doubling from the first to the cap. */
  backoffMs?: { first: number; max: number };
  /** Told of every failure (the reflector keeps retrying); `synced` says whether a list ever completed. */
  onError?: (err: StatusError, synced: boolean) => void;
}

interface Waiter {
  resolve: () => void;
  reject: (err: StatusError) => void;
}

/**
 * Keeps a sink in step with one resource type cluster-wide, as client-go's reflector does: list (paginated),
 * then watch from the list's resourceVersion with bookmarks, resume watches where they ended, and list again
 * when the server answers 410 Gone. Failures are retried with backoff, forever, until stop().
 */
export class Reflector {
  /** A full list has completed at least once: the sink holds a complete picture (maybe stale, see lastError). */
  synced = false;
  /** The failure since the last successful list or watch, if any. */
  lastError: StatusError | undefined;
  /** When lastError first happened (ms since epoch, wall clock). */
  failingSince: number | undefined;
  /** When the cluster last answered: a list page, a watch accepted, an event or a bookmark. */
  lastHeard: number | undefined;
  private stopped = false;
  private started = false;
  private readonly abort = new AbortController();
  private waiters: Waiter[] = [];
  private wake: (() => void) | undefined;
  private readonly path: string;
  private readonly clock: Clock;
  private readonly backoff: { first: number; max: number };
  private delay: number;

  constructor(private readonly options: ReflectorOptions) {
    this.path = resourcePath(options.resource);
    this.clock = options.clock ?? systemClock;
    this.backoff = options.backoffMs ?? { first: 1_000, max: 30_000 };
    this.delay = this.backoff.first;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort();
    this.wake?.();
    this.settle(
      new StatusError(
        'ServiceUnavailable',
        `the ${this.options.resource.plural} cache of context ${JSON.stringify(this.options.connection.context.name)} was closed; try again`,
      ),
    );
  }

  /**
   * Resolves once a full list has completed (at once if one has), rejects when the next list attempt fails.
   * A reflector waiting out a backoff retries at once: someone is waiting for the answer.
   */
  whenSynced(): Promise<void> {
    if (this.synced) return Promise.resolve();
    this.start();
    const promise = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.wake?.();
    return promise;
  }

  private settle(err: StatusError | undefined): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      if (err === undefined) w.resolve();
      else w.reject(err);
    }
  }

  private async run(): Promise<void> {
    const { first, max } = this.backoff;
    let resourceVersion: string | undefined;
    while (!this.stopped) {
      try {
        if (resourceVersion === undefined) resourceVersion = await this.list();
        const started = Date.now();
        const { version, events } = await this.watch(resourceVersion);
        // Its end is no word from the cluster (one given up for silence ends alike): its opening and events were.
        resourceVersion = version;
        // A server that ends every watch at once must not turn this loop into a busy one.
        if (events === 0 && Date.now() - started < 1_000) await this.sleep(first);
      } catch (err) {
        if (this.stopped) return;
        if (isGone(err)) {
          this.options.log.debug('watch expired, listing again', {
            resource: this.options.resource.plural,
            context: this.options.connection.context.name,
          });
          resourceVersion = undefined;
          continue;
        }
        const failure = toStatusError(err);
        // Once access changed, what the sink holds cannot be trusted to resume from: list again.
        if (failure.code === 401 || failure.code === 403) resourceVersion = undefined;
        this.lastError = failure;
        this.failingSince ??= this.clock.now();
        this.options.onError?.(failure, this.synced);
        if (!this.synced) this.settle(failure);
        this.options.log.debug('list/watch failed', {
          resource: this.options.resource.plural,
          context: this.options.connection.context.name,
          error: failure.message,
        });
        await this.sleep(this.delay);
        this.delay = Math.min(this.delay * 2, max);
      }
    }
  }

  /** The cluster answered: whatever failed before is over, and the next failure retries soon again. */
  private heard(): void {
    this.lastHeard = this.clock.now();
    this.lastError = undefined;
    this.failingSince = undefined;
    this.delay = this.backoff.first;
  }

  private async list(): Promise<string> {
    const { sink } = this.options;
    sink.beginSync();
    let resourceVersion = '';
    for await (const page of listPages(this.options.connection, this.path, {
      pageSize: this.options.pageSize ?? DEFAULT_PAGE_SIZE,
      signal: this.abort.signal,
      headersTimeoutMs: this.options.headersTimeoutMs,
    })) {
      for (const item of page.items) sink.upsert(item);
      resourceVersion = page.resourceVersion;
      this.lastHeard = this.clock.now();
    }
    if (this.stopped) return resourceVersion;
    sink.endSync();
    this.synced = true;
    this.heard();
    this.settle(undefined);
    return resourceVersion;
  }

  private async watch(from: string): Promise<{ version: string; events: number }> {
    const { sink } = this.options;
    const base = this.options.watchSeconds ?? 300;
    const timeoutSeconds = base + Math.floor(Math.random() * base);
    let version = from;
    let events = 0;
    for await (const event of watchEvents(this.options.connection, this.path, {
      resourceVersion: from,
      timeoutSeconds,
      signal: this.abort.signal,
      headersTimeoutMs: this.options.headersTimeoutMs,
      silenceMs: this.options.silenceMs,
      onOpen: () => this.heard(),
    })) {
      if (this.stopped) break;
      this.lastHeard = this.clock.now();
      events++;
      version = event.object.metadata?.resourceVersion ?? version;
      if (event.type === 'DELETED') sink.remove(event.object);
      else if (event.type !== 'BOOKMARK') sink.upsert(event.object);
    }
    return { version, events };
  }

  /** Waits out a delay that whenSynced() and stop() can cut short. */
  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      timer.unref?.();
      this.wake = finish;
    });
  }
}
