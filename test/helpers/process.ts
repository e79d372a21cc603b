import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface StartedProcess {
  child: ChildProcess;
  /** Base URL the server printed at start-up. */
  url: string;
  /** The access token from the printed login URL; undefined when none was printed (`--auth none`, a token given). */
  token: string | undefined;
  /** `Authorization: Bearer <token>` when there is a token, else nothing. */
  auth: Record<string, string>;
  output(): string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts a kore-board process and waits for its "listening on" line and the access line after it. */
export function startProcess(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<StartedProcess> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no "listening on" line within ${options.timeoutMs ?? 20_000} ms; output:\n${output}`));
    }, options.timeoutMs ?? 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (https?:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined && /^(sign in a browser|access):/m.test(output)) {
        clearTimeout(timer);
        const token = /\?token=(\S+)/.exec(output)?.[1];
        resolve({
          child,
          url: match[1],
          token,
          auth: token === undefined ? {} : { authorization: `Bearer ${token}` },
          output: () => output,
          stop: (signal = 'SIGTERM') => {
            child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening; output:\n${output}`));
    });
  });
}

/** Runs a command to completion, collecting its output. */
export function runToExit(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs `use` with a loopback port that something else is listening on, for "address in use" cases. */
export async function withTakenPort<T>(use: (port: number) => Promise<T>): Promise<T> {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  try {
    return await use((holder.address() as { port: number }).port);
  } finally {
    holder.close();
  }
}
