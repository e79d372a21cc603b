import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildExecutable } from '../../build.mjs';
import { DEMO_CONTEXT } from '../../lib/demo-kubeconfig';
import { findOnPath } from '../../lib/node/path-lookup';
import { startProcess, type StartedProcess } from '../helpers/process';
import { fetchToken, openTerminal } from '../terminal/webtty-client';

const work = mkdtempSync(join(tmpdir(), 'kore-sea-build-'));
const started: StartedProcess[] = [];
beforeAll(() => buildExecutable(join(work, 'kore-board')), 120_000);
afterAll(async () => {
  for (const s of started) if (s.child.exitCode === null) await s.stop('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

/** The executable copied alone into a new folder (with `extra` beside it), started in demo mode with this PATH. */
async function startAlone(path: string, extra: (dir: string) => void = () => undefined): Promise<StartedProcess> {
  const alone = mkdtempSync(join(tmpdir(), 'kore-sea-'));
  copyFileSync(join(work, 'kore-board'), join(alone, 'kore-board'));
  extra(alone);
  const home = mkdtempSync(join(tmpdir(), 'kore-home-'));
  const s = await startProcess(join(alone, 'kore-board'), ['--demo', '--listen', '127.0.0.1:0'], {
    cwd: alone,
    env: { PATH: path, HOME: home },
  });
  started.push(s);
  return s;
}

it('serves the demo cluster alone in an empty folder, with no node on the PATH', async () => {
  const s = await startAlone('/nonexistent', (dir) => expect(readdirSync(dir)).toEqual(['kore-board']));
  expect(s.output()).not.toContain('Warning');
  const clusters = (await (await fetch(`${s.url}/api/clusters`, { headers: s.auth })).json()) as {
    contexts: string[];
  };
  expect(clusters.contexts).toEqual([DEMO_CONTEXT]);
  // Apply decodes its body in a worker thread, which the executable starts from the script it carries.
  const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-sea}\ndata: {k: v}\n';
  const applied = await fetch(`${s.url}/raw/clusters/${DEMO_CONTEXT}`, {
    method: 'POST',
    body: manifest,
    headers: { ...s.auth, 'content-type': 'application/yaml' },
  });
  expect(await applied.json()).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'from-sea' }, data: { k: 'v' } });
  // Without node-pty beside it, only the cluster shell is off, and the start says so.
  expect(s.output()).toMatch(/cluster shell off: the cluster shell needs node-pty/);
  const shell = await fetch(`${s.url}/api/terminal/clusters/${DEMO_CONTEXT}/termtype/cluster`, { headers: s.auth });
  expect(shell.status).toBe(501);
  expect(await s.stop('SIGTERM')).toBe(0);
}, 60_000);

it('runs a cluster shell with node-pty from a node_modules folder beside it', async () => {
  // bash and kubectl for the shell, and still no node.
  const bin = mkdtempSync(join(tmpdir(), 'kore-sea-bin-'));
  for (const tool of ['bash', 'kubectl']) {
    const found = await findOnPath(tool, process.env.PATH);
    if (found === undefined) throw new Error(`${tool} is not on the PATH`);
    symlinkSync(found, join(bin, tool));
  }
  const s = await startAlone(bin, (dir) => {
    mkdirSync(join(dir, 'node_modules'));
    cpSync('node_modules/node-pty', join(dir, 'node_modules/node-pty'), { recursive: true });
  });
  expect(s.output()).not.toContain('cluster shell off');
  const token = await fetchToken(`${s.url}/api/terminal/clusters/${DEMO_CONTEXT}/termtype/cluster`, s.auth);
  const terminal = await openTerminal(s.url, token, { headers: s.auth });
  terminal.type('kubectl get nodes\r');
  await terminal.waitForOutput(/vm-live-01\s+Ready/, 20_000);
  terminal.ws.close();
  rmSync(bin, { recursive: true, force: true });
}, 60_000);
