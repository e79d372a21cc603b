/**
 * The upgrades of pods/portforward, in the three shapes clients use:
 * - WebSocket with subprotocol `SPDY/3.1+portforward.k8s.io`: SPDY tunnelled in binary messages (what
 *   kubectl 1.31+ tries first);
 * - a plain HTTP upgrade to `SPDY/3.1` with `X-Stream-Protocol-Version: portforward.k8s.io` (kubectl's
 *   fallback, older clients);
 * - WebSocket with the kubelet's channel protocol and `?ports=` (browsers, client libraries).
 * The checks the API server and kubelet make come first and fail as Status errors on the HTTP response.
 * Simplified: a pod that declares no container port refuses the upgrade itself (a kubelet would accept it
 * and then refuse each connection), so "nothing to forward to" shows at once.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { StatusError } from '../../errors';
import { refuseHandshakesWithStatus } from '../../node/reject-upgrade';
import { isObject, type KubeObject } from '../object-meta';
import type { SimStore } from '../store/store';
import { CHANNEL_PROTOCOLS, runChannelPortForward } from '../port-forward/channel-session';
import { SpdyPortForwardSession, type ByteTransport } from '../port-forward/spdy-session';
import { portForwardTarget, type PortForwardTarget } from '../port-forward/target';
import type { ResourceRoute } from './route';

const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
export const SPDY_TUNNEL_PROTOCOL = `SPDY/3.1+${PORT_FORWARD_PROTOCOL}`;
/**
 * `ws` refuses subprotocols that are not HTTP tokens, and the tunnelling one has a '/': the handshake runs
 * with this stand-in, and the answer names the real protocol again.
 */
const TUNNEL_TOKEN = 'spdy-3.1-portforward-tunnel';

