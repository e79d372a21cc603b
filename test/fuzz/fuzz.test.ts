import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unexplainedChanges } from './applied';
import { fuzzOnStack, summary, type FuzzRun } from './fuzz-stack';
import { describeFinding } from './run';

/**
 * 10,000 malformed requests from one fixed seed, over raw sockets, across every route of docs/architecture.md's
 * Routes table, the terminal websocket and a `/raw` exec, against one kore-board on a real port in front of the
 * simulated cluster; then 1,000 more against one that wants an access token, so the 401 paths are fuzzed too.
 * `npm run fuzz -- --seed N --count M` runs the same generator for longer (test/fuzz/cli.ts).
 */

const SEED = 14_005;
const TOKEN = 'fuzz-access-token-0123456789abcdef';

const runs: FuzzRun[] = [];
afterAll(async () => {
  for (const run of runs) await run.close();
});

async function kubectlGetPods(raw: string, token: string | undefined): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'fuzz-kubectl-'));
  try {
    // kubectl sends no credential to a plain-HTTP server: the token goes in the path, as the login URL shows.
    const server = token === undefined ? raw : raw.replace('/raw/', `/token/${token}/raw/`);
    const { stdout } = await promisify(execFile)(
      'kubectl',
      ['--kubeconfig', '/dev/null', '--server', server, 'get', 'pods', '-n', 'default', '-o', 'name'],
      { env: { ...process.env, HOME: home, KUBECONFIG: '' }, timeout: 20_000 },
    );
    return stdout;
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

describe.each([
  { count: 10_000, token: undefined, families: 100 },
  { count: 1_000, token: TOKEN, families: 10 },
])(`the fuzzer, seed ${SEED}, $count cases, access token $token`, ({ count, token, families }) => {
  let run: FuzzRun;
  beforeAll(async () => {
    run = await fuzzOnStack(SEED, count, token);
    runs.push(run);
    console.log(summary(run.report, describeFinding));
  }, 240_000);

  it('sends every case, of every family', () => {
    expect(run.report.sent).toBe(count);
    for (const family of [
      'route',
      'request line',
      'pipelining with a malformed request',
      'websocket terminal',
      'websocket terminal signed in',
      'websocket exec',
    ])
      expect(run.report.byFamily.get(family), family).toBeGreaterThan(families);
  });

  it('breaks no rule: an answer to every whole request, each error a Status, documented close codes', () => {
    expect(run.report.findings.map(describeFinding)).toEqual([]);
  });

  it('keeps /healthz answering 200 after every batch of 500', () => {
    expect(run.report.unhealthyAfter).toEqual([]);
  });

  it('leaves nothing half-applied: every object that changed in the cluster was reported written in full', () => {
    expect(unexplainedChanges(run.changes, run.report.written)).toEqual([]);
    expect(run.report.written.keys.size, 'some applies succeed, so the check is not empty').toBeGreaterThan(0);
  });

  it('still serves kubectl through /raw afterwards', async () => {
    expect(await kubectlGetPods(run.stack.raw, token)).toContain('pod/busybox');
  });
});
