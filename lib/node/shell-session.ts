import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage, StatusError } from '../errors';
import type { Logger } from '../log';
import type { TerminalExit, TerminalProcess, TerminalSize } from '../terminal/types';
import type { Pty, PtySpawn } from './pty-module';
import { killSession } from './session-kill';
import { shellEnvironment } from './shell-environment';

/** One kubectl shell: a private HOME holding the context's kubeconfig, a shell on a PTY, and their removal. */
export interface ShellSessionSpec {
  spawn: PtySpawn;
  shell: { file: string; args: string[] };
  context: string;
  /** The context's standalone kubeconfig (YAML), credentials inline. */
  kubeconfig: string;
  size: TerminalSize;
  /** The environment the shell's is made from (shell-environment.ts takes kore-board's own out). */
  env: Readonly<Record<string, string | undefined>>;
  /** Where the session's HOME is made. */
  tmpDir: string;
  log: Logger;
}

export interface ShellSession {
  /** Its `close()` ends every process of the session; `ended` then follows. */
  process: TerminalProcess;
  /** Resolves once the shell and everything it started are gone, HOME is removed and the exit is reported. */
  ended: Promise<void>;
}

/** Writes HOME and its kubeconfig (the directory 0700, the file 0600), then starts the shell in it. */
async function spawnInHome(spec: ShellSessionSpec, home: string): Promise<Pty> {
  const kubeDir = join(home, '.kube');
  await mkdir(kubeDir, { mode: 0o700 });
  const kubeconfig = join(kubeDir, 'config');
  await writeFile(kubeconfig, spec.kubeconfig, { mode: 0o600, flag: 'wx' });
  return spec.spawn(spec.shell.file, spec.shell.args, {
    name: 'xterm-256color',
    cols: spec.size.columns,
    rows: spec.size.rows,
    cwd: home,
    env: shellEnvironment(spec.env, { home, kubeconfig, context: spec.context }),
    encoding: null,
  });
}

export async function startShellSession(spec: ShellSessionSpec): Promise<ShellSession> {
  // mkdtemp makes it 0700: no other local account may read the credentials inside.
  const home = await mkdtemp(join(spec.tmpDir, 'kore-board-shell-'));
  const removeHome = () =>
    rm(home, { recursive: true, force: true, maxRetries: 3 }).catch((err: unknown) =>
      spec.log.error('cluster shell: its HOME could not be removed', { home, error: errorMessage(err) }),
    );
  let child: Pty;
  try {
    child = await spawnInHome(spec, home);
  } catch (err) {
    await removeHome();
    throw new StatusError('InternalError', `the cluster shell did not start: ${errorMessage(err)}`, undefined, {
      cause: err,
    });
  }

  let exited = false;
  let exit: TerminalExit | undefined;
  let output: ((chunk: Uint8Array) => void) | undefined;
  let onExit: ((exit: TerminalExit) => void) | undefined;
  // Output before the session listens is kept for it, not lost.
  const early: Uint8Array[] = [];
  child.onData((data) => {
    const chunk = typeof data === 'string' ? Buffer.from(data) : data;
    if (output === undefined) early.push(chunk);
    else output(chunk);
  });
  const ended = new Promise<void>((resolve) =>
    child.onExit(({ exitCode, signal }) => {
      exited = true;
      // Jobs the shell left behind (`cmd &`) belong to its session: they go too, before HOME does.
      void killSession(child.pid)
        .then(removeHome)
        .then(() => {
          exit = { code: signal ? 128 + signal : exitCode };
          onExit?.(exit);
          resolve();
        });
    }),
  );

  const terminal: TerminalProcess = {
    write(input) {
      if (!exited) child.write(input);
    },
    resize({ columns, rows }) {
      if (exited) return;
      try {
        child.resize(columns, rows);
      } catch (err) {
        spec.log.debug('cluster shell: resize refused', { error: errorMessage(err) });
      }
    },
    onOutput(listener) {
      output = listener;
      for (const chunk of early.splice(0)) listener(chunk);
    },
    onExit(listener) {
      onExit = listener;
      if (exit !== undefined) listener(exit);
    },
    close() {
      if (!exited) void killSession(child.pid);
    },
  };
  return { process: terminal, ended };
}
