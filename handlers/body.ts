import { bodyFormat, type BodyFormat } from '../lib/decode/media-type';
import { StatusError } from '../lib/errors';

/**
 * A JSON or YAML body: its media type is checked before anything is read (415), then its bytes are read
 * within `limit` (413). Bytes rather than text: they move to a decoding worker without a copy.
 */
export async function readStructuredBody(
  request: Request,
  limit: number,
): Promise<{ bytes: Uint8Array; format: BodyFormat }> {
  const format = bodyFormat(request.headers.get('content-type'));
  return { bytes: await readBody(request, limit), format };
}

/** Reads a request body, refusing (413) as soon as it passes `limit` bytes rather than after. */
async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  const tooLarge = () =>
    new StatusError('RequestEntityTooLarge', `request body is larger than the ${limit / (1024 * 1024)} MiB limit`);
  if (declared > limit) throw tooLarge();
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}
