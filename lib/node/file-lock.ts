import { mkdir, open, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StatusError } from '../errors';

const WAIT_MS = 10_000;
const RETRY_MS = 20;
/** Longer than any change takes: a lock this old was left by a process that died holding it. */
const STALE_MS = 30_000;

async function ageMs(path: string): Promise<number | undefined> {
  try {
    return Date.now() - (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * Runs `work` holding `<path>.lock`, an exclusively created file: the other worker processes, or another
 * kore-board sharing the data directory, change the same file, and a read-modify-write by two of them
 * at once would silently drop one change.
 */
export async function withFileLock<T>(path: string, work: () => Promise<T>): Promise<T> {
  const lock = `${path}.lock`;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      await (await open(lock, 'wx', 0o600)).close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = await ageMs(lock);
      if (age !== undefined && age > STALE_MS) await rm(lock, { force: true });
      else if (Date.now() > deadline)
        throw new StatusError(
          'ServiceUnavailable',
          `another change to ${path} has held ${lock} for over ${WAIT_MS / 1000} s; try again`,
        );
      else await sleep(RETRY_MS);
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { force: true });
  }
}
