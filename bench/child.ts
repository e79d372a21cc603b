/**
 * The benchmarks' child processes: each server in a process of its own, so its RSS is its own; its first line
 * on stdout says it is ready (and where); SIGTERM stops it, SIGKILL 5 s later if it has not.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const here = new URL('.', import.meta.url).pathname;

export function withFirstLine(command: string, args: string[]): { proc: ChildProcess; firstLine: Promise<string> } {
  const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const firstLine = new Promise<string>((resolve, reject) => {
    createInterface({ input: proc.stdout }).once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`${command} ${args.join(' ')} exited with ${code}`)));
  });
  return { proc, firstLine };
}

/** A script of bench/, run by tsx with a heap of `heapMb`. */
export function child(
  script: string,
  args: string[],
  heapMb: number,
): { proc: ChildProcess; firstLine: Promise<string> } {
  return withFirstLine(process.execPath, [
    `--max-old-space-size=${heapMb}`,
    '--import',
    'tsx',
    join(here, script),
    ...args,
  ]);
}

export function stop(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
    setTimeout(() => proc.kill('SIGKILL'), 5_000).unref();
  });
}
