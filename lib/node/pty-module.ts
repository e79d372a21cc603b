import { errorMessage } from '../errors';

/**
 * node-pty, an optional dependency loaded only when the cluster shell is offered: it is a native addon that needs a
 * compiler to install, and without it only that terminal type is off. What kore-board uses of it is declared here,
 * so that type checking does not depend on it being installed.
 */

/** A process on a pseudo-terminal (node-pty's IPty, the part used). With `encoding: null`, output comes as bytes. */
export interface Pty {
  readonly pid: number;
  onData(listener: (data: string | Uint8Array) => void): unknown;
  onExit(listener: (exit: { exitCode: number; signal?: number }) => void): unknown;
  write(data: string): void;
  resize(columns: number, rows: number): void;
}

export interface PtySpawnOptions {
  name: string;
  cols: number;
  rows: number;
  cwd: string;
  env: Record<string, string>;
  encoding: null;
}

export type PtySpawn = (file: string, args: string[], options: PtySpawnOptions) => Pty;

export type PtyLoad = { spawn: PtySpawn; problem?: undefined } | { problem: string };

const BUILD_TOOLS = 'python3, make and a C++ compiler';

function isModuleMissing(err: unknown, specifier: string): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && errorMessage(err).includes(specifier);
}

/** Where a PTY module comes from: its name (for what to install) and how it is imported. */
export interface PtyModuleSource {
  name: string;
  load(): Promise<unknown>;
}

export const NODE_PTY: PtyModuleSource = {
  name: 'node-pty',
  // A literal for the bundlers (the single executable loads it from beside itself), cast so that type checking does
  // not need node-pty installed: without it, a literal specifier is a type error (TS2307).
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
  load: () => import('node-pty' as string),
};

/** Loads node-pty (or another module of its shape); never rejects: a problem says what to do about it. */
export async function loadPty(source: PtyModuleSource = NODE_PTY): Promise<PtyLoad> {
  const { name } = source;
  let loaded: unknown;
  try {
    loaded = await source.load();
  } catch (err) {
    if (isModuleMissing(err, name)) {
      return {
        problem: `the cluster shell needs ${name}, an optional dependency that is not installed: run "npm install ${name}" where kore-board is installed (it builds with ${BUILD_TOOLS}) and restart kore-board`,
      };
    }
    return {
      problem: `the cluster shell needs ${name}, which is installed but does not load (${errorMessage(err)}): run "npm rebuild ${name}" where kore-board is installed (with ${BUILD_TOOLS}) and restart kore-board`,
    };
  }
  const spawn = (loaded as { spawn?: unknown } | null)?.spawn;
  if (typeof spawn !== 'function') return { problem: `${name} has no spawn function: not a usable node-pty` };
  return { spawn: spawn as PtySpawn };
}
