import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/log';
import { CONTEXT, startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/registry-fixtures';
import { fetchToken, openTerminal, RefusedUpgrade, type WebttyClient } from './webtty-client';

/** `--terminal-max` and the session log: a server that allows two terminals, with its log lines kept. */

const lines: string[] = [];
let stack: Stack;

beforeAll(async () => {
  stack = await startStack(
    {},
    {},
    {
      terminal: {
        secret: new TextEncoder().encode('limits-test-secret-of-32-characters'),
        idleMs: 180_000,
        max: 2,
        clusterShell: undefined,
      },
      log: createLogger('info', (line) => lines.push(line)),
    },
  );
});

afterAll(async () => {
  await stack.close();
});

const openBusybox = async (): Promise<WebttyClient> => {
  const token = await fetchToken(
    `${stack.url}/api/terminal/clusters/${CONTEXT}/namespaces/default/pods/busybox/termtype/pod`,
  );
  const t = await openTerminal(stack.url, token);
  await t.waitForOutput(/# $/);
  return t;
};

describe('the terminal limits', () => {
  it('refuses the upgrade with a 429 Status beyond --terminal-max, and admits again once one closed', async () => {
    const [a, b] = [await openBusybox(), await openBusybox()];
    const refused = await openBusybox().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RefusedUpgrade);
    expect((refused as RefusedUpgrade).status).toBe(429);
    expect(JSON.parse((refused as RefusedUpgrade).body)).toMatchObject({
      kind: 'Status',
      code: 429,
      reason: 'TooManyRequests',
      message: '2 terminal sessions are open, the most this server allows (--terminal-max)',
    });
    a.ws.close();
    await a.closed;
    const c = await openBusybox();
    for (const t of [b, c]) {
      t.type('exit\r');
      await t.closed;
    }
  });

  it('logs each session: who, the target, start, end, exit code and bytes, never what was typed or shown', async () => {
    const t = await openBusybox();
    t.type('echo typed-secret-words\r');
    await t.waitForOutput(/typed-secret-words\r\n/);
    t.type('exit 4\r');
    await t.closed;
    await waitFor(() => lines.some((l) => l.includes('"exitCode":4')), 5_000, 'the session log line');
    const line = lines.find((l) => l.includes('"exitCode":4'))!;
    expect(line).toMatch(/INFO  terminal session ended \{/);
    const record = JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>;
    expect(record).toEqual({
      who: '127.0.0.1',
      target: { cluster: CONTEXT, termtype: 'pod', namespace: 'default', pod: 'busybox' },
      startedAt: expect.any(Number),
      endedAt: expect.any(Number),
      exitCode: 4,
      closeCode: 1000,
      reason: 'command terminated with exit code 4',
      bytesIn: 'echo typed-secret-words\rexit 4\r'.length,
      bytesOut: expect.any(Number),
    });
    expect(record.bytesOut).toBeGreaterThan(40);
    expect(lines.join('\n')).not.toContain('typed-secret-words');
  });
});
