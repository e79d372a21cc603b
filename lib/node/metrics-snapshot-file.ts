import { readFile } from 'node:fs/promises';
import { errorMessage } from '../errors';
import { writeFileAtomic } from './atomic-file';

/**
 * The metrics store's snapshot on disk (lib/metrics/store.ts encodes it), written atomically (./atomic-file.ts).
 */
export async function saveSnapshot(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeFileAtomic(path, bytes);
  } catch (err) {
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
