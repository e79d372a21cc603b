/**
 * The kubelet's side of port-forward over SPDY/3.1 (protocol portforward.k8s.io), over any byte transport:
 * a raw upgraded connection, or a WebSocket tunnelling SPDY (what kubectl 1.31+ asks for first).
 *
 * For each forwarded connection the client opens two streams sharing a `requestid` header: `streamtype:
 * error` then `streamtype: data`, both with `port`. Every stream gets a SYN_REPLY. Once both are open, the
 * data stream reaches the port: a listening port echoes what arrives and half-closes when the client does;
 * any other port gets the kubelet's error text on the error stream. Both streams are then closed (FIN), as
 * the kubelet closes them when forwarding ends. Client PINGs are answered; a GOAWAY ends the connection.
 * Simplified: flow control (WINDOW_UPDATE) and SETTINGS are ignored, as spdystream itself does.
 */
import {
  FLAG_FIN,
  FrameReader,
  FrameType,
  HeaderInflater,
  HeaderWriter,
  RstStatus,
  SPDY_VERSION,
  dataFrames,
  goAwayFrame,
  parseHeaderPairs,
  parseSynStream,
  pingFrame,
  rstStreamFrame,
  synReplyFrame,
  type SpdyFrame,
} from './spdy-frames';
import type { PortForwardTarget } from './target';

/** The connection a session runs on. */
export interface ByteTransport {
  send(bytes: Buffer): void;
  close(): void;
}

interface Stream {
  id: number;
  type: 'data' | 'error';
  pairKey: string;
  /** We sent FIN / the client did. */
  localFin: boolean;
  remoteFin: boolean;
}

interface Pair {
  port: string;
  data?: Stream;
  error?: Stream;
  started: boolean;
  /** Data that arrived before the pair was complete. */
  early: Buffer[];
}

export class SpdyPortForwardSession {
  private readonly reader = new FrameReader();
  private readonly inflater = new HeaderInflater();
  private readonly headerWriter = new HeaderWriter();
  private readonly streams = new Map<number, Stream>();
  private readonly pairs = new Map<string, Pair>();
  /** Frames are handled one at a time, in order: header blocks inflate asynchronously. */
  private queue: Promise<void> = Promise.resolve();
  private lastStreamId = 0;
  private closed = false;

