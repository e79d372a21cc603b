/**
 * pods/portforward in the simulated API server: the real kubectl port-forward (SPDY tunnelled in a
 * WebSocket, as kubectl 1.32 does first, and plain SPDY/3.1, its fallback) reaching the echo servers a pod's
 * declared ports stand for; the kubelet's error for a port nothing listens on; the WebSocket channel
 * protocol; and the refusals that come before any upgrade.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { simWithKubeconfig } from '../helpers/kubectl';

const fixture = simWithKubeconfig();

const REDIS = '/api/v1/namespaces/shop/pods/redis-0/portforward';

interface PortForward {
  localPort: number;
  child: ChildProcessWithoutNullStreams;
  stderr(): string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Starts `kubectl port-forward` (verbose enough to log how it connected) and waits for its local port. */
async function portForward(args: string[], env: Record<string, string> = {}): Promise<PortForward> {
  const child = spawn(
    'kubectl',
    [
      '--kubeconfig',
      fixture.config.path,
      '--cache-dir',
      join(fixture.config.dir, 'cache'),
      '-v=4',
      'port-forward',
      ...args,
    ],
    {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: fixture.config.dir, ...env },
    },
  );
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const localPort = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`port-forward did not start\n${stdout}\n${stderr}`)), 15_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    void exited.then(() => reject(new Error(`port-forward exited\n${stdout}\n${stderr}`)));
  });
  return {
    localPort,
    child,
    stderr: () => stderr,
    exited,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Sends `payload` through a forwarded port, half-closes, and resolves with all that came back once the far side closes. */
function roundTrip(port: number, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connectTcp(port, '127.0.0.1', () => socket.end(payload));
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

describe('kubectl port-forward', () => {
  it('tunnels SPDY in a WebSocket (kubectl 1.32 default): each connection reaches an echo server', async () => {
    const pf = await portForward(['-n', 'shop', 'pod/redis-0', ':6379']);
    try {
      const big = Buffer.alloc(300_000, 'x');
      const [a, b, c] = await Promise.all([
        roundTrip(pf.localPort, Buffer.from('PING\r\n')),
        roundTrip(pf.localPort, Buffer.from('second')),
        roundTrip(pf.localPort, big),
      ]);
      expect(a.toString()).toBe('PING\r\n');
      expect(b.toString()).toBe('second');
      expect(c.equals(big)).toBe(true);
      expect(pf.stderr()).toContain('negotiated protocol: portforward.k8s.io');
      expect(pf.stderr()).not.toContain('fallback');
    } finally {
      await pf.stop();
    }
  });

  it('falls back to a plain SPDY/3.1 upgrade when WebSockets are turned off, and echoes the same', async () => {
    const pf = await portForward(['-n', 'shop', 'pod/redis-0', ':6379'], { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' });
    try {
      expect((await roundTrip(pf.localPort, Buffer.from('over spdy'))).toString()).toBe('over spdy');
      expect(pf.stderr()).not.toContain('WebSocket');
    } finally {
      await pf.stop();
    }
  });

  it('reports the kubelet\'s "connection refused" for a port nothing listens on, and kubectl gives up', async () => {
    const pf = await portForward(['-n', 'shop', 'pod/redis-0', ':6380']);
    try {
      expect((await roundTrip(pf.localPort, Buffer.from('anyone?'))).length).toBe(0);
      expect(await pf.exited).toBe(1);
      expect(pf.stderr()).toMatch(
        /an error occurred forwarding \d+ -> 6380: error forwarding port 6380 to pod [0-9a-f]{64}, uid : failed to execute portforward in network namespace .*connect: connection refused/,
      );
      expect(pf.stderr()).toContain('lost connection to pod');
    } finally {
      await pf.stop();
    }
  });

  it('is refused before any upgrade for a pod that declares no ports (default/busybox)', async () => {
    const child = spawn(
      'kubectl',
      [
        '--kubeconfig',
        fixture.config.path,
        '--cache-dir',
        join(fixture.config.dir, 'cache'),
        'port-forward',
        'pod/busybox',
        ':80',
      ],
      { env: { PATH: process.env.PATH ?? '', HOME: fixture.config.dir } },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('error upgrading connection');
    expect(stderr).toContain('pod busybox declares no container ports');
  });
});

/** An upgrade request's status line and body, sent by hand over TLS. */
function rawUpgrade(
  path: string,
  headers: Record<string, string>,
  method = 'GET',
): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(fixture.sim.url);
    const socket = connectTls(
      {
        host: url.hostname,
        port: Number(url.port),
        ca: fixture.sim.caPem,
        cert: fixture.sim.client.certPem,
        key: fixture.sim.client.keyPem,
      },
      () => {
        const lines = Object.entries(headers)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('');
        socket.write(`${method} ${path} HTTP/1.1\r\nHost: ${url.host}\r\n${lines}\r\n`);
      },
    );
    let text = '';
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end !== -1 && (text.startsWith('HTTP/1.1 101') || /Content-Length: (\d+)/i.test(text))) {
        const length = Number(/Content-Length: (\d+)/i.exec(text)?.[1] ?? 0);
        if (text.length >= end + 4 + length) {
          socket.destroy();
          resolve({
            status: Number(text.slice(9, 12)),
            head: text.slice(0, end),
            body: text.slice(end + 4, end + 4 + length),
          });
        }
      }
    });
    socket.on('error', reject);
  });
}

