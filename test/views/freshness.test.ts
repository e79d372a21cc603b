import { describe, expect, it } from 'vitest';
import { StatusError } from '../../lib/errors';
import { dashboard } from '../../lib/views/dashboard';
import { withFreshness } from '../../lib/views/store';
import { fixtureState } from '../helpers/views-stack';

describe('a view’s age in its body', () => {
  it('is appended to the rendered object, the time left out before the cluster ever answered', () => {
    expect(JSON.parse(withFreshness('{"a":1}', '2026-06-01T10:00:00.000Z', false))).toEqual({
      a: 1,
      lastSyncTime: '2026-06-01T10:00:00.000Z',
      stale: false,
    });
    expect(JSON.parse(withFreshness('{}', undefined, true))).toEqual({ stale: true });
  });
});

describe('the dashboard of an unreachable cluster', () => {
  const broken = {
    error: new StatusError('BadGateway', 'context "c": https://10.0.0.1:6443: connection refused (ECONNREFUSED)'),
    since: Date.parse('2026-06-01T10:01:00Z'),
  };

  it('names the cluster first among the problems, within the limit, and counts it', () => {
    const tally = fixtureState().tally;
    const healthy = dashboard(tally, 2);
    const board = dashboard(tally, 2, { context: 'c', broken });
    expect(board.problems).toEqual([
      {
        kind: 'Cluster',
        namespace: '',
        name: 'c',
        reason:
          'unreachable, showing the last known state: context "c": https://10.0.0.1:6443: connection refused (ECONNREFUSED)',
        since: '2026-06-01T10:01:00Z',
      },
      healthy.problems[0],
    ]);
    expect(board.problemsTotal).toBe(healthy.problemsTotal + 1);
    expect(dashboard(tally, 2, { context: 'c', broken: undefined })).toEqual(healthy);
  });
});
