import { Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'undici/types/header';

/**
 * An undici Dispatcher that sends each request with the platform's `fetch`: what lib/kube and lib/proxy call
 * (undici's `request()`, `dispatch()`) then runs where no sockets can be opened, e.g. an edge worker. No pool, no
 * client certificate, no custom CA: the platform's fetch decides how to connect and which certificates it trusts.
 * `headersTimeout` is kept; `bodyTimeout` is not (the platform bounds how long a request may run).
 */

/** undici's header shapes (a record, or name/value pairs flattened into one list) as fetch Headers. */
function requestHeaders(headers: Dispatcher.DispatchOptions['headers']): Headers {
  const out = new Headers();
  if (headers === undefined || headers === null) return out;
  const add = (name: string, value: unknown) => {
    if (value === undefined || value === null) return;
    for (const item of Array.isArray(value) ? (value as unknown[]) : [value]) out.append(name, String(item));
  };
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) add(String(headers[i]), headers[i + 1]);
  } else if (Symbol.iterator in headers) {
    for (const [name, value] of headers as Iterable<[string, string | string[] | undefined]>) add(name, value);
  } else {
    for (const [name, value] of Object.entries(headers)) add(name, value);
  }
  return out;
}

/** An async iterable body (a proxied request's) as a stream fetch can send. */
function streamOf(chunks: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done === true) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

function requestBody(body: Dispatcher.DispatchOptions['body']): BodyInit | null {
  if (body === undefined || body === null || typeof body === 'string') return body ?? null;
  // Copied: fetch's typings take only a view of a plain ArrayBuffer.
  if (body instanceof Uint8Array) return new Uint8Array(body);
  if (Symbol.asyncIterator in body) return streamOf(body as AsyncIterable<Uint8Array>);
  throw new TypeError('unsupported request body for fetch');
}

/** Response headers as undici reports them: lower-case names, repeated Set-Cookie kept as a list. */
function responseHeaders(headers: Headers): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  headers.forEach((value, name) => {
    if (name !== 'set-cookie') out[name] = value;
  });
  const cookies = headers.getSetCookie();
  if (cookies.length > 0) out['set-cookie'] = cookies;
  return out;
}

/** Pause and resume gate the body's reading; abort cancels the fetch. */
class FetchController implements Dispatcher.DispatchController {
  readonly abortion = new AbortController();
  private gate: { promise: Promise<void>; open: () => void } | undefined;

  get aborted(): boolean {
    return this.abortion.signal.aborted;
  }
  get paused(): boolean {
    return this.gate !== undefined;
  }
  get reason(): Error | null {
    return this.aborted ? (this.abortion.signal.reason as Error) : null;
  }
  abort(reason: Error): void {
    this.abortion.abort(reason);
    this.resume();
  }
  pause(): void {
    if (this.gate !== undefined) return;
    let open = () => undefined as void;
    const promise = new Promise<void>((resolve) => (open = resolve));
    this.gate = { promise, open };
  }
  resume(): void {
    const gate = this.gate;
    this.gate = undefined;
    gate?.open();
  }
  /** Resolves when reading may go on. */
  whenFlowing(): Promise<void> {
    return this.gate?.promise ?? Promise.resolve();
  }
}

async function run(
  options: Dispatcher.DispatchOptions,
  handler: Dispatcher.DispatchHandler,
  controller: FetchController,
): Promise<void> {
  const signal = controller.abortion.signal;
  const headersTimer =
    options.headersTimeout === undefined || options.headersTimeout === null || options.headersTimeout === 0
      ? undefined
      : setTimeout(
          () => controller.abort(new Error(`no response headers within ${options.headersTimeout} ms`)),
          options.headersTimeout,
        );
  try {
    const url = new URL(options.path, options.origin);
    const body = requestBody(options.body);
    // A streamed body needs duplex 'half' (the fetch standard; Node insists, workerd accepts it).
    const init: RequestInit & { duplex?: 'half' } = {
      method: options.method,
      headers: requestHeaders(options.headers),
      body,
      signal,
      redirect: 'manual',
      ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    };
    const response = await fetch(url, init);
    clearTimeout(headersTimer);
    handler.onResponseStart?.(controller, response.status, responseHeaders(response.headers), response.statusText);
    if (response.body !== null) {
      const reader = response.body.getReader();
      for (;;) {
        await controller.whenFlowing();
        if (controller.aborted) {
          await reader.cancel();
          throw controller.reason ?? new Error('aborted');
        }
        const { done, value } = await reader.read();
        if (done) break;
        handler.onResponseData?.(controller, Buffer.from(value.buffer, value.byteOffset, value.byteLength));
      }
    }
    handler.onResponseEnd?.(controller, {});
  } catch (err) {
    clearTimeout(headersTimer);
    const error = controller.reason ?? (err instanceof Error ? err : new Error(String(err)));
    handler.onResponseError?.(controller, error);
  }
}

class FetchDispatcher extends Dispatcher {
  private readonly running = new Set<FetchController>();
  private closed = false;

  // Always reached through compose() below, so the handler has the controller interface (onRequestStart…).
  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const controller = new FetchController();
    if (this.closed) {
      handler.onResponseError?.(controller, new Error('the dispatcher is closed'));
      return false;
    }
    handler.onRequestStart?.(controller, {});
    if (options.upgrade !== undefined && options.upgrade !== null) {
      handler.onResponseError?.(controller, new Error('protocol upgrades cannot be sent with fetch'));
      return true;
    }
    this.running.add(controller);
    void run(options, handler, controller).finally(() => this.running.delete(controller));
    return true;
  }

  override close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  override destroy(): Promise<void> {
    this.closed = true;
    for (const controller of this.running) controller.abort(new Error('the dispatcher was destroyed'));
    return Promise.resolve();
  }
}

/**
 * A fetch-backed dispatcher. Composed with an identity interceptor: undici then hands every handler over in the
 * controller interface (its `request()` still passes the older onConnect/onHeaders one), so only that one is served.
 */
export function fetchDispatcher(): Dispatcher {
  const plain = new FetchDispatcher();
  return plain.compose((dispatch) => dispatch);
}
