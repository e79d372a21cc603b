/** Reading requests and writing JSON, Status and streamed bodies on Node's http objects. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { StatusError, errorMessage, failureStatus, type Status } from '../../errors';
import { decodeKubernetesProtobuf } from '../protobuf/decode';

/** The API server's request body limit (3 MiB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new StatusError('RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? 'application/json').split(';')[0]?.trim().toLowerCase() ?? '';
}

const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const TEXT_TYPES = new Set([
  'application/json',
  'application/yaml',
  'application/merge-patch+json',
  'application/json-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
]);

/**
 * A request body: JSON, YAML (which kubectl never sends but curl users do), or Kubernetes protobuf (what
 * kubectl's typed clients send, e.g. `kubectl create namespace`).
 */
export function parseBody(body: Buffer, type: string): unknown {
  if (type === PROTOBUF) return decodeKubernetesProtobuf(body);
  if (!TEXT_TYPES.has(type)) {
    throw new StatusError(
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, ${PROTOBUF}`,
    );
  }
  const text = body.toString('utf8');
  try {
    if (type === 'application/yaml' || type === 'application/apply-patch+yaml') return parseYaml(text) as unknown;
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new StatusError('BadRequest', `error decoding request body: ${errorMessage(err)}`);
  }
}

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  sendRaw(res, code, typeof body === 'string' ? body : JSON.stringify(body), contentType);
}

export function sendRaw(res: ServerResponse, code: number, body: string, contentType: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(code, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-cache, private',
  });
  res.end(body);
}

export function sendStatus(res: ServerResponse, status: Status): void {
  sendJson(res, status.code, status);
}

export function sendError(res: ServerResponse, err: StatusError): void {
  sendStatus(res, err.toStatus());
}

export const notFoundStatus = (): Status => ({
  ...failureStatus(404, 'NotFound', 'the server could not find the requested resource'),
  details: {},
});

export const methodNotAllowed = (): StatusError =>
  new StatusError('MethodNotAllowed', 'the server does not allow this method on the requested resource', {});

/**
 * A streamed body written in large chunks, waiting for the socket to drain so a slow reader never makes us
 * buffer a whole list. `closed` turns true when the client goes away.
 */
export class StreamWriter {
  private buffer: string[] = [];
  private buffered = 0;
  closed = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly flushAt = 64 * 1024,
  ) {
    res.once('close', () => {
      this.closed = true;
    });
  }

  async write(text: string): Promise<void> {
    this.buffer.push(text);
    this.buffered += text.length;
    if (this.buffered >= this.flushAt) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0 || this.closed) return;
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.buffered = 0;
    if (!this.res.write(chunk)) await this.drained();
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  async end(text = ''): Promise<void> {
    if (text) this.buffer.push(text);
    await this.flush();
    this.res.end();
  }
}
