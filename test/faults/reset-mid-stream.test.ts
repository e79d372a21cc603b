import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configMap, FAULTY, HEALTHY, startFaultStack, type FaultStack } from '../helpers/fault-stack';
import { waitFor } from '../helpers/views-stack';
import { holdWatch } from '../helpers/watch-client';

/** The API server resets every connection it holds (TCP RST) while watches stream through them. */

const WATCH = '/api/v1/namespaces/default/configmaps?watch=1';

describe('a cluster resetting its connections mid-stream', () => {
  let s: FaultStack;
  beforeAll(async () => {
    s = await startFaultStack({ views: { backoffMs: { first: 1_000, max: 1_000 } } });
  });
  afterAll(() => s.close());

  it('ends a /raw watch on that context at once, and not the one on the healthy context', async () => {
    const faulty = holdWatch(s.url, `/raw/clusters/${FAULTY}${WATCH}`);
    const healthy = holdWatch(s.url, `/raw/clusters/${HEALTHY}${WATCH}`);
    // A watch without a resourceVersion starts with the objects there are: this one, whenever it opens.
    s.sim.store.create(configMap('before-reset'));
    await Promise.all([faulty.seen('before-reset', 5_000), healthy.seen('before-reset', 5_000)]);
    expect(await faulty.opened).toBe(200);
    expect(await healthy.opened).toBe(200);

    const start = performance.now();
    s.gate.resetAll();
    // kore-board cannot finish a response whose upstream broke: the client sees the stream cut, not a clean end.
    expect(await faulty.ended).toBe('error');
    expect(performance.now() - start).toBeLessThan(2_000);

    s.sim.store.create(configMap('after-reset'));
    await healthy.seen('after-reset', 5_000);
    expect(healthy.isOver()).toBe(false);
    expect(faulty.names).toEqual(['before-reset']);
    healthy.close();
  });

  it('turns a view stale while its watch is broken, and fresh once it is resumed', async () => {
    const board = async () => (await s.get(`/api/clusters/${FAULTY}/dashboard`)).body as { stale: boolean };
    expect((await board()).stale).toBe(false);
    // The reflector retries a second after the failure: the view is stale for about that long.
    s.gate.resetAll();
    await waitFor(async () => (await board()).stale, 2_000, 10);
    await waitFor(async () => !(await board()).stale, 5_000);
    const ns = await s.get(`/api/clusters/${FAULTY}/topology`);
    expect(ns.body).toMatchObject({ stale: false });
  });
});
