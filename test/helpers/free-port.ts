import { createServer } from 'node:net';

/** A port on 127.0.0.1 that was free a moment ago, for a process that takes its port as a flag. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