function headerList(value: string | string[] | undefined): string[] {
  return (Array.isArray(value) ? value : [value ?? ''])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function isWebSocket(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

function chooseWebSocketProtocol(offered: Iterable<string>): string | false {
  const list = [...offered];
  if (list.includes(SPDY_TUNNEL_PROTOCOL)) return SPDY_TUNNEL_PROTOCOL;
  return CHANNEL_PROTOCOLS.find((p) => list.includes(p)) ?? false;
}

/** `ports=80,443&ports=8080` as the API server reads PodPortForwardOptions. */
function requestedPorts(query: URLSearchParams): number[] {
  const values = query.getAll('ports');
  if (values.length === 0) throw new StatusError('BadRequest', 'query parameter "port" is required');
  return values.flatMap((value) =>
    value.split(',').map((text) => {
      const port = Number(text);
      if (text === '' || !Number.isInteger(port) || port > 65535)
        throw new StatusError(
          'BadRequest',
          `unable to parse "${value}" as a port: strconv.ParseUint: parsing "${text}": invalid syntax`,
        );
      if (port < 1) throw new StatusError('BadRequest', `port "${value}" must be > 0`);
      return port;
    }),
  );
}

export interface PortForwardRequest {
  target: PortForwardTarget;
  /** For the channel protocol: the ports, in channel order. */
  ports: number[];
}

/** Validates a port-forward request; the session's target, or the Status the server would answer. */
export function portForwardRequest(
  store: SimStore,
  route: ResourceRoute,
  query: URLSearchParams,
  req: IncomingMessage,
): PortForwardRequest {
  const pod: KubeObject = store.require(route.res, route.namespace, route.name ?? '');
  const name = pod.metadata.name ?? '';
  const spec = isObject(pod.spec) ? pod.spec : {};
  if (typeof spec.nodeName !== 'string' || spec.nodeName === '')
    throw new StatusError('BadRequest', `pod ${name} does not have a host assigned`);
  const target = portForwardTarget(pod);
  if (target.listening.size === 0)
    throw new StatusError(
      'BadRequest',
      `unable to upgrade connection: pod ${name} declares no container ports, and simulated containers listen only on those`,
    );
  if (isWebSocket(req)) {
    const offered = headerList(req.headers['sec-websocket-protocol']);
    const chosen = offered.length === 0 ? '' : chooseWebSocketProtocol(offered);
    if (chosen === false) {
      throw new StatusError(
        'BadRequest',
        `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${[SPDY_TUNNEL_PROTOCOL, ...CHANNEL_PROTOCOLS].join(' ')}]`,
      );
    }
    return { target, ports: chosen === SPDY_TUNNEL_PROTOCOL ? [] : requestedPorts(query) };
  }
  if (!(req.headers.upgrade ?? '').toLowerCase().startsWith('spdy/3.1'))
    throw new StatusError('BadRequest', 'unable to upgrade: missing upgrade headers in request');
  const versions = headerList(req.headers['x-stream-protocol-version']);
  if (versions.length > 0 && !versions.includes(PORT_FORWARD_PROTOCOL)) {
    throw new StatusError(
      'Forbidden',
      `unable to upgrade: unable to negotiate protocol: client supports ${JSON.stringify(versions)}, server accepts ["${PORT_FORWARD_PROTOCOL}"]`,
    );
  }
  return { target, ports: [] };
}

export class PortForwardUpgrader {
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (offered) => (offered.has(TUNNEL_TOKEN) ? TUNNEL_TOKEN : chooseWebSocketProtocol(offered)),
  });
  private readonly sessions = new Set<SpdyPortForwardSession>();

  constructor(private readonly onError: (err: unknown) => void) {
    refuseHandshakesWithStatus(this.wss);
    // Put the real tunnelling subprotocol back into the handshake answer (see TUNNEL_TOKEN).
    this.wss.on('headers', (headers: string[]) => {
      const i = headers.indexOf(`Sec-WebSocket-Protocol: ${TUNNEL_TOKEN}`);
      if (i !== -1) headers[i] = `Sec-WebSocket-Protocol: ${SPDY_TUNNEL_PROTOCOL}`;
    });
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, request: PortForwardRequest): void {
    if (isWebSocket(req)) {
      if (headerList(req.headers['sec-websocket-protocol']).includes(SPDY_TUNNEL_PROTOCOL))
        req.headers['sec-websocket-protocol'] = TUNNEL_TOKEN;
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        if (ws.protocol === TUNNEL_TOKEN) this.tunnel(ws, request.target);
        else runChannelPortForward(ws, request.ports, request.target);
      });
      return;
    }
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PORT_FORWARD_PROTOCOL}\r\n\r\n`,
    );
    const session = this.open({ send: (bytes) => socket.write(bytes), close: () => socket.destroy() }, request.target);
    socket.on('data', (chunk: Buffer) => session.receive(chunk));
    socket.on('close', () => session.close());
    socket.on('error', () => session.close());
    if (head.length > 0) session.receive(head);
  }

  /** SPDY in WebSocket binary messages: the byte stream is their concatenation, in both directions. */
  private tunnel(ws: WebSocket, target: PortForwardTarget): void {
    const session = this.open(
      { send: (bytes) => ws.send(bytes, { binary: true }), close: () => ws.close(1000) },
      target,
    );
    ws.on('message', (data: Buffer) => session.receive(data));
    ws.on('close', () => session.close());
    ws.on('error', () => session.close());
  }

  /** A SPDY session on a transport, tracked until it closes. */
  private open(transport: ByteTransport, target: PortForwardTarget): SpdyPortForwardSession {
    const session: SpdyPortForwardSession = new SpdyPortForwardSession(
      {
        send: transport.send,
        close: () => {
          this.sessions.delete(session);
          transport.close();
        },
      },
      target,
      this.onError,
    );
    this.sessions.add(session);
    return session;
  }

  /** Ends every open session (server shutdown). */
  closeAll(): void {
    for (const session of this.sessions) session.goAway();
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }
}
