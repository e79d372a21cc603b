import { spawn } from 'node:child_process';
import type { PluginOutcome } from '../clusters/exec-credential';
import { errorMessage } from '../errors';

const MAX_STDOUT = 1024 * 1024;
const STDERR_KEEP = 4096;

/**
 * Runs an exec credential plugin asynchronously: no stdin (we are never interactive), stdout collected
 * (bounded), the end of stderr kept for the error message, killed after timeoutMs. Never rejects.
 */
export function runPlugin(
  command: string,
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<PluginOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: PluginOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, [...args], { env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    } catch (err) {
      settle({ kind: 'error', message: errorMessage(err) });
      return;
    }
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let overflow = false;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > MAX_STDOUT) {
        overflow = true;
        child.kill('SIGKILL');
        return;
      }
      stdout.push(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEEP);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') settle({ kind: 'not-found' });
      else if (err.code === 'EACCES') settle({ kind: 'error', message: 'permission denied (is it executable?)' });
      else settle({ kind: 'error', message: err.message });
    });
    child.on('close', (code, signal) => {
      if (timedOut) settle({ kind: 'timeout', ms: timeoutMs });
      else if (overflow) settle({ kind: 'error', message: `printed more than ${MAX_STDOUT} bytes` });
      else if (code === 0) settle({ kind: 'ok', stdout: Buffer.concat(stdout).toString('utf8') });
      else settle({ kind: 'exit', code, signal, stderr });
    });
  });
}
