import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configMap, FAULTY, HEALTHY, startFaultStack, type FaultStack } from '../helpers/fault-stack';
import { UI_ORIGIN } from '../helpers/raw-stack';
import { holdWatch, type HeldWatch } from '../helpers/watch-client';

/**
 * 100 watches open through `/raw`, 50 on each of two contexts, when the kubeconfig is rewritten with one of them
 * changed (other credentials) and the other untouched, then reloaded (`PATCH /api/v1/config`).
 */

const PER_CONTEXT = 50;
const GRACE_MS = 300;
const WATCH = '/api/v1/namespaces/default/configmaps?watch=1';

describe('watches across a kubeconfig rewrite', () => {
  let s: FaultStack;
  beforeAll(async () => {
    s = await startFaultStack({ closeGraceMs: GRACE_MS });
  });
  afterAll(() => s.close());

  it('keeps every watch on the unchanged context and ends those on the changed one', async () => {
    const open = (context: string) =>
      Array.from({ length: PER_CONTEXT - 1 }, () => holdWatch(s.url, `/raw/clusters/${context}${WATCH}`));
    // One of each through the app's route (a browser's request, with an Origin), the rest through the fast path.
    const viaApp = (context: string) => holdWatch(s.url, `/raw/clusters/${context}${WATCH}`, { origin: UI_ORIGIN });
    const kept: HeldWatch[] = [...open(HEALTHY), viaApp(HEALTHY)];
    const changed: HeldWatch[] = [...open(FAULTY), viaApp(FAULTY)];
    const all = [...kept, ...changed];
    try {
      s.sim.store.create(configMap('before'));
      await Promise.all(all.map((w) => w.seen('before', 10_000)));
      expect(await Promise.all(all.map((w) => w.opened))).toEqual(all.map(() => 200));

      const [healthy, faulty] = s.specs;
      const start = performance.now();
      // The same cluster, reached with the bearer token instead of the certificate: a changed context.
      expect(await s.rewrite([healthy!, { ...faulty!, user: { token: s.sim.token } }, ...s.specs.slice(2)])).toEqual([
        FAULTY,
      ]);
      const endings = await Promise.all(changed.map((w) => w.ended));
      // Given the registry's grace to finish, then ended as an API server ends a watch: cleanly, not cut.
      expect(endings).toEqual(changed.map(() => 'end'));
      expect(performance.now() - start).toBeLessThan(GRACE_MS + 3_000);

      s.sim.store.create(configMap('after'));
      await Promise.all(kept.map((w) => w.seen('after', 10_000)));
      expect(kept.filter((w) => w.isOver())).toEqual([]);
      for (const w of kept) expect(w.names).toEqual(['before', 'after']);
      for (const w of changed) expect(w.names).toEqual(['before']);
      // The changed context works at once with its new credentials.
      expect((await s.get(`/raw/clusters/${FAULTY}/api/v1/namespaces/default/configmaps/after`)).status).toBe(200);
    } finally {
      for (const w of all) w.close();
    }
  }, 30_000);
});
