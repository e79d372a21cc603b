import type { Authentication } from '../auth/authentication';
import { selfSubjectReview } from '../auth/self-subject-review';
import { tokenAuthentication, userAuthentication } from '../auth/token-authentication';
import type { Clock } from '../clock';
import type { ClusterRegistry } from '../clusters/types';
import { errorMessage } from '../errors';
import type { Logger } from '../log';
import { readTokenFile, type Access } from './access-token';
import { watchFiles } from './file-watch';

/** How long a token file is left to settle after a change before it is read (an editor's save is several events). */
const TOKEN_FILE_DEBOUNCE_MS = 200;

export interface NodeAuthentication {
  auth: Authentication;
  /** Stops watching the token file. */
  close(): void;
}

export interface NodeAuthenticationOptions {
  access: Access;
  /** Shared by every worker, so each accepts the sessions any other minted. */
  sessionSecret: string;
  /** Served over TLS: cookies get `Secure`. Default false. */
  secureCookies?: boolean;
  /** `--auth user` checks tokens with its current context. */
  registry: ClusterRegistry;
  clock: Clock;
  log: Logger;
}

/**
 * One serving process's Authentication. A token file is watched: its tokens are re-read on every change, so tokens
 * are added and revoked without a restart; a file that cannot be read (or holds none) keeps the tokens it had.
 */
export function nodeAuthentication(options: NodeAuthenticationOptions): NodeAuthentication {
  const { access, clock, log, secureCookies = false } = options;
  const sessionSecret = new TextEncoder().encode(options.sessionSecret);
  if (access.mode === 'none') return { auth: { mode: 'none' }, close: () => undefined };
  if (access.mode === 'user')
    return {
      auth: userAuthentication(selfSubjectReview(options.registry), { sessionSecret, clock, secureCookies }),
      close: () => undefined,
    };
  const auth = tokenAuthentication(access.tokens, { sessionSecret, clock, secureCookies });
  const path = access.source === 'file' ? access.path : undefined;
  if (path === undefined) return { auth, close: () => undefined };
  const reread = () =>
    readTokenFile(path).then(
      (tokens) => {
        auth.tokens.replace(tokens);
        log.info('access tokens re-read', { path, count: tokens.length });
      },
      (err: unknown) =>
        log.warn('access token file not re-read; the previous tokens stay', { path, error: errorMessage(err) }),
    );
  const watcher = watchFiles(() => void reread(), { debounceMs: TOKEN_FILE_DEBOUNCE_MS, log });
  watcher.update([path]);
  return { auth, close: () => watcher.close() };
}
