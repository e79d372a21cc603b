import { tmpdir } from 'node:os';
import { StatusError } from '../errors';
import type { ClusterRegistry } from '../clusters/types';
import type { Logger } from '../log';
import type { ClusterShell, TerminalProcess, TerminalSize } from '../terminal/types';
import { findOnPath } from './path-lookup';
import { loadPty, type PtyModuleSource } from './pty-module';
import { startShellSession, type ShellSession } from './shell-session';

/**
 * The web terminal's cluster shell: kubectl in a shell on a local PTY, one private HOME per session holding a
 * kubeconfig with that one context (lib/node/shell-session.ts). It runs commands on this host with kore-board's
 * rights, so it is offered only on loopback unless `--terminal-shell` says otherwise.
 */
export interface ClusterShellOptions {
  registry: ClusterRegistry;
  /** The address kore-board listens on. */
  listenHost: string;
  /** `--terminal-shell`: offer the shell while listening beyond loopback too. */
  beyondLoopback: boolean;
  log: Logger;
  /** The environment the shell's is made from. Default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where sessions' HOMEs are made. Default: the system's temporary directory. */
  tmpDir?: string;
  /** The PTY module. Default: node-pty. */
  ptyModule?: PtyModuleSource;
}

export interface LocalClusterShell extends ClusterShell {
  /** Ends every open session and resolves once their processes and HOMEs are gone; no session starts after. */
  close(): Promise<void>;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

async function shellCommand(path: string | undefined): Promise<{ file: string; args: string[] } | undefined> {
  const [bash, sh] = await Promise.all([findOnPath('bash', path), findOnPath('sh', path)]);
  // No profile or rc file: the session's HOME holds none, and the system's could print or prompt anything.
  if (bash !== undefined) return { file: bash, args: ['--noprofile', '--norc'] };
  return sh === undefined ? undefined : { file: sh, args: [] };
}

/** Loads node-pty and finds the shell and kubectl once; `unavailable()` then says what is missing, if anything. */
export async function openClusterShell(options: ClusterShellOptions): Promise<LocalClusterShell> {
  const { registry, log } = options;
  const env = options.env ?? process.env;
  const tmpDir = options.tmpDir ?? tmpdir();
  const [pty, shell, kubectl] = await Promise.all([
    loadPty(options.ptyModule),
    shellCommand(env.PATH),
    findOnPath('kubectl', env.PATH),
  ]);
  const problem =
    pty.problem ??
    (shell === undefined ? "the cluster shell needs bash or sh on kore-board's PATH" : undefined) ??
    (kubectl === undefined ? "the cluster shell needs kubectl on kore-board's PATH" : undefined) ??
    (options.beyondLoopback || isLoopback(options.listenHost)
      ? undefined
      : `the cluster shell runs commands on this host as kore-board's user, so it is offered only while kore-board listens on loopback; to offer it on ${options.listenHost}, start kore-board with --terminal-shell (KORE_TERMINAL_SHELL=1)`);

  const ready =
    problem === undefined && pty.problem === undefined && shell !== undefined ? { spawn: pty.spawn, shell } : undefined;

  const live = new Set<ShellSession>();
  const starting = new Set<Promise<unknown>>();
  let closed = false;

  async function startSession(context: string, size: TerminalSize): Promise<TerminalProcess> {
    if (ready === undefined) throw new StatusError('NotImplemented', problem ?? 'the cluster shell is not available');
    const kubeconfig = await registry.standaloneKubeconfig(context);
    const session = await startShellSession({ ...ready, context, kubeconfig, size, env, tmpDir, log });
    live.add(session);
    void session.ended.then(() => live.delete(session));
    return session.process;
  }

  return {
    unavailable: () => problem,
    start(context, size) {
      if (closed) return Promise.reject(new StatusError('ServiceUnavailable', 'kore-board is shutting down'));
      const started = startSession(context, size);
      starting.add(started);
      void started.catch(() => undefined).then(() => starting.delete(started));
      return started;
    },
    async close() {
      closed = true;
      // Sessions still starting are waited for, so that none outlives the server.
      await Promise.allSettled([...starting]);
      const open = [...live];
      for (const session of open) session.process.close();
      await Promise.all(open.map((s) => s.ended));
    },
  };
}
