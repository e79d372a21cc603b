import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ClusterRegistry } from '../clusters/types';
import type { ContextStore } from '../contexts/context-store';
import { addContexts, readKubeconfigDoc, removeContext, writeKubeconfigDoc } from '../contexts/own-kubeconfig';
import type { BodyDecoder } from '../decode/decoder';
import { StatusError } from '../errors';
import { writeFileAtomic } from './atomic-file';
import { withFileLock } from './file-lock';

async function readOrEmpty(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

/**
 * The context store backed by `<data-dir>/kubeconfig`, which the registry reads after the user's files.
 * Changes are serialized (also across processes sharing the file), and each is checked by reloading the
 * registry: a context that does not load rolls the file back, so nothing half-works silently.
 * Added contexts may run exec plugins only with `allowExec` (--allow-added-context-exec); never read files.
 * Uploads are decoded and checked by `decoder` (a worker thread), before the lock is taken.
 */
export function fileContextStore(
  path: string,
  registry: ClusterRegistry,
  options: { allowExec: boolean; decoder: BodyDecoder },
): ContextStore {
  let queue: Promise<unknown> = Promise.resolve();
  // In this process one change at a time; across processes the lock, after which the registry is
  // reloaded so that it reflects what the others wrote before this change reads it.
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const locked = () =>
      withFileLock(path, async () => {
        await registry.reload();
        return work();
      });
    const next = queue.then(locked, locked);
    queue = next.catch(() => undefined);
    return next;
  };
  const commit = async (before: string, after: string, check: () => void) => {
    await writeFileAtomic(path, after);
    await registry.reload();
    try {
      check();
    } catch (err) {
      await writeFileAtomic(path, before);
      await registry.reload();
      throw err;
    }
  };

  return {
    path,
    add: async (text) => {
      // The job yields the one checked upload.
      const [upload] = await options.decoder.run('kubeconfigUpload', {
        body: text,
        dir: dirname(path),
        allowExec: options.allowExec,
      });
      return serialized(async () => {
        const before = await readOrEmpty(path);
        const taken = new Set(registry.contexts().map((c) => c.name));
        const { doc, added } = addContexts(readKubeconfigDoc(before), upload!, taken);
        await commit(before, writeKubeconfigDoc(doc), () => {
          const failed = registry.contexts().filter((c) => added.includes(c.name) && c.error !== undefined);
          if (failed.length > 0)
            throw new StatusError(
              'Invalid',
              `the uploaded kubeconfig cannot be used: ${failed.map((c) => `context ${c.name}: ${c.error}`).join('; ')}`,
            );
        });
        return added;
      });
    },
    remove: (name) =>
      serialized(async () => {
        const info = registry.contexts().find((c) => c.name === name);
        if (info === undefined)
          throw new StatusError('NotFound', `context "${name}" not found`, { kind: 'Context', name });
        if (info.source !== path) {
          throw new StatusError(
            'Conflict',
            `context "${name}" lives in ${info.source}; kore-board never rewrites your kubeconfig files, so remove it there`,
            { kind: 'Context', name },
          );
        }
        const before = await readOrEmpty(path);
        await commit(before, writeKubeconfigDoc(removeContext(readKubeconfigDoc(before), name)), () => undefined);
      }),
  };
}
