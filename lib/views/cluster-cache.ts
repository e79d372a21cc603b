import type { Clock } from '../clock';
import type { ClusterConnection } from '../clusters/types';
import type { StatusError } from '../errors';
import { Reflector } from '../kube/reflector';
import type { Logger } from '../log';
import { ClusterState, resourceOf, type ViewKind } from './state';

export interface ClusterCacheOptions {
  pageSize: number;
  watchSeconds: number;
  headersTimeoutMs: number | undefined;
  /** See ReflectorOptions.silenceMs. */
  silenceMs: number | undefined;
  backoffMs: { first: number; max: number } | undefined;
  clock: Clock;
  log: Logger;
}

/**
 * A kind the user may not list (403), or that the cluster does not serve (404: an older or trimmed API
 * server): its part of a view stays empty instead of failing the view.
 */
export function isAbsentKind(err: StatusError): boolean {
  return err.code === 403 || err.code === 404;
}

/** Why a kind is missing from a view, or shown stale. */
export interface KindTrouble {
  kind: ViewKind;
  error: StatusError;
  /** The kind's data is absent (forbidden, or never listed) rather than stale. */
  absent: boolean;
  since: number | undefined;
}

/** How current a view's picture is. */
export interface Freshness {
  /** The oldest of its kinds' last word from the cluster (ms since epoch); undefined before any. */
  lastSync: number | undefined;
  /** The first kind whose watch is broken while its last picture is shown, with why and since when. */
  broken: { error: StatusError; since: number | undefined } | undefined;
}

/**
 * One context's watch cache: a reflector per kind, started the first time a view needs that kind, all
 * feeding one ClusterState. Kinds the user may not list stay empty (and are reported); a kind whose
 * watch fails keeps its last picture (and is reported stale) while the reflector retries.
 */
export class ClusterCache {
  readonly state = new ClusterState();
  private readonly reflectors = new Map<ViewKind, Reflector>();

  constructor(
    readonly connection: ClusterConnection,
    private readonly options: ClusterCacheOptions,
  ) {}

  private reflector(kind: ViewKind): Reflector {
    let reflector = this.reflectors.get(kind);
    if (reflector === undefined) {
      reflector = new Reflector({
        connection: this.connection,
        resource: resourceOf(kind),
        sink: this.state.sink(kind),
        log: this.options.log,
        pageSize: this.options.pageSize,
        watchSeconds: this.options.watchSeconds,
        headersTimeoutMs: this.options.headersTimeoutMs,
        silenceMs: this.options.silenceMs,
        backoffMs: this.options.backoffMs,
        clock: this.options.clock,
        onError: (err) => {
          // Access revoked (or the kind withdrawn): what we hold must not be shown any more.
          if (isAbsentKind(err)) this.state.clear(kind);
        },
      });
      this.reflectors.set(kind, reflector);
      reflector.start();
    }
    return reflector;
  }

  /** Kinds being watched (one watch each, while it runs or retries). */
  get watches(): number {
    return this.reflectors.size;
  }

  /** Starts watching the kinds (if not yet) without waiting. */
  watch(kinds: readonly ViewKind[]): void {
    for (const kind of kinds) this.reflector(kind);
  }

  /** Every kind has a complete picture, and none is forbidden or missing. */
  synced(kinds: readonly ViewKind[]): boolean {
    return kinds.every((kind) => {
      const r = this.reflectors.get(kind);
      return r !== undefined && r.synced && (r.lastError === undefined || !isAbsentKind(r.lastError));
    });
  }

  /**
   * Resolves when each kind was listed completely or turned out absent; rejects with the first other
   * failure of a kind never listed yet (the cluster is unreachable, say).
   */
  async ready(kinds: readonly ViewKind[]): Promise<void> {
    await Promise.all(
      kinds.map((kind) =>
        this.reflector(kind)
          .whenSynced()
          .catch((err: StatusError) => {
            if (!isAbsentKind(err)) throw err;
          }),
      ),
    );
  }

  troubles(kinds: readonly ViewKind[]): KindTrouble[] {
    const troubles: KindTrouble[] = [];
    for (const kind of kinds) {
      const r = this.reflectors.get(kind);
      if (r?.lastError === undefined) continue;
      troubles.push({
        kind,
        error: r.lastError,
        absent: isAbsentKind(r.lastError) || !r.synced,
        since: r.failingSince,
      });
    }
    return troubles;
  }

  freshness(kinds: readonly ViewKind[]): Freshness {
    let lastSync: number | undefined;
    let broken: Freshness['broken'];
    for (const kind of kinds) {
      const r = this.reflectors.get(kind);
      if (r === undefined) continue;
      if (r.lastHeard !== undefined && (lastSync === undefined || r.lastHeard < lastSync)) lastSync = r.lastHeard;
      if (broken === undefined && r.synced && r.lastError !== undefined && !isAbsentKind(r.lastError))
        broken = { error: r.lastError, since: r.failingSince };
    }
    return { lastSync, broken };
  }

  close(): void {
    for (const r of this.reflectors.values()) r.stop();
    this.reflectors.clear();
  }
}
