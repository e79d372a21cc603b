import { randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { errorMessage } from '../errors';

/** A secret kept in the data dir that cannot be used; start-up reports it and exits 2. */
export class DataDirSecretError extends Error {
  override readonly name = 'DataDirSecretError';
}

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException).code ?? errorMessage(err);

/** A file's text, or a DataDirSecretError saying why it cannot be read. */
export async function readSecretFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new DataDirSecretError(`cannot read the ${what} file ${path}: ${codeOf(err)}`);
  }
}

/**
 * A random secret kept at `path` (mode 0600 in a 0700 dir), made once with O_EXCL: two kore-boards starting
 * together on one data dir end up with the same secret, and a restart keeps it.
 */
export async function dataDirSecret(dir: string, path: string, what: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    await writeFile(path, `${randomBytes(32).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new DataDirSecretError(`cannot write the ${what} file ${path}: ${codeOf(err)}`);
  }
  // Another local user who can read it is the owner too: say so rather than serve with a shared secret.
  if (((await stat(path)).mode & 0o077) !== 0)
    throw new DataDirSecretError(`${path} is readable by other users; run: chmod 600 ${path}`);
  return (await readSecretFile(path, what)).trim();
}
