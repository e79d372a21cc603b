import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { expect, it } from 'vitest';
import { createAdmission, settle } from '../../lib/admission';
import { createLogger } from '../../lib/log';
import { startServer, type RunningServer } from '../../lib/node/server';

/** A server whose upgrade route at /held answers 101 and then leaves the socket to `hold`. */
function serverHolding(hold: (socket: Duplex) => void): Promise<RunningServer> {
  return startServer({
    fetch: () => new Response('ok'),
    host: '127.0.0.1',
    port: 0,
    admit: createAdmission(settle({ allowedHosts: [], allowOrigins: [] })),
    upgrades: [
      {
        prefix: '/held',
        handle: (_req, socket) => {
          hold(socket);
          socket.write('HTTP/1.1 101 Switching Protocols\r\n\r\n');
        },
      },
    ],
    log: createLogger('silent'),
  });
}

/** Opens an upgrade and resolves once the server answered 101; the socket stays open. */
function upgrade(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () =>
      socket.write('GET /held HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n'),
    );
    socket.once('data', (data) =>
      data.toString().startsWith('HTTP/1.1 101') ? resolve(socket) : reject(new Error(data.toString())),
    );
    socket.once('error', reject);
  });
}

it('cuts upgraded sockets that outlive the grace at shutdown, and only then says it is closed', async () => {
  // Never lets go, as a terminal whose browser stays would.
  const running = await serverHolding(() => undefined);
  const client = await upgrade(running.port);
  const clientClosed = new Promise((resolve) => client.once('close', resolve));
  let closed = false;
  const closing = running.close(200).then(() => (closed = true));
  await clientClosed;
  await closing;
  expect(closed).toBe(true);
});

it('says it is closed as soon as upgraded sockets end by themselves within the grace', async () => {
  // Ends its side when the client ends, as a terminal session does when the browser leaves.
  const running = await serverHolding((socket) => socket.on('end', () => socket.end()));
  const client = await upgrade(running.port);
  const started = performance.now();
  const closing = running.close(60_000);
  client.end();
  await closing;
  // Far below the minute of grace: the close followed the socket's end, not the timer.
  expect(performance.now() - started).toBeLessThan(10_000);
});
