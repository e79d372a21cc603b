/** The sizes of kore-board's caches, read at each exposition: the views' objects per context, discovery entries. */
import type { Registry } from 'prom-client';
import { collectedGauge } from './collected-gauge';

export interface CacheSizes {
  /** Objects the views' watch cache holds, per context. */
  viewObjects(): Iterable<readonly [context: string, objects: number]>;
  /** Contexts whose API discovery is cached (loaded or loading). */
  discoveryEntries(): number;
}

export function registerCacheMetrics(registry: Registry, sizes: CacheSizes): void {
  collectedGauge(
    registry,
    'kore_board_view_cache_objects',
    'Objects held by the views cache, per context.',
    ['context'],
    function* () {
      for (const [context, objects] of sizes.viewObjects()) yield [{ context }, objects];
    },
  );
  collectedGauge(
    registry,
    'kore_board_discovery_cache_entries',
    'Contexts whose API discovery is cached (loaded or loading).',
    [],
    () => [[{}, sizes.discoveryEntries()]],
  );
}
