import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startProcess, type StartedProcess } from '../helpers/process';

let started: StartedProcess | undefined;
afterAll(async () => {
  if (started?.child.exitCode === null) await started.stop('SIGKILL');
});

it('bundles into one file that runs alone in an empty folder (demo mode)', async () => {
  execFileSync(process.execPath, ['build.mjs', 'mjs'], { stdio: 'pipe' });
  const alone = mkdtempSync(join(tmpdir(), 'kore-bundle-'));
  copyFileSync('dist/kore-board.mjs', join(alone, 'kore-board.mjs'));
  expect(readdirSync(alone)).toEqual(['kore-board.mjs']);

  const home = mkdtempSync(join(tmpdir(), 'kore-home-'));
  started = await startProcess(process.execPath, ['kore-board.mjs', '--demo', '--listen', '127.0.0.1:0'], {
    cwd: alone,
    // No NODE_PATH, no HOME kubeconfig: only the file itself.
    env: { PATH: process.env.PATH, HOME: home },
  });
  const clusters = (await (await fetch(`${started.url}/api/clusters`, { headers: started.auth })).json()) as {
    contexts: string[];
  };
  expect(clusters.contexts).toEqual(['kubernetes-admin@kubernetes']);
  // Apply decodes its body in a worker thread, which the bundle starts from its own file.
  const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-bundle}\ndata: {k: v}\n';
  const applied = await fetch(`${started.url}/raw/clusters/kubernetes-admin@kubernetes`, {
    method: 'POST',
    body: manifest,
    headers: { ...started.auth, 'content-type': 'application/yaml' },
  });
  expect(await applied.json()).toMatchObject({
    kind: 'ConfigMap',
    metadata: { name: 'from-bundle' },
    data: { k: 'v' },
  });
  expect(await started.stop('SIGTERM')).toBe(0);
}, 60_000);
