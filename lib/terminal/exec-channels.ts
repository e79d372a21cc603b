/**
 * A pod terminal's side of the Kubernetes remotecommand websocket protocol (`v5.channel.k8s.io`, else
 * `v4.channel.k8s.io`; the API server takes the first the client offers that it speaks): each binary message is a
 * channel byte then data. Stdin 0, stdout 1 (a tty merges stderr into it), the error channel 3 (one metav1.Status
 * when the command ends), resize 4. Pure: lib/node/pod-exec.ts moves the bytes.
 */
import type { TerminalSize, TerminalTarget } from './types';

export const EXEC_SUBPROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;
export const STDIN = 0;
export const STDOUT = 1;
export const ERROR = 3;
const RESIZE = 4;

/** Tried in this order; the first that starts is the session's shell. */
export const SHELLS = ['bash', 'sh', 'ash'] as const;

/** The exec request for a shell in the target's container (the pod's default container for a pod terminal). */
export function execRequest(target: TerminalTarget, shell: string): { path: string; query: string } {
  const path = `/api/v1/namespaces/${encodeURIComponent(target.namespace ?? '')}/pods/${encodeURIComponent(target.pod ?? '')}/exec`;
  const query = new URLSearchParams({ command: shell, stdin: 'true', stdout: 'true', tty: 'true' });
  if (target.container !== undefined) query.set('container', target.container);
  return { path, query: query.toString() };
}

export function channelMessage(channel: number, data: Uint8Array | string): Buffer {
  return Buffer.concat([Buffer.from([channel]), typeof data === 'string' ? Buffer.from(data) : data]);
}

export const resizeMessage = (size: TerminalSize): Buffer =>
  channelMessage(RESIZE, JSON.stringify({ Width: size.columns, Height: size.rows }));

/** How an exec ended, read from its error channel. */
export type ExecEnd = { kind: 'exited'; code: number } | { kind: 'failed'; message: string };

/**
 * The error channel's Status: `Success` is exit 0, `NonZeroExitCode` carries the code in its `ExitCode` cause;
 * anything else (the runtime could not start the command, the container went away) is a failure with its message.
 */
export function execEnd(errorChannel: string): ExecEnd {
  let status: { status?: unknown; reason?: unknown; message?: unknown; details?: { causes?: unknown } };
  try {
    status = JSON.parse(errorChannel) as typeof status;
  } catch {
    return { kind: 'failed', message: errorChannel };
  }
  if (status.status === 'Success') return { kind: 'exited', code: 0 };
  const causes = Array.isArray(status.details?.causes) ? (status.details.causes as { reason?: unknown }[]) : [];
  const exitCause = causes.find((c) => c.reason === 'ExitCode') as { message?: unknown } | undefined;
  const code = Number(exitCause?.message);
  if (status.reason === 'NonZeroExitCode' && Number.isInteger(code)) return { kind: 'exited', code };
  return { kind: 'failed', message: typeof status.message === 'string' ? status.message : errorChannel };
}
