/**
 * The kubelet's WebSocket port-forward protocol (no SPDY): the ports are fixed by the request (`?ports=`),
 * and for the i-th port channel 2i carries data and 2i+1 errors, each message led by its channel byte.
 * The server opens every channel with the port number (uint16, little-endian). A listening port echoes
 * what arrives on its data channel; any other port gets the kubelet's error text on its error channel.
 * The base64 subprotocols send text frames: the channel as an ASCII digit, then base64.
 */
import type { WebSocket } from 'ws';
import type { PortForwardTarget } from './target';

/** Subprotocols served, binary first; none offered means binary, as the kubelet treats "". */
export const CHANNEL_PROTOCOLS = ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io', 'base64.channel.k8s.io'] as const;

export function runChannelPortForward(ws: WebSocket, ports: readonly number[], target: PortForwardTarget): void {
  const base64 = ws.protocol.includes('base64');
  const send = (channel: number, data: Buffer) => {
    if (base64) ws.send(`${String.fromCharCode(48 + channel)}${data.toString('base64')}`);
    else ws.send(Buffer.concat([Buffer.from([channel]), data]), { binary: true });
  };
  ports.forEach((port, i) => {
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16LE(port);
    send(2 * i, prefix);
    send(2 * i + 1, prefix);
    if (!target.listening.has(port)) send(2 * i + 1, Buffer.from(target.refused(port)));
  });
  ws.on('message', (raw: Buffer, isBinary: boolean) => {
    let channel: number;
    let data: Buffer;
    if (isBinary) {
      channel = raw[0] ?? -1;
      data = raw.subarray(1);
    } else {
      const text = raw.toString('utf8');
      channel = text.charCodeAt(0) - 48;
      data = Buffer.from(text.slice(1), 'base64');
    }
    const port = ports[channel / 2];
    if (channel % 2 === 0 && port !== undefined && target.listening.has(port) && data.length > 0) send(channel, data);
  });
}
