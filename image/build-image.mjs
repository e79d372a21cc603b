// @ts-check
/**
 * Builds kore-board's container image without a registry: `npm run image [-- TAG]` (default kore-board:0.1.0).
 * The build context (dist/image/) gets the single executable (build.mjs) and a minimal Debian root made from Debian's
 * packages by mmdebstrap (kept there between builds: it takes a minute), and buildah builds the Dockerfile in it —
 * with the vfs storage driver and chroot isolation, which work where no container engine runs, in Docker's format
 * (OCI's has no health check).
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildExecutable } from '../build.mjs';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The storage flags every buildah call of ours passes, so they all see the same images. */
export const BUILDAH = ['--storage-driver', 'vfs'];

/** @param {string} path */
async function exists(path) {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * @param {string} tag
 * @param {{ context?: string, log?: (line: string) => void }} [options]
 * @returns {Promise<{ tag: string, size: string }>} the image's size as buildah reports it, e.g. "111 MB"
 */
export async function buildImage(tag, { context = join(ROOT, 'dist/image'), log = () => undefined } = {}) {
  await mkdir(context, { recursive: true });
  const root = join(context, 'debian-root.tar');
  if (!(await exists(root))) {
    log('making a minimal Debian root with mmdebstrap …');
    await run('mmdebstrap', ['--variant=essential', '--include=libstdc++6', 'bookworm', root], {
      maxBuffer: 64 * 2 ** 20,
    });
  }
  log('building the single executable …');
  await buildExecutable(join(context, 'kore-board'));
  await copyFile(join(ROOT, 'Dockerfile'), join(context, 'Dockerfile'));
  log(`buildah bud -t ${tag} …`);
  await run(
    'buildah',
    [...BUILDAH, 'bud', '--isolation', 'chroot', '--layers=false', '--format', 'docker', '-t', tag, context],
    {
      maxBuffer: 64 * 2 ** 20,
    },
  );
  const { stdout } = await run('buildah', [...BUILDAH, 'images', '--format', '{{.Size}}', tag]);
  return { tag, size: stdout.trim() };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const tag = process.argv[2] ?? 'kore-board:0.1.0';
  const { size } = await buildImage(tag, { log: (line) => console.log(line) });
  console.log(`built ${tag} (${size})`);
}
