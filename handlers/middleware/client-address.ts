import type { Context } from 'hono';

/** What @hono/node-server puts in `c.env`: the Node request, whose socket knows the peer. */
interface NodeBindings {
  incoming?: { socket?: { remoteAddress?: string } };
}

/**
 * The caller's address, where failed sign-ins are counted: the socket's peer on Node, the address Cloudflare
 * saw at the edge (its own header, which callers cannot set past Cloudflare). Undefined when neither is known.
 */
export function clientAddressOf(c: Context): string | undefined {
  const env = c.env as NodeBindings | undefined;
  return env?.incoming?.socket?.remoteAddress ?? c.req.header('cf-connecting-ip');
}
