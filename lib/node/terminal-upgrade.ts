/**
 * `GET /api/terminal/ws`: the web terminal's websocket (subprotocol `webtty`), one lib/terminal/session.ts per
 * browser. Admission (Host, Origin, access token) has run before this route (lib/node/server.ts). Here: at most
 * `max` sessions at once (429 beyond), frames of at most MAX_FRAME_BYTES (close 1009 beyond), a pod or container
 * target opened through the cluster's exec, a cluster target through the ClusterShell; each session logged
 * without its content. A kubeconfig reload that changes a context ends that context's sessions (the credentials
 * they ran with may be revoked); the others carry on.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData } from 'ws';
import type { Principal } from '../auth/principal';
import type { Clock } from '../clock';
import type { ClusterRegistry } from '../clusters/types';
import { StatusError } from '../errors';
import type { Logger } from '../log';
import type { ForwardOptions } from '../proxy/forward';
import { startSession, type TerminalSession } from '../terminal/session';
import type { Timers } from '../terminal/timers';
import type { TerminalTokens } from '../terminal/token';
import type { ClusterShell, TerminalSize, TerminalTarget } from '../terminal/types';
import { WEBTTY_PROTOCOL } from '../terminal/webtty';
import { startPodShell } from './pod-exec';
import { refuseHandshakesWithStatus, rejectUpgrade } from './reject-upgrade';
import type { UpgradeRoute } from './server';

export const TERMINAL_WS_PATH = '/api/terminal/ws';
/** The original's buffer (gotty's 1 MiB): a large paste fits, a flood does not. */
export const MAX_FRAME_BYTES = 1024 * 1024;

export interface TerminalUpgradeOptions {
  registry: ClusterRegistry;
  tokens: TerminalTokens;
  clusterShell: ClusterShell | undefined;
  clock: Clock;
  timers: Timers;
  /** `--terminal-idle`. */
  idleMs: number;
  /** `--terminal-max`. */
  max: number;
  log: Logger;
  forward?: ForwardOptions;
}

export interface TerminalUpgrade {
  route: UpgradeRoute;
  /** Stops following the registry. Open sessions end with their sockets, which the server cuts at shutdown. */
  close(): void;
  /** Running sessions by kind (the termtype), for kore-board's own metrics. */
  sessionsByKind(): Map<string, number>;
}

/** The user a terminal token must name: the signed-in user's name, none for the owner. */
const userOf = (principal: Principal) => (principal.kind === 'user' ? principal.username : undefined);

function offered(req: IncomingMessage): string[] {
  return (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
}

function text(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return (Buffer.isBuffer(data) ? data : Buffer.from(data)).toString('utf8');
}

export function terminalUpgrade(options: TerminalUpgradeOptions): TerminalUpgrade {
  const { registry, clusterShell, log } = options;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(WEBTTY_PROTOCOL) ? WEBTTY_PROTOCOL : false),
  });
  refuseHandshakesWithStatus(wss);
  /** Running sessions and what they opened. */
  const byContext = new Map<TerminalSession, TerminalTarget>();
  let count = 0;

  const unsubscribe = registry.onChange(({ changed }) => {
    for (const [session, { cluster: context }] of byContext)
      if (changed.includes(context))
        session.end(`context ${JSON.stringify(context)} was changed or removed by a kubeconfig reload`);
  });

  const open = (target: TerminalTarget, size: TerminalSize, principal: Principal) => {
    if (target.termtype !== 'cluster') return startPodShell(registry, target, size, options.forward, principal);
    // The shell runs kubectl with the context's own credentials: never on a user's behalf (handlers/terminal.ts).
    if (principal.kind === 'user')
      return Promise.reject(new StatusError('Forbidden', 'the cluster terminal is not open to users (--auth user)'));
    const unavailable = clusterShell === undefined ? 'the cluster terminal is not enabled' : clusterShell.unavailable();
    if (unavailable !== undefined) return Promise.reject(new StatusError('NotImplemented', unavailable));
    return clusterShell!.start(target.cluster, size);
  };

  const handle = (req: IncomingMessage, socket: Duplex, head: Buffer, principal: Principal) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== TERMINAL_WS_PATH)
      return rejectUpgrade(socket, new StatusError('NotFound', `no upgrade is served at ${path}`));
    if (!offered(req).includes(WEBTTY_PROTOCOL))
      return rejectUpgrade(
        socket,
        new StatusError('BadRequest', `the terminal speaks the "${WEBTTY_PROTOCOL}" subprotocol`),
      );
    if (count >= options.max)
      return rejectUpgrade(
        socket,
        new StatusError(
          'TooManyRequests',
          `${options.max} terminal sessions are open, the most this server allows (--terminal-max)`,
        ),
      );
    const who = req.socket.remoteAddress ?? 'unknown';
    wss.handleUpgrade(req, socket, head, (ws) => {
      count++;
      const session: TerminalSession = startSession(
        {
          send: (frame) => ws.readyState === ws.OPEN && ws.send(frame),
          close: (code, reason) => ws.close(code, reason),
        },
        {
          // A token opens only for the one who signed in and minted it: another user's (or the owner's) is refused.
          tokens: { verify: (token, expect) => options.tokens.verify(token, { ...expect, user: userOf(principal) }) },
          open: (target, size) => {
            byContext.set(session, target);
            return open(target, size, principal);
          },
          clock: options.clock,
          timers: options.timers,
          idleMs: options.idleMs,
          onEnd: (record) => {
            byContext.delete(session);
            log.info('terminal session ended', { who, ...record });
          },
        },
      );
      ws.on('message', (data, isBinary) => session.message(isBinary ? '' : text(data), isBinary));
      // ws closes the socket itself on an error (1009 for an oversized frame, after sending the close frame).
      ws.on('error', () => undefined);
      ws.once('close', () => {
        count--;
        session.browserLeft();
      });
    });
  };

  const sessionsByKind = () => {
    const counts = new Map<string, number>();
    for (const { termtype } of byContext.values()) counts.set(termtype, (counts.get(termtype) ?? 0) + 1);
    return counts;
  };
  return { route: { prefix: TERMINAL_WS_PATH, handle }, close: unsubscribe, sessionsByKind };
}
