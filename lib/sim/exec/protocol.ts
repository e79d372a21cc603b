/**
 * The Kubernetes remotecommand WebSocket protocol (what kubectl exec/attach speaks to the API server):
 * each message is one channel byte then data. Channels 0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize;
 * v5 adds 255, by which the client closes one of its streams. The base64 variants send text frames: the
 * channel as an ASCII digit, then the data in base64.
 */

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;
export const CLOSE = 255;

/** The subprotocols served, most capable first. */
export const EXEC_PROTOCOLS = [
  'v5.channel.k8s.io',
  'v4.channel.k8s.io',
  'v3.channel.k8s.io',
  'v2.channel.k8s.io',
  'channel.k8s.io',
  'v4.base64.channel.k8s.io',
  'base64.channel.k8s.io',
] as const;

export type ExecProtocol = (typeof EXEC_PROTOCOLS)[number];

/** The best protocol among those a client offers, or undefined when it offers none we speak. */
export function pickExecProtocol(offered: readonly string[]): ExecProtocol | undefined {
  return EXEC_PROTOCOLS.find((protocol) => offered.includes(protocol));
}

export interface ProtocolTraits {
  /** The error channel carries a metav1.Status (v4+) rather than bare text. */
  statusErrors: boolean;
  /** Resize messages on channel 4 are understood (v3+). */
  resize: boolean;
  /** The client can close its streams with channel 255 (v5). */
  closeSignal: boolean;
  base64: boolean;
}

export function traitsOf(protocol: string): ProtocolTraits {
  const version = /^v(\d+)\./.exec(protocol)?.[1];
  const v = version === undefined ? 1 : Number(version);
  return { statusErrors: v >= 4, resize: v >= 3, closeSignal: v >= 5, base64: protocol.includes('base64') };
}

/** One outgoing message: a Buffer for the binary protocols, a string for the base64 ones. */
export function encodeFrame(traits: ProtocolTraits, channel: number, data: Buffer): Buffer | string {
  return traits.base64 ? `${channel}${data.toString('base64')}` : Buffer.concat([Buffer.from([channel]), data]);
}

/** An incoming message as channel and data, or undefined when it is empty or malformed. */
export function decodeFrame(
  traits: ProtocolTraits,
  message: Buffer,
  isBinary: boolean,
): { channel: number; data: Buffer } | undefined {
  if (message.length === 0) return undefined;
  if (traits.base64 && !isBinary) {
    const text = message.toString('latin1');
    const channel = Number(text[0]);
    return Number.isInteger(channel) ? { channel, data: Buffer.from(text.slice(1), 'base64') } : undefined;
  }
  return { channel: message[0] ?? 0, data: message.subarray(1) };
}

/** How the kubelet describes a non-zero exit (the whole error message before v4). */
export function exitMessage(code: number, command: readonly string[]): string {
  return `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`;
}

/** The Status the kubelet writes on the error channel when a command exits with `code` (v4+). */
export function exitStatus(code: number, command: readonly string[]): object {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: exitMessage(code, command),
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

/** The Status for a command the runtime could not start (containerd + runc wording). */
export function startFailureStatus(message: string): object {
  return {
    metadata: {},
    status: 'Failure',
    message: `Internal error occurred: ${message}`,
    reason: 'InternalError',
    details: { causes: [{ message }] },
    code: 500,
  };
}
