/**
 * The container image, built for real with `npm run image`'s function (mmdebstrap + buildah, no registry), then run
 * with `buildah run` on the host network: its configuration (non-root, health check, entry point), no shell inside,
 * and the demo cluster served through it. Where buildah or mmdebstrap is absent the suite is skipped with the reason
 * (.ci/run installs both).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILDAH, buildImage } from '../../image/build-image.mjs';
import { findOnPath } from '../../lib/node/path-lookup';
import { freePort } from '../helpers/free-port';

const run = promisify(execFile);
const TAG = 'kore-board:test';

const missing = (
  await Promise.all(
    ['buildah', 'mmdebstrap'].map(async (c) => ((await findOnPath(c, process.env.PATH)) === undefined ? [c] : [])),
  )
).flat();
if (missing.length > 0)
  console.warn(`test/image skipped: ${missing.join(' and ')} not installed (apt-get install ${missing.join(' ')})`);

const buildah = (...args: string[]) => run('buildah', [...BUILDAH, ...args], { maxBuffer: 16 * 2 ** 20 });

describe.skipIf(missing.length > 0)('the container image', () => {
  let container: string | undefined;
  let server: ChildProcess | undefined;
  afterAll(async () => {
    server?.kill('SIGKILL');
    if (container !== undefined) await buildah('rm', container);
    await buildah('rmi', TAG).catch(() => undefined);
  });

  /** Runs a command inside the container, on the host's network, as the image's user. */
  const inside = (...command: string[]) => [
    'run',
    '--isolation',
    'chroot',
    '--network',
    'host',
    container!,
    '--',
    ...command,
  ];

  it('is built from Debian packages and the single executable, within the size goal', async () => {
    const { size } = await buildImage(TAG);
    const [amount, unit] = size.split(' ');
    expect(unit).toBe('MB');
    expect(Number(amount)).toBeLessThanOrEqual(150);
    container = (await buildah('from', TAG)).stdout.trim();
  }, 600_000);

  it('runs as a non-root user with a health check, and has no shell', async () => {
    const { stdout } = await buildah('inspect', '--type', 'image', TAG);
    const config = (JSON.parse(stdout) as { Docker: { config: Record<string, unknown> } }).Docker.config;
    expect(config.User).toBe('65532:65532');
    expect(config.Entrypoint).toEqual(['/kore-board']);
    expect(config.Healthcheck).toMatchObject({
      Test: ['CMD', '/kore-board', 'healthcheck', 'http://127.0.0.1:3001/healthz'],
    });
    await expect(buildah(...inside('/bin/sh', '-c', 'true'))).rejects.toThrow(/no such file/);
  });

  it('serves the demo cluster, and its health check says so', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    server = spawn('buildah', [
      ...BUILDAH,
      ...inside('/kore-board', '--demo', '--listen', `127.0.0.1:${port}`, '--auth', 'none'),
    ]);
    let output = '';
    server.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    server.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "listening on" within 60 s:\n${output}`)), 60_000);
      server?.stdout?.on('data', () => {
        if (output.includes('contexts loaded')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const clusters = (await (await fetch(`${url}/api/clusters`)).json()) as { contexts: string[] };
    expect(clusters.contexts).toEqual(['kubernetes-admin@kubernetes']);
    await expect(buildah(...inside('/kore-board', 'healthcheck', `${url}/healthz`))).resolves.toBeDefined();
    server.kill('SIGTERM');
    await new Promise((resolve) => server?.once('exit', resolve));
    // Stopped with it: the health check now fails.
    await expect(buildah(...inside('/kore-board', 'healthcheck', `${url}/healthz`))).rejects.toThrow(/ECONNREFUSED/);
  }, 120_000);
});
