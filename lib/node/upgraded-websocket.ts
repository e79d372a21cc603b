/**
 * The client end of a websocket whose handshake went through `forward` (lib/proxy/forward.ts): the request took
 * the context's credentials, TLS and proxy like every other cluster request, and a refusal came back as a Status
 * body; after the 101 the socket is ours. ws's own frame reader and writer (exported by ws, not typed by
 * @types/ws) speak the framing: client frames masked, server frames read unmasked, pings answered.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import * as ws from 'ws';
import type { HeaderMap } from '../proxy/headers';

interface FrameReader {
  /** false: stop feeding it until 'drain'. */
  write(chunk: Buffer): boolean;
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): this;
  on(event: 'ping', listener: (data: Buffer) => void): this;
  on(event: 'conclude', listener: (code: number) => void): this;
  on(event: 'drain', listener: () => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
}

interface FrameWriter {
  send(data: Buffer, options: { binary: boolean; fin: boolean; mask: boolean; compress: boolean }): void;
  close(code: number, data: string, mask: boolean, cb: () => void): void;
  pong(data: Buffer, mask: boolean): void;
  onerror: (err: Error) => void;
}

const frames = ws as unknown as {
  Receiver: new (options: { isServer: boolean; maxPayload: number; binaryType: 'nodebuffer' }) => FrameReader;
  Sender: new (socket: Duplex) => FrameWriter;
};

/** RFC 6455 §1.3. */
const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** An exec's output frames are a few KiB; a cluster sending more in one message is not a kubelet. */
const MAX_PAYLOAD = 16 * 1024 * 1024;
/** How long the cluster gets to answer our close frame before the socket is cut. */
const CLOSE_GRACE_MS = 5_000;

/** The request headers of a websocket handshake offering `protocols`, with the key to check the answer by. */
export function handshakeHeaders(protocols: readonly string[]): { key: string; headers: Record<string, string> } {
  const key = randomBytes(16).toString('base64');
  return {
    key,
    headers: {
      'sec-websocket-key': key,
      'sec-websocket-version': '13',
      'sec-websocket-protocol': protocols.join(', '),
    },
  };
}

/** The subprotocol the server chose, or why its 101 is not an answer to our handshake. */
export function acceptedProtocol(
  key: string,
  protocols: readonly string[],
  headers: HeaderMap,
): { protocol: string } | { invalid: string } {
  const expected = createHash('sha1')
    .update(key + HANDSHAKE_GUID)
    .digest('base64');
  if (headers['sec-websocket-accept'] !== expected) return { invalid: 'the websocket handshake answer does not match' };
  const protocol = headers['sec-websocket-protocol'];
  if (typeof protocol !== 'string' || !protocols.includes(protocol))
    return { invalid: `the server chose none of the offered subprotocols (${protocols.join(', ')})` };
  return { protocol };
}

export interface UpgradedWebSocket {
  /** One binary message. */
  send(data: Buffer): void;
  onMessage(listener: (data: Buffer) => void): void;
  /** Once, when the socket is gone (either side closed it, or it failed). */
  onClose(listener: () => void): void;
  /** Sends a close frame; the socket ends when the server answers, or after a grace period. */
  close(): void;
}

export function upgradedWebSocket(socket: Duplex): UpgradedWebSocket {
  const reader = new frames.Receiver({ isServer: false, maxPayload: MAX_PAYLOAD, binaryType: 'nodebuffer' });
  const writer = new frames.Sender(socket);
  let onMessage: (data: Buffer) => void = () => undefined;
  let closeSent = false;
  const sendClose = () => {
    if (closeSent || socket.destroyed) return;
    closeSent = true;
    writer.close(1000, '', true, () => socket.end());
    setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
  };

  socket.on('data', (chunk: Buffer) => {
    if (!reader.write(chunk)) socket.pause();
  });
  reader.on('drain', () => socket.resume());
  reader.on('message', (data) => onMessage(data));
  reader.on('ping', (data) => writer.pong(data, true));
  // The server closed: answer in kind (RFC 6455 §5.5.1), then it closes the connection.
  reader.on('conclude', sendClose);
  reader.on('error', () => socket.destroy());
  writer.onerror = () => socket.destroy();
  socket.on('error', () => socket.destroy());

  return {
    send: (data) => {
      if (!closeSent && !socket.destroyed) writer.send(data, { binary: true, fin: true, mask: true, compress: false });
    },
    onMessage: (listener) => void (onMessage = listener),
    onClose: (listener) => void socket.once('close', listener),
    close: sendClose,
  };
}