const WS_HEADERS = {
  Connection: 'Upgrade',
  Upgrade: 'websocket',
  'Sec-WebSocket-Version': '13',
  'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
};

describe('the pods/portforward upgrade', () => {
  it('answers the tunnelling subprotocol by its own name', async () => {
    const r = await rawUpgrade(REDIS, {
      ...WS_HEADERS,
      'Sec-WebSocket-Protocol': 'v4.channel.k8s.io, SPDY/3.1+portforward.k8s.io',
    });
    expect(r.status).toBe(101);
    expect(r.head.split('\r\n')).toContain('Sec-WebSocket-Protocol: SPDY/3.1+portforward.k8s.io');
  });

  it('refuses what the API server and kubelet refuse, as Status errors', async () => {
    const busybox = await rawUpgrade(
      '/api/v1/namespaces/default/pods/busybox/portforward',
      { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'portforward.k8s.io' },
      'POST',
    );
    expect(busybox.status).toBe(400);
    expect(JSON.parse(busybox.body).message).toBe(
      'unable to upgrade connection: pod busybox declares no container ports, and simulated containers listen only on those',
    );
    const missing = await rawUpgrade('/api/v1/namespaces/shop/pods/nope/portforward', WS_HEADERS);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).message).toBe('pods "nope" not found');
    const pending = await rawUpgrade(
      '/api/v1/namespaces/shop/pods/batch-worker/portforward',
      { Connection: 'Upgrade', Upgrade: 'SPDY/3.1' },
      'POST',
    );
    expect(JSON.parse(pending.body).message).toBe('pod batch-worker does not have a host assigned');
    const noPorts = await rawUpgrade(REDIS, { ...WS_HEADERS, 'Sec-WebSocket-Protocol': 'v4.channel.k8s.io' });
    expect(noPorts.status).toBe(400);
    expect(JSON.parse(noPorts.body).message).toBe('query parameter "port" is required');
    const badProtocol = await rawUpgrade(
      REDIS,
      { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'v9.portforward.k8s.io' },
      'POST',
    );
    expect(badProtocol.status).toBe(403);
    const plain = await rawUpgrade(REDIS, { 'Content-Length': '0' }, 'POST');
    expect(plain.status).toBe(400);
    expect(JSON.parse(plain.body).message).toBe('Upgrade request required');
  });
});

