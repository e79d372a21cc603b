/**
 * Terminal tokens under `kore-board --workers 2` (the real CLI): the supervisor hands every worker one secret and
 * keeps the used token ids, so a token minted by one worker opens a session on the other, once, and is refused on
 * every worker after. Which worker holds a connection is read from /proc, so each step is placed on purpose.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectionsTo, workerPids } from '../helpers/proc';
import { startProcess, type StartedProcess } from '../helpers/process';
import { waitFor } from '../helpers/registry-fixtures';
import { openTerminal, type WebttyClient } from './webtty-client';

const TS = ['--import', 'tsx', join(process.cwd(), 'lib/node/main.ts')];
const DEMO = encodeURIComponent('kubernetes-admin@kubernetes');
const home = mkdtempSync(join(tmpdir(), 'kore-home-'));
const dataDir = mkdtempSync(join(tmpdir(), 'kore-data-'));

let p: StartedProcess;
let workers: number[];
let port: number;

beforeAll(async () => {
  // No --terminal-secret: the random one the supervisor makes is the only one the workers can share.
  p = await startProcess(
    process.execPath,
    [...TS, '--demo', '--listen', '127.0.0.1:0', '--workers', '2', '--data-dir', dataDir],
    {
      env: { ...process.env, HOME: home, KUBECONFIG: '', KORE_LOG_LEVEL: 'warn', KORE_TERMINAL_SECRET: '' },
      // Three processes start under tsx: on a busy machine that takes a while.
      timeoutMs: 55_000,
    },
  );
  workers = workerPids(p.child.pid!);
  port = Number(new URL(p.url).port);
});

afterAll(async () => {
  if (p?.child.exitCode === null) await p.stop();
  rmSync(home, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

/** The worker holding our one open connection to kore-board. */
async function holder(): Promise<number> {
  let held: number[] = [];
  await waitFor(
    () => (held = workers.filter((w) => connectionsTo(w, port) > 0)).length === 1,
    10_000,
    'one worker to hold the connection',
  );
  return held[0]!;
}

/** No connection of ours is open any more, so the next one is the only one. */
const noneOpen = () =>
  waitFor(() => workers.every((w) => connectionsTo(w, port) === 0), 10_000, 'our connections to close');

/** A pod terminal token from the token route, and the worker that minted it (the connection is kept while asked). */
async function mint(): Promise<{ token: string; minter: number }> {
  await noneOpen();
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const url = `${p.url}/api/terminal/clusters/${DEMO}/namespaces/default/pods/busybox/termtype/pod`;
    const body = await new Promise<string>((resolve, reject) => {
      get(url, { agent, headers: p.auth }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve(text));
      }).on('error', reject);
    });
    const { Token } = JSON.parse(body) as { Token: string };
    return { token: Token, minter: await holder() };
  } finally {
    agent.destroy();
  }
}

/** The terminal websocket, opened on `worker` (other connections are closed unused), before its first frame. */
async function openOn(worker: number): Promise<WebttyClient> {
  for (let attempt = 0; attempt < 20; attempt++) {
    await noneOpen();
    const client = await openTerminal(p.url, '', { silent: true, headers: p.auth });
    if ((await holder()) === worker) return client;
    client.ws.close();
    await client.closed;
  }
  throw new Error(`no connection reached worker ${worker}`);
}

/** The UI's first frame and size, with `token`. */
function present(client: WebttyClient, token: string): void {
  client.ws.send(JSON.stringify({ Arguments: '', AuthToken: token }));
  client.resize({ columns: 80, rows: 24 });
}

it('a token minted by one worker opens one session on the other, and is refused on every worker after', async () => {
  expect(workers).toHaveLength(2);
  const { token, minter } = await mint();
  const other = workers.find((w) => w !== minter)!;

  const accepted = await openOn(other);
  present(accepted, token);
  await accepted.waitForOutput(/\/ # $/);
  accepted.type('exit\r');
  expect((await accepted.closed).code).toBe(1000);

  // Again and again, on each worker in turn: the supervisor's ledger answers for both.
  for (const worker of [minter, other, minter, other]) {
    const replay = await openOn(worker);
    present(replay, token);
    expect(await replay.closed).toEqual({ code: 4401, reason: expect.stringMatching(/already been used/) });
    expect(replay.output()).toBe('');
  }
});

it('a token used on the worker that minted it is refused on the other', async () => {
  const { token, minter } = await mint();
  const first = await openOn(minter);
  present(first, token);
  await first.waitForOutput(/\/ # $/);
  first.type('exit\r');
  await first.closed;

  const replay = await openOn(workers.find((w) => w !== minter)!);
  present(replay, token);
  expect((await replay.closed).code).toBe(4401);
});