  constructor(
    private readonly transport: ByteTransport,
    private readonly target: PortForwardTarget,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Bytes from the client. */
  receive(chunk: Buffer): void {
    if (this.closed) return;
    for (const frame of this.reader.push(chunk)) {
      this.queue = this.queue
        .then(() => (this.closed ? undefined : this.handle(frame)))
        .catch((err: unknown) => {
          this.onError(err);
          this.close();
        });
    }
  }

  /** The transport ended (or we end it). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.inflater.close();
    this.transport.close();
  }

  private send(bytes: Buffer): void {
    if (!this.closed) this.transport.send(bytes);
  }

  private async handle(frame: SpdyFrame): Promise<void> {
    if (frame.kind === 'data') return this.onData(frame.streamId, frame.data, (frame.flags & FLAG_FIN) !== 0);
    if (frame.version !== SPDY_VERSION) throw new Error(`unsupported SPDY version ${frame.version}`);
    switch (frame.type) {
      case FrameType.SynStream:
        return this.onSynStream(frame.payload, (frame.flags & FLAG_FIN) !== 0);
      case FrameType.SynReply:
      case FrameType.Headers:
        // Not expected from a client, but their header blocks still advance the shared zlib stream.
        await this.inflater.decode(frame.payload.subarray(4));
        return;
      case FrameType.RstStream:
        return this.onReset(frame.payload.readUInt32BE(0) & 0x7fffffff);
      case FrameType.Ping: {
        const id = frame.payload.readUInt32BE(0);
        if (id % 2 === 1) this.send(pingFrame(id)); // client pings are odd; answer with the same id
        return;
      }
      case FrameType.GoAway:
        return this.close();
      default:
        return; // SETTINGS, WINDOW_UPDATE
    }
  }

  private async onSynStream(payload: Buffer, fin: boolean): Promise<void> {
    const { streamId, headerBlock } = parseSynStream(payload);
    const headers = parseHeaderPairs(await this.inflater.decode(headerBlock));
    if (streamId <= this.lastStreamId || streamId % 2 === 0) {
      this.send(rstStreamFrame(streamId, RstStatus.ProtocolError));
      return;
    }
    this.lastStreamId = streamId;
    const type = headers.get('streamtype');
    if (type !== 'data' && type !== 'error') {
      this.send(rstStreamFrame(streamId, RstStatus.RefusedStream));
      return;
    }
    // Clients before request IDs opened the data stream right after its error stream.
    const requestId = headers.get('requestid');
    const pairKey =
      requestId !== undefined && requestId !== '' ? `r${requestId}` : `s${type === 'error' ? streamId : streamId - 2}`;
    const stream: Stream = { id: streamId, type, pairKey, localFin: false, remoteFin: fin };
    this.streams.set(streamId, stream);
    this.send(synReplyFrame(streamId, this.headerWriter.encode(new Map())));

    const pair = this.pairs.get(pairKey) ?? { port: headers.get('port') ?? '', started: false, early: [] };
    this.pairs.set(pairKey, pair);
    pair[type] = stream;
    if (pair.data !== undefined && pair.error !== undefined && !pair.started) this.start(pair);
  }

  private start(pair: Pair): void {
    pair.started = true;
    const port = Number(pair.port);
    if (!Number.isInteger(port) || !this.target.listening.has(port)) {
      const message =
        Number.isInteger(port) && port > 0 && port < 65536 ? this.target.refused(port) : `invalid port "${pair.port}"`;
      this.finish(pair, message);
      return;
    }
    const early = pair.early;
    pair.early = [];
    for (const data of early) this.echo(pair, data);
    if (pair.data?.remoteFin) this.finish(pair);
  }

  private onData(streamId: number, data: Buffer, fin: boolean): void {
    const stream = this.streams.get(streamId);
    if (stream === undefined) return; // already gone: spdystream drops these too
    const pair = this.pairs.get(stream.pairKey);
    if (fin) stream.remoteFin = true;
    if (pair === undefined || stream.type === 'error') {
      this.tidy(stream);
      return;
    }
    if (data.length > 0) {
      if (pair.started) this.echo(pair, data);
      else pair.early.push(data);
    }
    if (fin && pair.started) this.finish(pair);
  }

  private echo(pair: Pair, data: Buffer): void {
    const stream = pair.data;
    if (stream === undefined || stream.localFin || data.length === 0) return;
    for (const frame of dataFrames(stream.id, data, false)) this.send(frame);
  }

  /** Ends a forwarded connection: the error text (if any), then FIN on both streams. */
  private finish(pair: Pair, error?: string): void {
    for (const stream of [pair.error, pair.data]) {
      if (stream === undefined || stream.localFin) continue;
      const body = stream.type === 'error' && error !== undefined ? Buffer.from(error) : Buffer.alloc(0);
      for (const frame of dataFrames(stream.id, body, true)) this.send(frame);
      stream.localFin = true;
      this.tidy(stream);
    }
  }

  /** The client abandoned a stream: the forwarded connection it belongs to ends. */
  private onReset(streamId: number): void {
    const stream = this.streams.get(streamId);
    if (stream === undefined) return;
    stream.localFin = true;
    stream.remoteFin = true;
    const pair = this.pairs.get(stream.pairKey);
    this.forget(streamId);
    if (pair !== undefined) this.finish(pair);
  }

  /** Drops a stream once both sides have closed it, and its pair with its last stream. */
  private tidy(stream: Stream): void {
    if (stream.localFin && stream.remoteFin) this.forget(stream.id);
  }

  private forget(streamId: number): void {
    const stream = this.streams.get(streamId);
    if (stream === undefined) return;
    this.streams.delete(streamId);
    const pair = this.pairs.get(stream.pairKey);
    if (pair !== undefined && ![pair.data, pair.error].some((s) => s !== undefined && this.streams.has(s.id)))
      this.pairs.delete(stream.pairKey);
  }

  /** A GOAWAY before closing the transport, for a server-side shutdown. */
  goAway(): void {
    this.send(goAwayFrame(this.lastStreamId, 0));
    this.close();
  }
}