describe('a plain SPDY/3.1 connection', () => {
  const control = (version: number, type: number, payload: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt16BE(0x8000 | version, 0);
    head.writeUInt16BE(type, 2);
    head.writeUIntBE(payload.length, 5, 3);
    return Buffer.concat([head, payload]);
  };

  it('answers a client PING with the same id, and drops the connection on a frame of another SPDY version', async () => {
    const url = new URL(fixture.sim.url);
    const socket = connectTls({
      host: url.hostname,
      port: Number(url.port),
      ca: fixture.sim.caPem,
      cert: fixture.sim.client.certPem,
      key: fixture.sim.client.keyPem,
    });
    let received = Buffer.alloc(0);
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const arrived = (predicate: (b: Buffer) => boolean) =>
      new Promise<void>((resolve) => {
        const check = () => (predicate(received) ? resolve() : socket.once('data', check));
        check();
      });
    socket.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
    await new Promise((resolve) => socket.once('secureConnect', resolve));
    socket.write(
      `POST ${REDIS} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\nContent-Length: 0\r\n\r\n`,
    );
    await arrived((b) => b.includes('\r\n\r\n'));
    expect(received.toString('latin1')).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    const afterHead = received.indexOf('\r\n\r\n') + 4;
    const ping = Buffer.alloc(4);
    ping.writeUInt32BE(7);
    socket.write(control(3, 6, ping));
    await arrived((b) => b.length >= afterHead + 12);
    expect(received.subarray(afterHead).equals(control(3, 6, ping))).toBe(true);
    socket.write(control(2, 6, ping));
    await closed;
  });
});

describe('the WebSocket channel protocol (?ports=)', () => {
  async function open(
    protocol: string,
    ports: string,
  ): Promise<{ ws: WebSocket; messages: (Buffer | string)[]; next(count: number): Promise<(Buffer | string)[]> }> {
    const ws = new WebSocket(`${fixture.sim.url.replace('https', 'wss')}${REDIS}?ports=${ports}`, [protocol], {
      ca: fixture.sim.caPem,
      headers: { authorization: `Bearer ${fixture.sim.token}` },
    });
    const messages: (Buffer | string)[] = [];
    const waiters: (() => void)[] = [];
    ws.on('message', (data: Buffer, binary: boolean) => {
      messages.push(binary ? data : data.toString());
      for (const w of waiters.splice(0)) w();
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const next = (count: number) =>
      new Promise<(Buffer | string)[]>((resolve) => {
        const check = () => (messages.length >= count ? resolve(messages.slice(0, count)) : waiters.push(check));
        check();
      });
    return { ws, messages, next };
  }

  it('opens each channel with its port, reports a refused port on its error channel, echoes a listening one', async () => {
    const { ws, next } = await open('v4.channel.k8s.io', '6379,6380');
    try {
      expect(ws.protocol).toBe('v4.channel.k8s.io');
      const first = (await next(5)) as Buffer[];
      expect(first.slice(0, 4).map((m) => [m[0], m.readUInt16LE(1)])).toEqual([
        [0, 6379],
        [1, 6379],
        [2, 6380],
        [3, 6380],
      ]);
      expect(first[4]?.[0]).toBe(3);
      expect(first[4]?.subarray(1).toString()).toContain('failed to connect to localhost:6380');
      ws.send(Buffer.concat([Buffer.from([2]), Buffer.from('to nowhere')]));
      ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('hello')]));
      const [echo] = ((await next(6)) as Buffer[]).slice(5);
      expect([echo?.[0], echo?.subarray(1).toString()]).toEqual([0, 'hello']);
    } finally {
      ws.close();
    }
  });

  it('speaks base64 text frames on the base64 subprotocol', async () => {
    const { ws, next } = await open('v4.base64.channel.k8s.io', '6379');
    try {
      expect(await next(2)).toEqual([
        `0${Buffer.from([0xeb, 0x18]).toString('base64')}`,
        `1${Buffer.from([0xeb, 0x18]).toString('base64')}`,
      ]);
      ws.send(`0${Buffer.from('text').toString('base64')}`);
      expect((await next(3))[2]).toBe(`0${Buffer.from('text').toString('base64')}`);
    } finally {
      ws.close();
    }
  });
});
