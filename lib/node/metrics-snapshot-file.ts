import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errorMessage } from '../errors';

/**
 * The metrics store's snapshot on disk (lib/metrics/store.ts encodes it). Saved atomically: the bytes go to a temp
 * file beside the target (mode 0600: pod names are the user's data), are synced, then renamed over the target, so a
 * crash or a failed write leaves the old snapshot or the new one, never half of one. A failed save removes its temp.
 */
export async function saveSnapshot(path: string, bytes: Uint8Array): Promise<void> {
  const folder = dirname(path);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const temp = join(folder, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw new Error(`saving the metrics snapshot ${path}: ${errorMessage(err)}`, { cause: err });
  }
}

/** The snapshot's bytes; undefined when there is none yet. */
export async function loadSnapshot(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`reading the metrics snapshot ${path}: ${errorMessage(err)}`, { cause: err });
  }
}
