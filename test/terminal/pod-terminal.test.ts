import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoKubeconfig } from '../../lib/demo-kubeconfig';
import { SHELLS_ANNOTATION } from '../../lib/sim';
import { CONTEXT, startStack, type Stack } from '../helpers/stack';
import { fakeClock, waitFor } from '../helpers/registry-fixtures';
import { manualTimers } from './manual-timers';
import { fetchToken, openTerminal, RefusedUpgrade, type WebttyClient } from './webtty-client';

/**
 * Pod and container terminals end to end: the UI's exact sequence (token GET → {Arguments, AuthToken} → resize →
 * input → ping) against kore-board on a real port, in front of the simulated cluster over TLS, whose exec sessions
 * are observed from the cluster's side. Time-dependent closes run on an injected clock and timers.
 */

const clock = fakeClock();
const timers = manualTimers(clock);
const SECRET = new TextEncoder().encode('pod-terminal-test-secret-32-chars!!');
const BASH_POD = 'web-7d4b9c8f6d-x7k2p';
let stack: Stack;

const tokenUrl = (path: string) => `${stack.url}/api/terminal/clusters/${CONTEXT}${path}`;
const podToken = (ns: string, pod: string) => fetchToken(tokenUrl(`/namespaces/${ns}/pods/${pod}/termtype/pod`));
const open = async (ns: string, pod: string, size = { columns: 80, rows: 24 }) =>
  openTerminal(stack.url, await podToken(ns, pod), { size });
const execsOf = (pod: string) => stack.sim.openExecs().filter((e) => e.pod === pod);

beforeAll(async () => {
  stack = await startStack(
    {},
    {},
    { clock, terminal: { secret: SECRET, idleMs: 180_000, max: 50, clusterShell: undefined, timers } },
  );
});

afterAll(async () => {
  await stack.close();
});

/** Types `exit` and waits for the socket to close. */
async function leave(t: WebttyClient): Promise<void> {
  t.type('exit\r');
  await t.closed;
}

