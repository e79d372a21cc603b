import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlStream, writeKubeconfig, type KubeconfigDir } from '../helpers/kubectl';
import { startStack, type Stack } from '../helpers/stack';

let stack: Stack;
let config: KubeconfigDir;
beforeAll(async () => {
  stack = await startStack();
  // Only for kubectl's HOME and cache: --server sends every request to kore-board, which adds the credentials.
  config = await writeKubeconfig(stack.sim, 'token');
});
afterAll(async () => {
  await config?.remove();
  await stack?.close();
});

/** Sends a line over a local TCP port and resolves with what comes back (the simulated container echoes). */
function echo(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(line));
    let got = '';
    socket.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.length >= line.length) {
        socket.end();
        resolve(got);
      }
    });
    socket.on('error', reject);
  });
}

describe('kubectl port-forward through the proxy', () => {
  for (const [mode, env] of [
    ['websocket tunnel (kubectl default)', {}],
    ['SPDY upgrade', { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }],
  ] as const) {
    it(`forwards a local port to a pod's container port: ${mode}`, async () => {
      const forward = kubectlStream(
        config,
        ['--server', stack.raw, 'port-forward', '-n', 'shop', 'pod/redis-0', ':6379'],
        env,
      );
      try {
        const out = await forward.waitFor((s) => /Forwarding from 127\.0\.0\.1:\d+ -> 6379/.test(s));
        const port = Number(/127\.0\.0\.1:(\d+) -> 6379/.exec(out)?.[1]);
        expect(await echo(port, 'PING kore-board\r\n')).toBe('PING kore-board\r\n');
        expect(await echo(port, 'second connection\n')).toBe('second connection\n');
      } finally {
        await forward.stop();
      }
    });
  }
});
