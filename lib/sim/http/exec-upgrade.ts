/**
 * The WebSocket upgrade for pods/exec and pods/attach: the checks the API server and kubelet make before
 * upgrading (pod, container, command, streams, pod phase) answered as Status errors on the plain HTTP
 * response, then subprotocol negotiation in the client's order of preference, then the session.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { EXEC_PROTOCOLS, type ExecTarget } from '../exec/index';
import { StatusError } from '../../errors';
import { refuseHandshakesWithStatus } from '../../node/reject-upgrade';
import { isObject } from '../object-meta';
import type { SimStore } from '../store/store';
import type { ResourceRoute } from './route';
import { boolParam } from './context';
import { resolveContainer } from './logs';

export type ExecSessionRunner = (ws: WebSocket, protocol: string, target: ExecTarget) => void | Promise<void>;

/** An exec or attach session whose websocket is open, as tests see it from the cluster's side. */
export interface OpenExec {
  namespace: string;
  pod: string;
  container: string;
  command: readonly string[];
}

const SPOKEN: ReadonlySet<string> = new Set(EXEC_PROTOCOLS);

/**
 * The first protocol the client offers that we speak: like the API server's websocket handshake, the
 * client's order of preference decides, not ours.
 */
export function chooseProtocol(offered: Iterable<string>): string | false {
  for (const p of offered) if (SPOKEN.has(p)) return p;
  return false;
}

function offeredProtocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  return (header ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** Validates an exec/attach request; returns the session target or throws the Status the server would send. */
export function execTarget(
  store: SimStore,
  route: ResourceRoute,
  query: URLSearchParams,
  req: IncomingMessage,
): ExecTarget {
  const attach = route.subresource === 'attach';
  const pod = store.require(route.res, route.namespace, route.name ?? '');
  const command = query.getAll('command');
  if (!attach && command.length === 0) throw new StatusError('BadRequest', 'you must specify at least 1 command');
  const streams = {
    stdin: boolParam(query, 'stdin'),
    stdout: boolParam(query, 'stdout'),
    stderr: boolParam(query, 'stderr'),
    tty: boolParam(query, 'tty'),
  };
  if (!streams.stdin && !streams.stdout && !streams.stderr)
    throw new StatusError('BadRequest', 'you must specify at least 1 of stdin, stdout, stderr');
  if (streams.tty && streams.stderr) streams.stderr = false; // a tty merges stderr into stdout, as the kubelet does
  const container = resolveContainer(pod, query.get('container'));
  const spec = isObject(pod.spec) ? pod.spec : {};
  const status = isObject(pod.status) ? pod.status : {};
  const name = pod.metadata.name ?? '';
  if (typeof spec.nodeName !== 'string' || spec.nodeName === '')
    throw new StatusError('BadRequest', `pod ${name} does not have a host assigned`);
  if (status.phase === 'Succeeded' || status.phase === 'Failed') {
    throw new StatusError(
      'BadRequest',
      `cannot ${attach ? 'attach to' : 'exec into'} a container in a completed pod; current phase is ${status.phase}`,
    );
  }
  const running = (Array.isArray(status.containerStatuses) ? status.containerStatuses : [])
    .filter(isObject)
    .find((c) => c.name === container);
  if (!isObject(running?.state) || !isObject(running.state.running)) {
    throw new StatusError('BadRequest', `unable to upgrade connection: container not found ("${container}")`);
  }
  if (offeredProtocols(req).length > 0 && chooseProtocol(offeredProtocols(req)) === false) {
    throw new StatusError(
      'BadRequest',
      `requested protocol(s) are not supported: [${offeredProtocols(req).join(' ')}]; supports [${EXEC_PROTOCOLS.join(' ')}]`,
    );
  }
  return { pod, container, command, ...streams, attach };
}

export class ExecUpgrader {
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (offered) => chooseProtocol(offered),
  });
  private readonly open = new Map<WebSocket, OpenExec>();

  constructor(
    private readonly run: ExecSessionRunner,
    private readonly onError: (err: unknown) => void,
  ) {
    refuseHandshakesWithStatus(this.wss);
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: ExecTarget): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const { name = '', namespace = '' } =
        (target.pod as { metadata?: { name?: string; namespace?: string } }).metadata ?? {};
      this.open.set(ws, { namespace, pod: name, container: target.container, command: target.command });
      ws.once('close', () => this.open.delete(ws));
      // No subprotocol offered means the original binary channel protocol, as the kubelet treats "".
      Promise.resolve(this.run(ws, ws.protocol || 'channel.k8s.io', target)).catch((err: unknown) => {
        this.onError(err);
        ws.terminate();
      });
    });
  }

  /** The sessions open now. */
  sessions(): OpenExec[] {
    return [...this.open.values()];
  }

  /** Ends every open session (server shutdown). */
  closeAll(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }
}