describe('a pod terminal', () => {
  it('shows the title first, echoes a command round trip, and answers pings', async () => {
    const t = await open('shop', BASH_POD);
    await t.waitForOutput(new RegExp(`root@${BASH_POD}:/# $`));
    t.type('echo hello-terminal\r');
    await t.waitForOutput(/hello-terminal\r\nroot@/);
    t.ping();
    await waitFor(() => t.pongs() === 1, 5_000, 'a pong');
    expect(t.title()).toBe(BASH_POD);
    expect(t.frameTypes()[0]).toBe('3');
    expect(execsOf(BASH_POD)).toEqual([{ namespace: 'shop', pod: BASH_POD, container: 'nginx', command: ['bash'] }]);
    await leave(t);
  });

  it('passes the size and every resize to the container (stty size)', async () => {
    const t = await open('shop', BASH_POD, { columns: 100, rows: 30 });
    t.type('stty size\r');
    await t.waitForOutput(/\r\n30 100\r\n/);
    t.resize({ columns: 132, rows: 43 });
    t.type('stty size\r');
    await t.waitForOutput(/\r\n43 132\r\n/);
    await leave(t);
  });

  it('shows a non-zero exit status, then closes', async () => {
    const t = await open('shop', BASH_POD);
    t.type('exit 3\r');
    expect(await t.closed).toEqual({ code: 1000, reason: 'command terminated with exit code 3' });
    expect(t.output()).toMatch(/exit 3\r\n\r\ncommand terminated with exit code 3\r\n$/);
  });

  it('falls back to sh in an image without bash, with no trace of the miss', async () => {
    const t = await open('default', 'busybox');
    t.type('echo $0-ok\r');
    await t.waitForOutput(/^\/ # echo \$0-ok\r\n/);
    expect(execsOf('busybox')).toEqual([
      { namespace: 'default', pod: 'busybox', container: 'busybox', command: ['sh'] },
    ]);
    expect(t.output()).not.toMatch(/bash|not found|executable/);
    await leave(t);
  });

  it('says "remote shell is not supported" when the image has no shell, and closes', async () => {
    const distroless = structuredClone(stack.sim.store.get('pods', 'default', 'busybox')!);
    distroless.metadata = { name: 'distroless', namespace: 'default', annotations: { [SHELLS_ANNOTATION]: '' } };
    stack.sim.store.create(distroless);
    const t = await openTerminal(stack.url, await podToken('default', 'distroless'));
    expect(await t.closed).toEqual({ code: 1000, reason: 'remote shell is not supported' });
    expect(t.output()).toBe('\r\nremote shell is not supported\r\n');
  });

  it('opens the named container on the container route', async () => {
    const token = await fetchToken(
      tokenUrl('/namespaces/shop/pods/web-with-sidecar/containers/log-shipper/termtype/container'),
    );
    const t = await openTerminal(stack.url, token);
    await t.waitForOutput(/# $/);
    expect(t.title()).toBe('web-with-sidecar/log-shipper');
    expect(execsOf('web-with-sidecar')).toEqual([
      { namespace: 'shop', pod: 'web-with-sidecar', container: 'log-shipper', command: ['bash'] },
    ]);
    await leave(t);
  });

  it('ends the exec on the cluster when the browser closes the socket', async () => {
    const t = await open('default', 'busybox');
    await t.waitForOutput(/\/ # $/);
    expect(execsOf('busybox')).toHaveLength(1);
    t.ws.close();
    await waitFor(() => execsOf('busybox').length === 0, 5_000, 'the exec to end on the cluster');
  });
});

describe('the terminal websocket refuses', () => {
  it('a token used twice, and a token that is not ours', async () => {
    const token = await podToken('default', 'busybox');
    const first = await openTerminal(stack.url, token);
    await first.waitForOutput(/# $/);
    const second = await openTerminal(stack.url, token);
    expect(await second.closed).toEqual({ code: 4401, reason: 'token refused: the token has already been used' });
    expect(second.title()).toBeUndefined();
    await leave(first);
    const forged = `${token.slice(0, -4)}AAAA`;
    expect(await (await openTerminal(stack.url, forged)).closed).toEqual({
      code: 4401,
      reason: 'token refused: the token signature does not verify',
    });
  });

  it('a token presented for another pod in Arguments', async () => {
    const token = await podToken('default', 'busybox');
    const t = await openTerminal(stack.url, token, { args: '?pod=alpine-sh' });
    expect(await t.closed).toEqual({ code: 4401, reason: 'token refused: the token is for another pod' });
  });

  it('a first frame that is not the init message, and an unknown message type', async () => {
    const t = await openTerminal(stack.url, '', { silent: true });
    t.ws.send('1ls');
    expect((await t.closed).code).toBe(4400);
    const u = await open('default', 'busybox');
    await u.waitForOutput(/# $/);
    u.ws.send('9what');
    expect(await u.closed).toEqual({ code: 4400, reason: 'unknown message type "9"' });
    await waitFor(() => execsOf('busybox').length === 0, 5_000, 'the exec to end on the cluster');
  });

  it('a binary frame, and a frame over the size limit', async () => {
    const t = await open('default', 'busybox');
    t.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect((await t.closed).code).toBe(1003);
    const big = await open('default', 'busybox');
    big.ws.send(`1${'x'.repeat(1024 * 1024)}`);
    expect((await big.closed).code).toBe(1009);
  });

  it('a socket that sends no first frame within 10 s (on the injected clock)', async () => {
    const t = await openTerminal(stack.url, '', { silent: true });
    await waitFor(() => timers.pending() > 0, 5_000, 'the first-frame timer');
    timers.advance(9_999);
    expect(t.ws.readyState).toBe(t.ws.OPEN);
    timers.advance(1);
    expect(await t.closed).toEqual({ code: 4408, reason: 'no first message within 10 s' });
  });

  it('a session without input or ping for the idle time, counting from the last one', async () => {
    const t = await open('default', 'busybox');
    await t.waitForOutput(/# $/);
    timers.advance(170_000);
    t.ping();
    await waitFor(() => t.pongs() === 1, 5_000, 'a pong');
    timers.advance(170_000);
    expect(t.ws.readyState).toBe(t.ws.OPEN);
    timers.advance(10_000);
    expect(await t.closed).toEqual({ code: 4408, reason: 'idle for 180 s' });
    expect(t.output()).toMatch(/closed after 180 s without input\r\n$/);
  });

  it('an upgrade from a foreign page (Origin), before any session starts', async () => {
    const token = await podToken('default', 'busybox');
    const refused = await openTerminal(stack.url, token, { origin: 'https://evil.example' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RefusedUpgrade);
    expect((refused as RefusedUpgrade).status).toBe(403);
    // The token was not spent: the page never got as far as a session.
    const t = await openTerminal(stack.url, token, { origin: stack.url });
    await t.waitForOutput(/# $/);
    await leave(t);
  });
});

describe('a kubeconfig reload', () => {
  it('leaves sessions of unchanged contexts open, and ends those of a changed context', async () => {
    const t = await open('default', 'busybox');
    await t.waitForOutput(/# $/);
    const reload = await fetch(`${stack.url}/api/v1/config`, { method: 'PATCH' });
    expect(reload.status).toBe(200);
    t.type('echo still-here\r');
    await t.waitForOutput(/still-here\r\n\/ # $/);

    await writeFile(
      stack.userKubeconfig,
      demoKubeconfig(stack.sim, CONTEXT).replace(/namespace: \w+/, 'namespace: shop'),
    );
    expect((await fetch(`${stack.url}/api/v1/config`, { method: 'PATCH' })).status).toBe(200);
    const closed = await t.closed;
    expect(closed.reason).toBe(`context "${CONTEXT}" was changed or removed by a kubeconfig reload`);
    expect(t.output()).toMatch(/was changed or removed by a kubeconfig reload\r\n$/);
    await waitFor(() => execsOf('busybox').length === 0, 5_000, 'the exec to end on the cluster');
  });
});
