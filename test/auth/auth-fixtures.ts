/** What the auth tests share: a clock they move, and the requests the Kore Board UI and kubectl make. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { Clock } from '../../lib/clock';

export interface MovableClock extends Clock {
  advance(ms: number): void;
}

export function movableClock(start = Date.now()): MovableClock {
  let now = start;
  return { now: () => now, advance: (ms) => void (now += ms) };
}

export const json = (body: unknown) => ({
  method: 'POST',
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json' },
});

/** `POST /api/auth/login` as the UI sends it; the answer's status and body. */
export async function login(
  url: string,
  token: string,
): Promise<{ status: number; body: Record<string, unknown>; res: Response }> {
  const res = await fetch(`${url}/api/auth/login`, json({ token }));
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, res };
}

/** `POST /api/auth/token/refresh` as the UI sends it. */
export async function refresh(
  url: string,
  refreshToken: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/api/auth/token/refresh`, json({ refreshToken }));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A GET with the UI's `Authorization: <token>` (no scheme); the status. */
export async function statusWith(
  url: string,
  authorization: string | undefined,
  extra: Record<string, string> = {},
): Promise<number> {
  const res = await fetch(url, { headers: { ...(authorization === undefined ? {} : { authorization }), ...extra } });
  await res.arrayBuffer();
  return res.status;
}

/** Opens a pod exec websocket through `/raw` and resolves with the handshake's status (101 when it opened). */
export function execStatus(rawUrl: string, headers: Record<string, string>, origin?: string): Promise<number> {
  const target = `${rawUrl.replace('http:', 'ws:')}/api/v1/namespaces/default/pods/busybox/exec?command=true&stdout=true`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(target, ['v5.channel.k8s.io', 'v4.channel.k8s.io'], {
      headers,
      ...(origin === undefined ? {} : { origin }),
    });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('error', reject);
  });
}

/** The real kubectl with no kubeconfig of its own (HOME in a temp dir): its exit code and output. */
export async function kubectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const home = await mkdtemp(join(tmpdir(), 'kore-auth-kubectl-'));
  try {
    return await new Promise((resolve) => {
      execFile(
        'kubectl',
        ['--kubeconfig', '/dev/null', ...args],
        { env: { ...process.env, HOME: home, KUBECONFIG: '' }, timeout: 20_000 },
        (err, stdout, stderr) => {
          const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
          resolve({ code, stdout, stderr });
        },
      );
    });
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
