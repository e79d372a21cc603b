import { access, constants, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';

/** Where `name` is found on a PATH list, as a shell would find it (the first executable file); undefined if nowhere. */
export async function findOnPath(name: string, path: string | undefined, delimiter = ':'): Promise<string | undefined> {
  for (const dir of (path ?? '').split(delimiter)) {
    // An empty or relative entry would depend on the working directory, which is the session's HOME.
    if (!isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
