import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { pickExecProtocol, runExecSession, type ExecTarget } from '../../lib/sim/exec';
import { SHELLS_ANNOTATION } from '../../lib/sim/gen/generator';
import { kubectl, simWithKubeconfig } from '../helpers/kubectl';

const PODS: Record<string, object> = {
  web: pod('web', undefined, [{ name: 'GREETING', value: 'hello' }]),
  busybox: pod('busybox', 'sh'),
  distroless: pod('distroless', ''),
};

function pod(name: string, shells?: string, env: object[] = []) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'shop',
      ...(shells === undefined ? {} : { annotations: { [SHELLS_ANNOTATION]: shells } }),
    },
    spec: {
      nodeName: 'vm-live-01',
      containers: [{ name: 'main', image: 'x', env, volumeMounts: [{ name: 'config', mountPath: '/etc/app' }] }],
    },
    status: { phase: 'Running', podIP: '10.64.0.7' },
  };
}

let server: WebSocketServer;
let port: number;

beforeAll(async () => {
  // Stands in for the API server's upgrade: negotiates the subprotocol, then hands the socket over.
  server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (offered) => pickExecProtocol([...offered]) ?? false,
  });
  server.on('connection', (ws, req) => {
    const query = new URL(req.url ?? '/', 'http://x').searchParams;
    const flag = (name: string) => query.get(name) === 'true';
    const target: ExecTarget = {
      pod: PODS[query.get('pod') ?? 'web'] ?? {},
      container: 'main',
      command: query.getAll('command'),
      stdin: flag('stdin'),
      stdout: query.get('stdout') !== 'false',
      stderr: query.get('stderr') !== 'false' && !flag('tty'),
      tty: flag('tty'),
      attach: flag('attach'),
    };
    void runExecSession(ws, ws.protocol, target);
  });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

interface Session {
  ws: WebSocket;
  protocol: string;
  channels: Map<number, string>;
  /** Raw first bytes of each message, in order. */
  frames: number[];
  closed: Promise<{ code: number }>;
  send(channel: number, data: string | Buffer): void;
  waitFor(channel: number, predicate: (text: string) => boolean): Promise<string>;
}

function open(
  params: Record<string, string | string[] | boolean>,
  protocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io'],
): Promise<Session> {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    for (const v of Array.isArray(value) ? value : [value]) query.append(key, String(v));
  const ws = new WebSocket(`ws://127.0.0.1:${port}/exec?${query}`, protocols);
  const channels = new Map<number, string>();
  const frames: number[] = [];
  const waiters = new Set<() => void>();
  const base64 = protocols.some((p) => p.includes('base64'));
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const channel = base64 && !isBinary ? Number(data.toString()[0]) : (data[0] ?? -1);
    const payload = base64 && !isBinary ? Buffer.from(data.toString().slice(1), 'base64') : data.subarray(1);
    frames.push(channel);
    channels.set(channel, (channels.get(channel) ?? '') + payload.toString());
    for (const w of waiters) w();
  });
  const closed = new Promise<{ code: number }>((resolve) => ws.on('close', (code) => resolve({ code })));
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () =>
      resolve({
        ws,
        protocol: ws.protocol,
        channels,
        frames,
        closed,
        send: (channel, data) => ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(data)])),
        waitFor: (channel, predicate) =>
          new Promise((res, rej) => {
            const check = () => {
              const text = channels.get(channel) ?? '';
              if (!predicate(text)) return;
              waiters.delete(check);
              clearTimeout(timer);
              res(text);
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              rej(new Error(`channel ${channel} never matched; got ${JSON.stringify(Object.fromEntries(channels))}`));
            }, 5000);
            waiters.add(check);
            check();
          }),
      }),
    );
  });
}

// The status is arbitrary Status JSON that the assertions walk into.

type Json = Record<string, any>;

async function exec(params: Record<string, string | string[] | boolean>, protocols?: string[]) {
  const session = await open(params, protocols);
  const { code } = await session.closed;
  const error = session.channels.get(3) ?? '';
  return {
    session,
    code,
    stdout: session.channels.get(1) ?? '',
    stderr: session.channels.get(2) ?? '',
    error,
    status: error.startsWith('{') ? (JSON.parse(error) as Json) : undefined,
  };
}

