import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { FileWatcher } from '../clusters/host';
import { errorMessage } from '../errors';
import type { Logger } from '../log';

export interface WatchOptions {
  debounceMs: number;
  log: Logger;
}

/**
 * Watches files for edits, deletes and re-creates. Each file's directory is watched too: a watch on
 * the file alone dies with its inode when an editor saves by rename or the file is deleted and written
 * again. Kubernetes ConfigMap/Secret mounts swap a `..data` symlink, so entries named `..*` count too.
 * Bursts of events (an editor's save, a `kubectl config` rewrite) become one call after `debounceMs`.
 */
export function watchFiles(onChange: () => void, options: WatchOptions): FileWatcher {
  const dirWatchers = new Map<string, FSWatcher>();
  const fileWatchers = new Map<string, FSWatcher>();
  const namesByDir = new Map<string, Set<string>>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const trigger = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, options.debounceMs);
  };

  const open = (path: string, listener: (event: string, filename: string | null) => void): FSWatcher | undefined => {
    try {
      const watcher = watch(path, { persistent: false }, listener);
      watcher.on('error', (err) => {
        options.log.debug('file watch ended', { path, error: err.message });
        watcher.close();
        if (dirWatchers.get(path) === watcher) dirWatchers.delete(path);
        if (fileWatchers.get(path) === watcher) fileWatchers.delete(path);
      });
      return watcher;
    } catch (err) {
      // A missing file is normal (KUBECONFIG lists may name absent files); its directory still tells us when it appears.
      options.log.debug('cannot watch', { path, error: errorMessage(err) });
      return undefined;
    }
  };

  return {
    update(paths) {
      if (closed) return;
      const files = [...new Set(paths.map((p) => resolve(p)))];
      namesByDir.clear();
      for (const file of files) {
        const dir = dirname(file);
        const names = namesByDir.get(dir) ?? new Set<string>();
        names.add(basename(file));
        namesByDir.set(dir, names);
      }
      for (const [dir, watcher] of dirWatchers) {
        if (!namesByDir.has(dir)) {
          watcher.close();
          dirWatchers.delete(dir);
        }
      }
      for (const dir of namesByDir.keys()) {
        if (dirWatchers.has(dir)) continue;
        const watcher = open(dir, (_event, filename) => {
          const names = namesByDir.get(dir);
          if (filename === null || filename.startsWith('..') || names?.has(filename)) trigger();
        });
        if (watcher !== undefined) dirWatchers.set(dir, watcher);
      }
      // File watches follow symlinks to their target; re-open them all, the inode may have changed.
      for (const watcher of fileWatchers.values()) watcher.close();
      fileWatchers.clear();
      for (const file of files) {
        const watcher = open(file, trigger);
        if (watcher !== undefined) fileWatchers.set(file, watcher);
      }
    },
    close() {
      closed = true;
      clearTimeout(timer);
      for (const watcher of [...dirWatchers.values(), ...fileWatchers.values()]) watcher.close();
      dirWatchers.clear();
      fileWatchers.clear();
    },
  };
}
