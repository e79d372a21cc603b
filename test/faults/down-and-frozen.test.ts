import { afterEach, describe, expect, it } from 'vitest';
import type { Dashboard, Problem } from '../../lib/views/dashboard';
import { FAULTY, HEALTHY, startFaultStack, type FaultStack } from '../helpers/fault-stack';
import { waitFor } from '../helpers/views-stack';

/**
 * A cluster that goes down (connections refused) or freezes (connections open, nothing passes), reached through
 * the fault gate as context `faulty`, while context `healthy` reaches the same simulated cluster directly.
 */

type Aged = Dashboard & { lastSyncTime?: string; stale: boolean; warnings?: string[] };

const T0 = Date.parse('2026-06-01T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

let stack: FaultStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const board = async (s: FaultStack, context: string) => {
  const res = await s.get(`/api/clusters/${context}/dashboard`);
  return { ...res, body: res.body as Aged };
};

describe('an API server that goes down', () => {
  it('a request through /raw: 502 naming the refused connection at once; the healthy context answers meanwhile', async () => {
    const s = (stack = await startFaultStack());
    await s.gate.down();
    const start = performance.now();
    const res = await s.get(`/raw/clusters/${FAULTY}/api/v1/namespaces`);
    expect(performance.now() - start).toBeLessThan(2_000);
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ kind: 'Status', reason: 'BadGateway', code: 502 });
    expect((res.body as { message: string }).message).toMatch(/context "faulty": .*connection refused/);
    expect((await s.get(`/raw/clusters/${HEALTHY}/api/v1/namespaces`)).status).toBe(200);
    // A view never warmed has nothing to show: the same 502.
    expect((await board(s, FAULTY)).status).toBe(502);
    expect((await board(s, HEALTHY)).status).toBe(200);
  });

  it('a warm dashboard turns stale, names the cluster in its problems, and is fresh again once it is back', async () => {
    let now = T0;
    const s = (stack = await startFaultStack({
      views: { clock: { now: () => now }, backoffMs: { first: 50, max: 200 } },
    }));
    const warm = await board(s, FAULTY);
    expect(warm.status).toBe(200);
    expect(warm.body).toMatchObject({ stale: false, lastSyncTime: iso(T0), problems: [] });
    expect(warm.headers.get('x-kore-stale')).toBe('false');
    // The workload graph's kinds are watched too from here on (a view never asked for has no cache to fall back on).
    expect((await s.get(`/api/clusters/${FAULTY}/graph/workloads`)).status).toBe(200);

    now = T0 + 60_000;
    await s.gate.down();
    let last = warm;
    const took = await waitFor(async () => {
      last = await board(s, FAULTY);
      return last.body.stale && last.body.problems[0]?.reason.includes('connection refused') === true;
    }, 5_000);
    expect(took).toBeLessThan(5_000);
    expect(last.status).toBe(200);
    // The figures are the last known ones, heard at T0; the cluster has been unreachable since T0 + 60 s.
    expect(last.body.lastSyncTime).toBe(iso(T0));
    expect(last.body.problems).toHaveLength(1);
    expect(last.body.problems[0]).toEqual<Problem>({
      kind: 'Cluster',
      namespace: '',
      name: FAULTY,
      reason: expect.stringMatching(
        /^unreachable, showing the last known state: context "faulty": https:\/\/127\.0\.0\.1:\d+: connection refused/,
      ) as string,
      since: '2026-06-01T10:01:00Z',
    });
    expect(last.body.problemsTotal).toBe(1);
    expect(last.headers.get('x-kore-stale')).toBe('true');
    // Every view of the context says so; the graphs (namespace maps) in their headers.
    const topology = await s.get(`/api/clusters/${FAULTY}/topology`);
    expect(topology.body).toMatchObject({ stale: true, lastSyncTime: iso(T0) });
    const workloads = await s.get(`/api/clusters/${FAULTY}/graph/workloads`);
    expect(workloads.status).toBe(200);
    expect(workloads.headers.get('x-kore-stale')).toBe('true');
    expect(workloads.headers.get('x-kore-last-sync-time')).toBe(iso(T0));

    // The other context, on the same cluster, is not touched.
    const healthy = await board(s, HEALTHY);
    expect(healthy.status).toBe(200);
    expect(healthy.body).toMatchObject({ stale: false, lastSyncTime: iso(now), problems: [] });

    now = T0 + 120_000;
    await s.gate.up();
    await waitFor(async () => !(await board(s, FAULTY)).body.stale, 5_000);
    const back = await board(s, FAULTY);
    expect(back.body).toMatchObject({ stale: false, lastSyncTime: iso(now), problems: [] });
  });
});

describe('an API server that freezes', () => {
  it(
    'turns a warm view stale within the silence and timeout bounds, and fresh again when it thaws',
    { timeout: 30_000 },
    async () => {
      const s = (stack = await startFaultStack({
        views: { watchSilenceMs: 1_000, timeoutMs: 3_000, backoffMs: { first: 100, max: 200 } },
      }));
      expect((await board(s, FAULTY)).body.stale).toBe(false);
      expect((await board(s, HEALTHY)).status).toBe(200);
      s.gate.freeze();
      const start = performance.now();
      let last: Awaited<ReturnType<typeof board>> | undefined;
      await waitFor(async () => {
        last = await board(s, FAULTY);
        return last.body.stale;
      }, 10_000);
      // Silence (1 s) then a resumed watch that gets no headers (3 s), with room for a loaded machine.
      expect(performance.now() - start).toBeLessThan(8_000);
      expect(last!.status).toBe(200);
      expect(last!.body.problems[0]).toMatchObject({ kind: 'Cluster', name: FAULTY });
      expect(last!.body.problems[0]!.reason).toMatch(/no answer within 3000 ms/);
      // The same cluster reached directly answers meanwhile (its watches resume every second too: no stale claim here).
      expect((await board(s, HEALTHY)).status).toBe(200);
      expect((await s.get(`/raw/clusters/${HEALTHY}/api/v1/namespaces`)).status).toBe(200);

      s.gate.thaw();
      await waitFor(async () => !(await board(s, FAULTY)).body.stale, 5_000);
    },
  );
});