describe('pickExecProtocol', () => {
  it('prefers v5, then v4, v3, v2, channel.k8s.io, then the base64 variants', () => {
    expect(pickExecProtocol(['channel.k8s.io', 'v4.channel.k8s.io', 'v5.channel.k8s.io'])).toBe('v5.channel.k8s.io');
    expect(pickExecProtocol(['v3.channel.k8s.io', 'v4.channel.k8s.io'])).toBe('v4.channel.k8s.io');
    expect(pickExecProtocol(['v2.channel.k8s.io', 'v3.channel.k8s.io'])).toBe('v3.channel.k8s.io');
    expect(pickExecProtocol(['channel.k8s.io', 'v2.channel.k8s.io'])).toBe('v2.channel.k8s.io');
    expect(pickExecProtocol(['base64.channel.k8s.io', 'channel.k8s.io'])).toBe('channel.k8s.io');
    expect(pickExecProtocol(['v4.base64.channel.k8s.io'])).toBe('v4.base64.channel.k8s.io');
    expect(pickExecProtocol(['SPDY/3.1', 'chat'])).toBeUndefined();
  });
});

describe('runExecSession', () => {
  it('v5: runs `echo hi` directly, writes stdout, a Success status, and closes normally', async () => {
    const { session, code, stdout, status } = await exec({ command: ['echo', 'hi'] });
    expect(session.protocol).toBe('v5.channel.k8s.io');
    expect(stdout).toBe('hi\n');
    expect(status).toEqual({ metadata: {}, status: 'Success' });
    expect(code).toBe(1000);
    // The first message is the empty stream-ready signal on stdout; the status comes last.
    expect(session.frames[0]).toBe(1);
    expect(session.frames.at(-1)).toBe(3);
  });

  it('v4: reports a non-zero exit as NonZeroExitCode with the code in causes', async () => {
    const { session, stdout, status } = await exec({ command: ['sh', '-c', 'echo out; echo $GREETING; exit 3'] }, [
      'v4.channel.k8s.io',
    ]);
    expect(session.protocol).toBe('v4.channel.k8s.io');
    expect(stdout).toBe('out\nhello\n');
    expect(status).toMatchObject({
      status: 'Failure',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
    expect(status?.message).toContain('exit code 3');
  });

  it('writes unknown commands to stderr with exit 127 (sh and bash wording)', async () => {
    const sh = await exec({ command: ['sh', '-c', 'frobnicate --now'] });
    expect(sh.stderr).toBe('sh: frobnicate: not found\n');
    expect(sh.status?.details.causes[0].message).toBe('127');
    const bash = await exec({ command: ['bash', '-c', 'frobnicate'] });
    expect(bash.stderr).toBe('bash: frobnicate: command not found\n');
    expect(bash.status?.details.causes[0].message).toBe('127');
  });

  it('runs builtins: pwd, cd, hostname, env, ls, cat of files, && and ||', async () => {
    const { stdout, stderr, status } = await exec({
      pod: 'web',
      command: [
        'sh',
        '-c',
        'pwd; cd /etc && pwd; hostname; ls /var/run/secrets/kubernetes.io/serviceaccount; cat /etc/hostname; cat /nope || echo fallback',
      ],
    });
    expect(stdout).toBe('/\n/etc\nweb\nca.crt\nnamespace\ntoken\nweb\nfallback\n');
    expect(stderr).toBe("cat: can't open '/nope': No such file or directory\n");
    expect(status?.status).toBe('Success');
    const env = await exec({ command: ['env'] });
    expect(env.stdout).toContain('HOSTNAME=web\n');
    expect(env.stdout).toContain('GREETING=hello\n');
    expect(env.stdout).toContain('KUBERNETES_SERVICE_HOST=10.96.0.1\n');
    const ls = await exec({ command: ['ls', '/etc'] });
    expect(ls.stdout.split('\n')).toEqual(expect.arrayContaining(['app', 'hostname', 'hosts', 'resolv.conf']));
  });

  it('v5: `cat` echoes stdin until the client closes stdin with channel 255', async () => {
    const session = await open({ command: ['cat'], stdin: true });
    session.send(0, 'line one\n');
    await session.waitFor(1, (t) => t === 'line one\n');
    session.send(0, 'line two\n');
    await session.waitFor(1, (t) => t.endsWith('line two\n'));
    session.ws.send(Buffer.from([255, 0]));
    await session.closed;
    expect(session.channels.get(1)).toBe('line one\nline two\n');
    expect(JSON.parse(session.channels.get(3) ?? '')).toEqual({ metadata: {}, status: 'Success' });
  });

  it('v5: an interactive `sh -i` with stdin runs lines until stdin closes, exiting with the last status', async () => {
    const session = await open({ command: ['sh'], stdin: true });
    session.send(0, 'echo a\nfalse\n');
    await session.waitFor(1, (t) => t === 'a\n');
    session.ws.send(Buffer.from([255, 0]));
    await session.closed;
    expect(JSON.parse(session.channels.get(3) ?? '')).toMatchObject({
      reason: 'NonZeroExitCode',
      details: { causes: [{ message: '1' }] },
    });
  });

  it('tty: prompts, echoes keystrokes, answers `stty size` from the last resize, and `exit N` ends it', async () => {
    const session = await open({ command: ['sh'], stdin: true, tty: true });
    await session.waitFor(1, (t) => t.endsWith('/ # '));
    session.send(0, 'stty size\r');
    await session.waitFor(1, (t) => t.includes('24 80\r\n'));
    session.send(4, JSON.stringify({ Width: 132, Height: 43 }));
    session.send(0, 'stty size\r');
    await session.waitFor(1, (t) => t.includes('43 132\r\n'));
    session.send(0, 'cd /tmp\r');
    await session.waitFor(1, (t) => t.endsWith('/tmp # '));
    session.send(0, 'exit 7\r');
    await session.closed;
    const out = session.channels.get(1) ?? '';
    expect(out).toContain('/ # stty size\r\n24 80\r\n/ # ');
    expect(out).toContain('/tmp # exit 7\r\n');
    expect(session.channels.has(2)).toBe(false);
    expect(JSON.parse(session.channels.get(3) ?? '')).toMatchObject({
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '7' }] },
    });
  });

  it('tty: backspace erases, ^C interrupts a running command, ^D on an empty line ends the shell', async () => {
    const session = await open({ command: ['bash'], stdin: true, tty: true });
    await session.waitFor(1, (t) => t.endsWith('root@web:/# '));
    session.send(0, 'echo helx\x7flo\r');
    await session.waitFor(1, (t) => t.includes('\b \b') && t.includes('hello\r\n'));
    session.send(0, 'sleep 30\r');
    await session.waitFor(1, (t) => t.includes('sleep 30\r\n'));
    session.send(0, '\x03');
    await session.waitFor(1, (t) => t.endsWith('^C\r\nroot@web:/# '));
    session.send(0, 'echo $?\r');
    await session.waitFor(1, (t) => t.includes('130\r\n'));
    session.send(0, '\x04');
    await session.closed;
    // EOF exits with the status of the last command, the successful echo.
    expect(JSON.parse(session.channels.get(3) ?? '')).toEqual({ metadata: {}, status: 'Success' });
  });

  it('fails `bash` in an image that has only sh, the way containerd does', async () => {
    const { stdout, status } = await exec({ pod: 'busybox', command: ['bash'], stdin: true, tty: true });
    expect(stdout).toBe('');
    expect(status).toMatchObject({ status: 'Failure', reason: 'InternalError', code: 500 });
    expect(status?.message).toMatch(
      /^Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "bash": executable file not found in \$PATH: unknown$/,
    );
    const sh = await exec({ pod: 'busybox', command: ['sh', '-c', 'echo ok'] });
    expect(sh.stdout).toBe('ok\n');
    const path = await exec({ pod: 'busybox', command: ['/bin/bash'] });
    expect(path.status?.message).toContain('exec: "/bin/bash": stat /bin/bash: no such file or directory: unknown');
    const inside = await exec({ pod: 'busybox', command: ['sh', '-c', 'bash'] });
    expect(inside.stderr).toBe('sh: bash: not found\n');
  });

  it('has no programs at all in a distroless image', async () => {
    for (const command of [['sh'], ['echo', 'hi']]) {
      const { status } = await exec({ pod: 'distroless', command });
      expect(status?.reason).toBe('InternalError');
    }
  });

  it('v3 and older: no Status, the failure message as text, nothing on success', async () => {
    const ok = await exec({ command: ['echo', 'x'] }, ['v3.channel.k8s.io']);
    expect(ok.session.protocol).toBe('v3.channel.k8s.io');
    expect(ok.stdout).toBe('x\n');
    expect(ok.error).toBe('');
    const bad = await exec({ command: ['sh', '-c', 'exit 2'] }, ['channel.k8s.io']);
    expect(bad.error).toBe(
      'command terminated with non-zero exit code: error executing command [sh -c exit 2], exit code 2',
    );
  });

  it('base64 protocol: text frames with an ASCII channel digit', async () => {
    const { session, stdout, status } = await exec({ command: ['echo', 'b64'] }, ['v4.base64.channel.k8s.io']);
    expect(session.protocol).toBe('v4.base64.channel.k8s.io');
    expect(stdout).toBe('b64\n');
    expect(status?.status).toBe('Success');
  });

  it('attach: connects to a shell on the main process; exit ends it', async () => {
    const session = await open({ attach: true, stdin: true });
    session.send(0, 'echo attached\n');
    await session.waitFor(1, (t) => t === 'attached\n');
    session.send(0, 'exit 0\n');
    await session.closed;
    expect(JSON.parse(session.channels.get(3) ?? '')).toEqual({ metadata: {}, status: 'Success' });
  });

  it('ends the session when the client goes away mid-command', async () => {
    const session = await open({ command: ['sleep', '60'] });
    session.ws.close();
    const { code } = await session.closed;
    expect(code).toBe(1005);
  });

  it('refuses pipes and redirections rather than misreading them', async () => {
    const { stdout, stderr, status } = await exec({ command: ['sh', '-c', 'env | grep HOME'] });
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^sh: syntax error: /);
    expect(status?.details.causes[0].message).toBe('2');
  });

  it('drops stderr when the client did not ask for it', async () => {
    const { stderr, status } = await exec({ command: ['sh', '-c', 'nope'], stderr: 'false' });
    expect(stderr).toBe('');
    expect(status?.details.causes[0].message).toBe('127');
  });
});

