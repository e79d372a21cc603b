/**
 * A TCP gate in front of a cluster, for fault tests: it passes bytes both ways (TLS stays end to end, so the
 * cluster's certificate still names 127.0.0.1) until a test breaks it — reset every open connection, stop
 * listening (connection refused), or freeze (connections stay open and nothing passes) — and then mends it.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface FaultGate {
  /** https://127.0.0.1:PORT, the cluster's URL through the gate. */
  url: string;
  /** Resets every open connection (TCP RST): a watch in flight sees its connection reset by the server. */
  resetAll(): void;
  /** Stops listening and resets what is open: new connections are refused, as by a server that went down. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  /** Nothing passes any more, either way, on open connections or new ones; they stay open. */
  freeze(): void;
  thaw(): void;
  /** Connections open through the gate now. */
  open(): number;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket | undefined;
}

export async function startFaultGate(target: string): Promise<FaultGate> {
  const { hostname, port: targetPort } = new URL(target);
  const pairs = new Set<Pair>();
  let frozen = false;

  const join = (pair: Pair) => {
    const upstream = (pair.upstream ??= connect(Number(targetPort), hostname));
    upstream.on('error', () => pair.client.destroy());
    upstream.on('close', () => pair.client.destroy());
    pair.client.pipe(upstream);
    upstream.pipe(pair.client);
    pair.client.resume();
    upstream.resume();
  };
  const hold = (pair: Pair) => {
    pair.client.unpipe();
    pair.client.pause();
    pair.upstream?.unpipe();
    pair.upstream?.pause();
  };

  const onConnection = (client: Socket) => {
    const pair: Pair = { client, upstream: undefined };
    pairs.add(pair);
    client.on('error', () => pair.upstream?.destroy());
    client.on('close', () => {
      pair.upstream?.destroy();
      pairs.delete(pair);
    });
    if (frozen) client.pause();
    else join(pair);
  };

  let server: Server = createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;

  const resetAll = () => {
    for (const { client, upstream } of pairs) {
      client.resetAndDestroy();
      upstream?.destroy();
    }
    pairs.clear();
  };
  const down = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      resetAll();
    });

  return {
    url: `https://127.0.0.1:${port}`,
    resetAll,
    down,
    async up() {
      server = createServer(onConnection);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', resolve);
      });
    },
    freeze() {
      frozen = true;
      for (const pair of pairs) hold(pair);
    },
    thaw() {
      frozen = false;
      for (const pair of pairs) join(pair);
    },
    open: () => pairs.size,
    close: () => (server.listening ? down() : (resetAll(), Promise.resolve())),
  };
}
