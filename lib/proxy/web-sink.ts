import type { StatusError } from '../errors';
import type { ResponseSink } from './forward';
import { SANDBOX_HEADERS, type HeaderMap } from './headers';

/**
 * A ResponseSink that becomes a Fetch `Response` whose body is a ReadableStream fed chunk by chunk.
 * Built by hand rather than with `Readable.toWeb`, which can crash the process when the client leaves
 * mid-stream; here `cancel` (the client left) aborts the upstream request through `onCancel`.
 */

const HIGH_WATER_MARK = 64 * 1024;

function toHeaders(map: HeaderMap): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(map)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  return headers;
}

function sandboxed(response: Response): Response {
  for (const [name, value] of Object.entries(SANDBOX_HEADERS)) response.headers.set(name, value);
  return response;
}

/** Statuses whose responses carry no body (a Response with a body for them is a TypeError). */
function isNullBodyStatus(code: number): boolean {
  return code === 101 || code === 103 || code === 204 || code === 205 || code === 304;
}

/**
 * `onCancel` runs when the caller stops reading; `renderFailure` turns a failure before the first byte
 * into the Status response the caller gets instead.
 */
export function createWebSink(
  method: string,
  onCancel: () => void,
  renderFailure: (error: StatusError) => Response,
): { sink: ResponseSink; response: Promise<Response> } {
  let resolveResponse!: (r: Response) => void;
  const response = new Promise<Response>((resolve) => (resolveResponse = resolve));
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let resume: (() => void) | undefined;
  let open = true;

  const sink: ResponseSink = {
    start(statusCode, headers) {
      if (method === 'HEAD' || isNullBodyStatus(statusCode)) {
        open = false;
        resolveResponse(new Response(null, { status: statusCode, headers: toHeaders(headers) }));
        return;
      }
      const body = new ReadableStream<Uint8Array>(
        {
          start(c) {
            controller = c;
          },
          pull() {
            const r = resume;
            resume = undefined;
            r?.();
          },
          cancel() {
            open = false;
            onCancel();
          },
        },
        { highWaterMark: HIGH_WATER_MARK, size: (chunk) => chunk.byteLength },
      );
      resolveResponse(new Response(body, { status: statusCode, headers: toHeaders(headers) }));
    },
    write(chunk) {
      if (!open || controller === undefined) return true;
      controller.enqueue(chunk);
      return (controller.desiredSize ?? 0) > 0;
    },
    waitDrain(r) {
      if (open) resume = r;
    },
    end() {
      if (!open) return;
      open = false;
      controller?.close();
    },
    fail(error) {
      if (controller === undefined) return resolveResponse(sandboxed(renderFailure(error)));
      if (!open) return;
      open = false;
      controller.error(error);
    },
    abandon() {
      // Settle the pending Response too, or the route's promise would wait forever.
      if (controller === undefined) return resolveResponse(new Response(null, { status: 499 }));
      if (!open) return;
      open = false;
      controller.close();
    },
  };
  return { sink, response };
}
