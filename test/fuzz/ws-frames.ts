/**
 * Websocket frames written and read byte by byte (RFC 6455 §5.2), so the fuzzer can send what no websocket
 * library would: unmasked client frames, lengths that lie, reserved opcodes and bits, broken fragmentation.
 */

export interface FrameSpec {
  fin: boolean;
  /** RSV1-3 as the low three bits. */
  rsv: number;
  opcode: number;
  /** A client must mask; false sends the payload in the clear (a protocol error the server must refuse). */
  masked: boolean;
  payload: Buffer;
  /** A length field that differs from the payload's real length (the frame then lies). */
  declaredLength?: number;
}

export function encodeFrame(spec: FrameSpec): Buffer {
  const length = spec.declaredLength ?? spec.payload.length;
  let header: Buffer;
  if (length < 126) {
    header = Buffer.alloc(2);
    header[1] = length;
  } else if (length < 0x10000) {
    header = Buffer.alloc(4);
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  header[0] = (spec.fin ? 0x80 : 0) | ((spec.rsv & 7) << 4) | (spec.opcode & 0x0f);
  if (!spec.masked) return Buffer.concat([header, spec.payload]);
  header[1] = (header[1] ?? 0) | 0x80;
  // A fixed key: masking hides nothing from this server, it only has to be there.
  const key = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
  const masked = Buffer.from(spec.payload.map((b, i) => b ^ (key[i % 4] ?? 0)));
  return Buffer.concat([header, key, masked]);
}

export const closePayload = (code: number, reason = ''): Buffer => {
  const out = Buffer.alloc(2 + Buffer.byteLength(reason));
  out.writeUInt16BE(code, 0);
  out.write(reason, 2);
  return out;
};

export interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

/** The whole frames a server sent (unmasked, as servers send them); a trailing partial frame is left out. */
export function parseServerFrames(bytes: Buffer): ServerFrame[] {
  const frames: ServerFrame[] = [];
  let pos = 0;
  while (pos + 2 <= bytes.length) {
    const opcode = (bytes[pos] ?? 0) & 0x0f;
    const second = bytes[pos + 1] ?? 0;
    let length = second & 0x7f;
    let at = pos + 2;
    if (length === 126) {
      if (bytes.length < at + 2) break;
      length = bytes.readUInt16BE(at);
      at += 2;
    } else if (length === 127) {
      if (bytes.length < at + 8) break;
      length = Number(bytes.readBigUInt64BE(at));
      at += 8;
    }
    if (second & 0x80) at += 4;
    if (bytes.length < at + length) break;
    frames.push({ opcode, payload: bytes.subarray(at, at + length) });
    pos = at + length;
  }
  return frames;
}

/** The close code of the first close frame, 1005 for a close frame without one, undefined without a close frame. */
export function closeCodeOf(frames: readonly ServerFrame[]): number | undefined {
  const close = frames.find((f) => f.opcode === 0x8);
  if (close === undefined) return undefined;
  return close.payload.length >= 2 ? close.payload.readUInt16BE(0) : 1005;
}
