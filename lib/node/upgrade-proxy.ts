import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { OWNER, type Principal } from '../auth/principal';
import { connectionFor } from '../clusters/principal-connection';
import type { ClusterRegistry } from '../clusters/types';
import { toStatusError } from '../errors';
import { DEFAULT_FORWARD_OPTIONS, forward, type ForwardOptions, type ResponseSink } from '../proxy/forward';
import type { HeaderMap, IncomingHeaderMap } from '../proxy/headers';
import { RAW_PREFIX, resolveRawTarget } from '../proxy/raw-target';
import { leaveSignal } from './leave-signal';
import { rejectUpgrade } from './reject-upgrade';
import type { UpgradeRoute } from './server';

/**
 * exec / attach / port-forward: the upgrade handshake is forwarded to the cluster over an HTTP/1.1
 * connection with the subprotocol headers intact, and after a 101 the two sockets are joined.
 *
 * Any other answer is relayed as a plain HTTP response with `Connection: close`, and both connections
 * are closed: neither is ever reused or tunnelled after a refused upgrade (CVE-2018-1002105).
 */

function headerLines(headers: IncomingHeaderMap): string {
  let lines = '';
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) lines += `${name}: ${v}\r\n`;
  }
  return lines;
}

/** Joins two sockets; when either side closes or fails, both are destroyed. */
function join(client: Duplex, upstream: Duplex): void {
  const closeBoth = () => {
    client.destroy();
    upstream.destroy();
  };
  for (const s of [client, upstream]) {
    s.once('close', closeBoth);
    s.once('error', closeBoth);
  }
  upstream.pipe(client);
  client.pipe(upstream);
}

function socketSink(client: Duplex, head: Buffer): ResponseSink {
  let started = false;
  const gone = () => client.destroyed || !client.writable;
  return {
    start(statusCode, headers: HeaderMap) {
      started = true;
      if (gone()) return;
      // The refused upgrade ends here: this connection carries this one answer and closes (the upstream's
      // `Connection` stopped in clientResponseHeaders, with every other hop-by-hop header).
      client.write(
        `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? 'Unknown'}\r\n${headerLines(headers)}connection: close\r\n\r\n`,
      );
    },
    write: (chunk) => gone() || client.write(chunk),
    waitDrain: (resume) => void client.once('drain', resume),
    end: () => void client.end(),
    abandon: () => void client.destroy(),
    fail(error) {
      if (gone()) return;
      if (started) client.destroy();
      else rejectUpgrade(client, error);
    },
    upgraded(headers, upstream) {
      if (gone()) return void upstream.destroy();
      client.write(`HTTP/1.1 101 Switching Protocols\r\n${headerLines(headers)}\r\n`);
      if (head.length > 0) upstream.write(head);
      join(client, upstream);
    },
  };
}

/** Passes one `/raw/clusters/<context>/...` upgrade through to the cluster; owns `socket` from here on. */
export function proxyUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  registry: ClusterRegistry,
  options: ForwardOptions = DEFAULT_FORWARD_OPTIONS,
  principal: Principal = OWNER,
): void {
  try {
    const resolved = resolveRawTarget(registry, req.url ?? '');
    const { target } = resolved;
    // A user's upgrade carries their token alone; the owner's the context's credentials.
    const conn = connectionFor(resolved.conn, principal);
    // Until forward settles (upgraded, or answered), a closing client socket cancels the upstream request.
    let settled = false;
    const signal = leaveSignal(socket, () => settled);
    const upgrade = req.headers.upgrade ?? 'websocket';
    const request = { method: req.method ?? 'GET', target, headers: req.headers, body: undefined, signal, upgrade };
    void forward(conn, request, socketSink(socket, head), options).finally(() => (settled = true));
  } catch (err) {
    rejectUpgrade(socket, toStatusError(err));
  }
}

/** The route the Node server's single 'upgrade' listener dispatches `/raw/clusters/` upgrades to. */
export function rawUpgradeRoute(
  registry: ClusterRegistry,
  options: ForwardOptions = DEFAULT_FORWARD_OPTIONS,
): UpgradeRoute {
  return {
    prefix: RAW_PREFIX,
    handle: (req, socket, head, principal) => proxyUpgrade(req, socket, head, registry, options, principal),
  };
}
