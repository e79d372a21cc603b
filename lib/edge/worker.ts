import { StatusError, toStatusError } from '../errors';
import { statusResponse } from '../../handlers/status-response';
import { createEdgeApp, type EdgeEnv, type EdgeFetch } from './edge-app';

/**
 * The edge worker's entry (wrangler.toml `main`). The app is built on the first request and kept by the isolate:
 * its bindings do not change while it lives. A build that failed is tried again on the next request.
 */

let app: Promise<EdgeFetch | StatusError> | undefined;

function built(env: EdgeEnv): Promise<EdgeFetch | StatusError> {
  app ??= createEdgeApp(env).catch((err: unknown) => {
    app = undefined;
    throw err;
  });
  return app;
}

export default {
  async fetch(request: Request, env: EdgeEnv): Promise<Response> {
    let ready;
    try {
      ready = await built(env);
    } catch (err) {
      return statusResponse(toStatusError(err).toStatus());
    }
    if (ready instanceof StatusError) return statusResponse(ready.toStatus());
    return ready(request);
  },
};
