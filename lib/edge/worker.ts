import type { Hono } from 'hono';
import { StatusError } from '../errors';
import { statusResponse } from '../../handlers/status-response';
import { createEdgeApp, type EdgeEnv } from './edge-app';

/**
 * The edge worker's entry (wrangler.toml `main`). The app is built on the first request and kept by the isolate:
 * its bindings do not change while it lives.
 */

let app: Promise<Hono | StatusError> | undefined;

export default {
  async fetch(request: Request, env: EdgeEnv): Promise<Response> {
    app ??= createEdgeApp(env);
    const built = await app;
    if (built instanceof StatusError) return statusResponse(built.toStatus());
    return built.fetch(request);
  },
};
