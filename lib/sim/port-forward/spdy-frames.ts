/**
 * SPDY/3.1 framing, the part a port-forward server needs: reading frames out of a byte stream, writing
 * SYN_REPLY, DATA, RST_STREAM, PING and GOAWAY, and header blocks — inflated with the SPDY dictionary from
 * one zlib stream per direction, as the protocol requires. Outgoing header blocks are written as stored
 * (uncompressed) deflate blocks of one zlib stream, which every inflater reads.
 */
import { constants, createInflate, type Inflate } from 'node:zlib';
import { SPDY_DICTIONARY } from './spdy-dictionary';

export const SPDY_VERSION = 3;

export const FrameType = {
  SynStream: 1,
  SynReply: 2,
  RstStream: 3,
  Settings: 4,
  Ping: 6,
  GoAway: 7,
  Headers: 8,
  WindowUpdate: 9,
} as const;

export const FLAG_FIN = 0x01;

/** RST_STREAM status codes used here. */
export const RstStatus = { ProtocolError: 1, InvalidStream: 2, RefusedStream: 3 } as const;

/** DATA frames carry at most 2^24 - 1 bytes. */
const MAX_DATA = 0xffffff;

export type SpdyFrame =
  | { kind: 'data'; streamId: number; flags: number; data: Buffer }
  | { kind: 'control'; version: number; type: number; flags: number; payload: Buffer };

/** Cuts a byte stream into frames, however it arrives (a frame may span chunks or share one). */
export class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): SpdyFrame[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames: SpdyFrame[] = [];
    while (this.buffer.length >= 8) {
      const length = this.buffer.readUIntBE(5, 3);
      if (this.buffer.length < 8 + length) break;
      const flags = this.buffer[4] as number;
      const body = this.buffer.subarray(8, 8 + length);
      if (((this.buffer[0] as number) & 0x80) !== 0) {
        frames.push({
          kind: 'control',
          version: this.buffer.readUInt16BE(0) & 0x7fff,
          type: this.buffer.readUInt16BE(2),
          flags,
          payload: body,
        });
      } else {
        frames.push({ kind: 'data', streamId: this.buffer.readUInt32BE(0) & 0x7fffffff, flags, data: body });
      }
      this.buffer = this.buffer.subarray(8 + length);
    }
    return frames;
  }
}

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  header.writeUInt16BE(type, 2);
  header[4] = flags;
  header.writeUIntBE(payload.length, 5, 3);
  return Buffer.concat([header, payload]);
}

function uint32s(...values: number[]): Buffer {
  const out = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => out.writeUInt32BE(v >>> 0, 4 * i));
  return out;
}

export function synReplyFrame(streamId: number, headerBlock: Buffer): Buffer {
  return controlFrame(FrameType.SynReply, 0, Buffer.concat([uint32s(streamId & 0x7fffffff), headerBlock]));
}

export function rstStreamFrame(streamId: number, status: number): Buffer {
  return controlFrame(FrameType.RstStream, 0, uint32s(streamId & 0x7fffffff, status));
}

export function pingFrame(id: number): Buffer {
  return controlFrame(FrameType.Ping, 0, uint32s(id));
}

export function goAwayFrame(lastGoodStreamId: number, status: number): Buffer {
  return controlFrame(FrameType.GoAway, 0, uint32s(lastGoodStreamId & 0x7fffffff, status));
}

/** DATA frames for `data` (split at the frame limit); `fin` on the last one half-closes the stream. */
export function dataFrames(streamId: number, data: Buffer, fin: boolean): Buffer[] {
  const frames: Buffer[] = [];
  let offset = 0;
  do {
    const part = data.subarray(offset, offset + MAX_DATA);
    offset += part.length;
    const header = Buffer.alloc(8);
    header.writeUInt32BE(streamId & 0x7fffffff, 0);
    header[4] = fin && offset >= data.length ? FLAG_FIN : 0;
    header.writeUIntBE(part.length, 5, 3);
    frames.push(Buffer.concat([header, part]));
  } while (offset < data.length);
  return frames;
}

/** SYN_STREAM's fields; its header block starts after stream id, associated id, priority and slot. */
export function parseSynStream(payload: Buffer): { streamId: number; headerBlock: Buffer } {
  return { streamId: payload.readUInt32BE(0) & 0x7fffffff, headerBlock: payload.subarray(10) };
}

/** The name/value pairs of an inflated header block (names lowercase; several values joined by NUL). */
export function parseHeaderPairs(block: Buffer): Map<string, string> {
  const headers = new Map<string, string>();
  const count = block.readUInt32BE(0);
  let offset = 4;
  const next = (): string => {
    const length = block.readUInt32BE(offset);
    const text = block.toString('utf8', offset + 4, offset + 4 + length);
    offset += 4 + length;
    return text;
  };
  for (let i = 0; i < count; i++) {
    const name = next();
    headers.set(name, next());
  }
  return headers;
}

/** Inflates the header blocks a peer sends: one zlib stream for the whole connection, in frame order. */
export class HeaderInflater {
  private readonly inflate: Inflate = createInflate({
    dictionary: SPDY_DICTIONARY,
    finishFlush: constants.Z_SYNC_FLUSH,
    flush: constants.Z_SYNC_FLUSH,
  });
  private failure: Error | undefined;

  constructor() {
    this.inflate.on('error', (err: Error) => (this.failure = err));
  }

  /** The decompressed block; blocks must be given in the order they arrived. */
  decode(block: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.inflate.write(block, () => {
        if (this.failure) return reject(this.failure);
        // Paused mode: what this block inflated to is buffered by the time its write completes.
        const parts: Buffer[] = [];
        for (
          let chunk = this.inflate.read() as Buffer | null;
          chunk !== null;
          chunk = this.inflate.read() as Buffer | null
        )
          parts.push(chunk);
        resolve(Buffer.concat(parts));
      });
    });
  }

  close(): void {
    this.inflate.destroy();
  }
}

const SYNC_FLUSH_MARKER = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);

/** Writes header blocks as stored deflate blocks continuing one zlib stream (no compression, no dictionary). */
export class HeaderWriter {
  private started = false;

  encode(headers: ReadonlyMap<string, string>): Buffer {
    const parts: Buffer[] = [uint32s(headers.size)];
    for (const [name, value] of headers) {
      for (const text of [name, value]) {
        const bytes = Buffer.from(text, 'utf8');
        parts.push(uint32s(bytes.length), bytes);
      }
    }
    const raw = Buffer.concat(parts);
    // A non-final stored block: a zero byte (BFINAL 0, BTYPE 00, padding), then LEN and its complement.
    const stored = Buffer.alloc(5);
    stored.writeUInt16LE(raw.length, 1);
    stored.writeUInt16LE(~raw.length & 0xffff, 3);
    const zlibHeader = this.started ? [] : [Buffer.from([0x78, 0x01])];
    this.started = true;
    // Then the empty stored block Z_SYNC_FLUSH ends with: it is what lets an inflater hand over this block's
    // bytes without reading on into the next frame (Go's flate would otherwise fail for good).
    return Buffer.concat([...zlibHeader, stored, raw, SYNC_FLUSH_MARKER]);
  }
}
