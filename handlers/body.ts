import { bodyFormat, type BodyFormat } from '../lib/decode/media-type';
import { StatusError } from '../lib/errors';

/** A JSON or YAML body: its media type is checked before anything is read (415), then its text is read within `limit` (413). */
export async function readStructuredBody(request: Request, limit: number): Promise<{ text: string; format: BodyFormat }> {
  const format = bodyFormat(request.headers.get('content-type'));
  return { text: await readBodyText(request, limit), format };
}

/** Reads a request body as UTF-8 text, refusing (413) as soon as it passes `limit` bytes rather than after. */
async function readBodyText(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  const tooLarge = () => new StatusError('RequestEntityTooLarge', `request body is larger than the ${limit / (1024 * 1024)} MiB limit`);
  if (declared > limit) throw tooLarge();
  if (request.body === null) return '';
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
  return new TextDecoder('utf-8', { fatal: false }).decode(all);
}
