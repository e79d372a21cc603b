import { randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CliConfig } from './cli';

/** The access token callers present, and where it came from (which decides whether start-up may print it). */
export interface AccessToken {
  token: string;
  /** `data-dir`: ours, made or read in `<data-dir>/token`; printed in the login URL, as notebook servers do. */
  source: 'value' | 'file' | 'data-dir';
  /** The file it was read from, for `file` and `data-dir`. */
  path?: string;
}

/** A token file that cannot be used; start-up reports it and exits 2. */
export class AccessTokenError extends Error {
  override readonly name = 'AccessTokenError';
}

const MIN_LENGTH = 16;

export const tokenPath = (dataDir: string) => join(dataDir, 'token');

async function readTokenFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new AccessTokenError(
      `cannot read the access token file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  const token = text.split('\n')[0]?.trim() ?? '';
  if (token.length < MIN_LENGTH)
    throw new AccessTokenError(`the access token in ${path} must be at least ${MIN_LENGTH} characters`);
  return token;
}

/** Made once, with O_EXCL: two kore-boards starting together on one data dir end up with the same token. */
async function dataDirToken(dataDir: string): Promise<string> {
  const path = tokenPath(dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  try {
    await writeFile(path, `${randomBytes(32).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new AccessTokenError(
        `cannot write the access token file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      );
  }
  // Another local user who can read it is the owner too: say so rather than serve with a shared secret.
  if (((await stat(path)).mode & 0o077) !== 0)
    throw new AccessTokenError(`${path} is readable by other users; run: chmod 600 ${path}`);
  return readTokenFile(path);
}

/** The token every caller must present, or undefined with `--auth none`. */
export async function resolveAccessToken(config: CliConfig): Promise<AccessToken | undefined> {
  if (config.auth === 'none') return undefined;
  if (config.authToken !== undefined) return { token: config.authToken, source: 'value' };
  if (config.authTokenFile !== undefined)
    return { token: await readTokenFile(config.authTokenFile), source: 'file', path: config.authTokenFile };
  return { token: await dataDirToken(config.dataDir), source: 'data-dir', path: tokenPath(config.dataDir) };
}
