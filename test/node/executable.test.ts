import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { buildExecutable } from '../../build.mjs';
import { startProcess, type StartedProcess } from '../helpers/process';

const work = mkdtempSync(join(tmpdir(), 'kore-sea-build-'));
let started: StartedProcess | undefined;
afterAll(async () => {
  if (started?.child.exitCode === null) await started.stop('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

it('builds a single executable that serves the demo cluster alone in an empty folder, with no node on the PATH', async () => {
  await buildExecutable(join(work, 'kore-board'));
  const alone = mkdtempSync(join(tmpdir(), 'kore-sea-'));
  copyFileSync(join(work, 'kore-board'), join(alone, 'kore-board'));
  expect(readdirSync(alone)).toEqual(['kore-board']);

  const home = mkdtempSync(join(tmpdir(), 'kore-home-'));
  started = await startProcess(join(alone, 'kore-board'), ['--demo', '--listen', '127.0.0.1:0'], {
    cwd: alone,
    // Only the binary: no node, no node_modules, no kubeconfig.
    env: { PATH: '/nonexistent', HOME: home },
  });
  expect(started.output()).not.toContain('Warning');
  const clusters = (await (await fetch(`${started.url}/api/clusters`, { headers: started.auth })).json()) as {
    contexts: string[];
  };
  expect(clusters.contexts).toEqual(['kubernetes-admin@kubernetes']);
  // Apply decodes its body in a worker thread, which the executable starts from the script it carries.
  const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-sea}\ndata: {k: v}\n';
  const applied = await fetch(`${started.url}/raw/clusters/kubernetes-admin@kubernetes`, {
    method: 'POST',
    body: manifest,
    headers: { ...started.auth, 'content-type': 'application/yaml' },
  });
  expect(await applied.json()).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'from-sea' }, data: { k: 'v' } });
  expect(await started.stop('SIGTERM')).toBe(0);
}, 120_000);
