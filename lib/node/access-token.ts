import { join } from 'node:path';
import { MIN_TOKEN_LENGTH, parseTokenList, shortTokenLines } from '../auth/static-tokens';
import type { CliConfig } from './cli';
import { dataDirSecret, DataDirSecretError, readSecretFile } from './data-dir-secret';

/** How callers get in, as start-up resolved it (which decides what start-up may print). */
export type Access =
  | { mode: 'none' }
  | { mode: 'user' }
  | {
      mode: 'token';
      /** The static tokens: one from a flag, the environment or the data dir; any number from a token file. */
      tokens: string[];
      /** `data-dir`: ours, made or read in `<data-dir>/token`; printed in the login URL, as notebook servers do. */
      source: 'value' | 'file' | 'data-dir';
      /** The file they were read from, for `file` and `data-dir`. */
      path?: string;
    };

export const tokenPath = (dataDir: string) => join(dataDir, 'token');

/** The tokens of a token file: one a line, `#` comments; each long enough, at least one. */
export async function readTokenFile(path: string): Promise<string[]> {
  const text = await readSecretFile(path, 'access token');
  const short = shortTokenLines(text);
  if (short.length > 0)
    throw new DataDirSecretError(
      `the access tokens in ${path} must be at least ${MIN_TOKEN_LENGTH} characters (line ${short.join(', ')})`,
    );
  const tokens = parseTokenList(text);
  if (tokens.length === 0) throw new DataDirSecretError(`${path} holds no access token`);
  return tokens;
}

/** The static tokens with `--auth token`; `none` and `user` have none. Throws DataDirSecretError. */
export async function resolveAccess(config: CliConfig): Promise<Access> {
  if (config.auth !== 'token') return { mode: config.auth };
  if (config.authToken !== undefined) return { mode: 'token', tokens: [config.authToken], source: 'value' };
  if (config.authTokenFile !== undefined)
    return {
      mode: 'token',
      tokens: await readTokenFile(config.authTokenFile),
      source: 'file',
      path: config.authTokenFile,
    };
  const path = tokenPath(config.dataDir);
  const token = await dataDirSecret(config.dataDir, path, 'access token');
  if (token.length < MIN_TOKEN_LENGTH)
    throw new DataDirSecretError(`the access token in ${path} must be at least ${MIN_TOKEN_LENGTH} characters`);
  return { mode: 'token', tokens: [token], source: 'data-dir', path };
}

/** `--session-secret`, else the one kept in `<data-dir>/session-secret`, so a restart keeps everyone signed in. */
export async function resolveSessionSecret(config: CliConfig): Promise<string> {
  return (
    config.sessionSecret ?? dataDirSecret(config.dataDir, join(config.dataDir, 'session-secret'), 'session secret')
  );
}