describe('the real kubectl against the simulator', () => {
  const fixture = simWithKubeconfig();

  it('kubectl exec POD -- echo hi', async () => {
    expect(await kubectl(fixture.config, ['exec', 'busybox', '--', 'echo', 'hi'])).toEqual({
      code: 0,
      stdout: 'hi\n',
      stderr: '',
    });
  });

  it('kubectl exec -i POD -- sh, with lines on stdin and the exit code passed through', async () => {
    const result = await kubectl(fixture.config, ['exec', '-i', 'busybox', '--', 'sh'], {
      input: 'echo one\nhostname\nstty size\nexit 3\n',
    });
    expect(result.stdout).toBe('one\nbusybox\n');
    expect(result.stderr).toBe('stty: standard input: Not a tty\ncommand terminated with exit code 3\n');
    expect(result.code).toBe(3);
  });

  it('kubectl exec -i POD -- cat ends when stdin does (v5 close)', async () => {
    expect(await kubectl(fixture.config, ['exec', '-i', 'busybox', '--', 'cat'], { input: 'a\nb\n' })).toEqual({
      code: 0,
      stdout: 'a\nb\n',
      stderr: '',
    });
  });

  it.each(['alpine-sh', 'busybox'])(
    'kubectl exec into an sh-only image (%s): bash fails as containerd reports it, sh works',
    async (pod) => {
      const bash = await kubectl(fixture.config, ['exec', pod, '--', 'bash']);
      expect(bash.code).toBe(1);
      expect(bash.stderr).toMatch(
        /^error: Internal error occurred: error executing command in container: .*exec: "bash": executable file not found in \$PATH: unknown\n$/,
      );
      expect(await kubectl(fixture.config, ['exec', pod, '--', 'sh', '-c', 'echo $HOSTNAME'])).toEqual({
        code: 0,
        stdout: `${pod}\n`,
        stderr: '',
      });
    },
  );

  it('kubectl exec -it POD -- sh in a real pty: prompt, the terminal size, exit code', async () => {
    // util-linux `script` gives kubectl a terminal, so it negotiates a tty and sends its size.
    const command = `stty cols 100 rows 30; kubectl --kubeconfig ${fixture.config.path} --cache-dir ${join(fixture.config.dir, 'cache')} exec -it busybox -- sh`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: fixture.config.dir, TERM: 'xterm' },
    });
    let out = '';
    const arrived = (text: string) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no ${JSON.stringify(text)} in ${JSON.stringify(out)}`)),
          10_000,
        );
        const check = () => {
          if (!out.includes(text)) return;
          clearTimeout(timer);
          child.stdout.off('data', check);
          resolve();
        };
        child.stdout.on('data', check);
        check();
      });
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await arrived('/ # ');
    child.stdin.write('stty size\r');
    await arrived('30 100\r\n');
    child.stdin.write('exit 4\r');
    expect(await exited).toBe(4);
    expect(out).toContain('/ # stty size\r\n30 100\r\n/ # exit 4\r\n');
    expect(out).toContain('command terminated with exit code 4');
  });
});
