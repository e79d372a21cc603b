import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchDispatcher } from '../../lib/edge/fetch-dispatcher';

/**
 * The fetch-backed dispatcher with Node's own fetch, against a local HTTP server: what the worker's cluster calls go
 * through, in both of undici's handler styles (request() and a controller handler as lib/proxy/forward.ts passes).
 */

const BIG = 4 * 1024 * 1024;

async function bodyOf(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text;
}

function answer(req: IncomingMessage, res: ServerResponse): void {
  if (req.url === '/silent') return; // never answers: the headers timeout must end it
  if (req.url === '/big') {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(Buffer.alloc(BIG, 7));
    return;
  }
  void bodyOf(req).then((body) => {
    res.setHeader('set-cookie', ['a=1', 'b=2']);
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
  });
}

/** Dispatches with a controller handler; resolves with what it saw. `onFirstData` may pause, abort… */
function dispatched(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  onFirstData: (controller: Dispatcher.DispatchController) => void = () => undefined,
): Promise<{ status: number; bytes: number; error?: Error }> {
  return new Promise((resolve) => {
    let status = 0;
    let bytes = 0;
    dispatcher.dispatch(options, {
      // Its presence is how undici tells this handler style from the older one.
      onRequestStart: () => undefined,
      onResponseStart: (_c, code) => (status = code),
      onResponseData: (controller, chunk) => {
        if (bytes === 0) onFirstData(controller);
        bytes += chunk.length;
      },
      onResponseEnd: () => resolve({ status, bytes }),
      onResponseError: (_c, error) => resolve({ status, bytes, error }),
    });
  });
}

describe('fetchDispatcher', () => {
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    server = createServer(answer);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("serves undici's request(): method, path and query, headers (a list value repeated), body, Set-Cookie", async () => {
    const res = await request(`${origin}/api/v1/pods?limit=2`, {
      dispatcher: fetchDispatcher(),
      method: 'POST',
      headers: { authorization: 'Bearer t', 'impersonate-group': ['a', 'b'] },
      body: '{"x":1}',
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    const echoed = (await res.body.json()) as { method: string; url: string; headers: Record<string, string> };
    expect(echoed).toMatchObject({ method: 'POST', url: '/api/v1/pods?limit=2', body: '{"x":1}' });
    expect(echoed.headers).toMatchObject({ authorization: 'Bearer t', 'impersonate-group': 'a, b' });
  });

  it('pauses reading while the handler is paused and delivers the whole body after resume', async () => {
    let paused = false;
    const seen = await dispatched(fetchDispatcher(), { origin, path: '/big', method: 'GET' }, (controller) => {
      controller.pause();
      paused = controller.paused;
      queueMicrotask(() => controller.resume());
    });
    expect(paused).toBe(true);
    expect(seen).toEqual({ status: 200, bytes: BIG });
  });

  it('streams a request body that arrives in pieces', async () => {
    async function* chunks() {
      yield Buffer.from('{"streamed":');
      yield Buffer.from('true}');
    }
    const res = await request(`${origin}/echo`, {
      dispatcher: fetchDispatcher(),
      method: 'PUT',
      body: Readable.from(chunks()),
    });
    expect(((await res.body.json()) as { body: string }).body).toBe('{"streamed":true}');
  });

  it('ends with the reason given: an abort mid-body, a headers timeout, a refused upgrade', async () => {
    const dispatcher = fetchDispatcher();
    const cut = new Error('the client went away');
    const aborted = await dispatched(dispatcher, { origin, path: '/big', method: 'GET' }, (c) => c.abort(cut));
    expect(aborted.error).toBe(cut);
    const silent = await dispatched(dispatcher, { origin, path: '/silent', method: 'GET', headersTimeout: 50 });
    expect(silent.error?.message).toBe('no response headers within 50 ms');
    const upgrade = await dispatched(dispatcher, { origin, path: '/x', method: 'GET', upgrade: 'websocket' });
    expect(upgrade.error?.message).toBe('protocol upgrades cannot be sent with fetch');
  });
});
