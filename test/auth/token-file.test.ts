/**
 * `--auth-token-file`: one token a line (blank lines and `#` comments skipped), re-read when the file changes, so
 * tokens are added and revoked without a restart; a file that turns unusable keeps the tokens it had.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { systemClock } from '../../lib/clock';
import type { TokenAuthentication } from '../../lib/auth/authentication';
import { silentLogger } from '../../lib/log';
import { readTokenFile } from '../../lib/node/access-token';
import { nodeAuthentication, type NodeAuthentication } from '../../lib/node/node-authentication';
import type { ClusterRegistry } from '../../lib/clusters/types';

const FIRST = 'first-token-of-the-file-0001';
const SECOND = 'second-token-of-the-file-002';
let dir: string;
let path: string;
let watched: NodeAuthentication;
let auth: TokenAuthentication;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kore-token-file-'));
  path = join(dir, 'tokens');
  await writeFile(path, `# who may use kore-board\n${FIRST}\n\n  ${SECOND}  \n`, { mode: 0o600 });
  watched = nodeAuthentication({
    access: { mode: 'token', tokens: await readTokenFile(path), source: 'file', path },
    sessionSecret: 'a session secret of at least 32 characters',
    secureCookies: false,
    registry: {} as ClusterRegistry, // token mode never asks a cluster
    clock: systemClock,
    log: silentLogger,
  });
  if (watched.auth.mode !== 'token') throw new Error('token mode expected');
  auth = watched.auth;
});
afterAll(async () => {
  watched?.close();
  await rm(dir, { recursive: true, force: true });
});

it('reads every token line, skipping comments and blank lines', async () => {
  expect(await readTokenFile(path)).toEqual([FIRST, SECOND]);
  expect(auth.tokens.matches(FIRST) && auth.tokens.matches(SECOND)).toBe(true);
  expect(auth.tokens.matches('# who may use kore-board')).toBe(false);
});

it('takes a rewrite without a restart: a removed token is refused, an added one accepted', async () => {
  const THIRD = 'third-token-added-later-0003';
  await writeFile(path, `${SECOND}\n${THIRD}\n`);
  // The watcher's event is the file system's: waited for, within a bound.
  await vi.waitFor(() => expect(auth.tokens.matches(THIRD)).toBe(true), { timeout: 5_000, interval: 50 });
  expect(auth.tokens.matches(FIRST)).toBe(false);
  expect(auth.tokens.matches(SECOND)).toBe(true);
});

it('keeps the tokens it had when the file turns unusable (a short token, or none)', async () => {
  await writeFile(path, 'short\n');
  await expect(readTokenFile(path)).rejects.toThrow(/at least 16 characters \(line 1\)/);
  await writeFile(path, '# nothing\n');
  await expect(readTokenFile(path)).rejects.toThrow(/holds no access token/);
  const FOURTH = 'fourth-token-after-a-bad-one-04';
  await writeFile(path, `${FOURTH}\n`);
  await vi.waitFor(() => expect(auth.tokens.matches(FOURTH)).toBe(true), { timeout: 5_000, interval: 50 });
  expect(auth.tokens.matches(SECOND)).toBe(false);
});
