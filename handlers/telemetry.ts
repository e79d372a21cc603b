import { Hono } from 'hono';
import type { TelemetryExposition } from '../lib/telemetry/registry';

/** `GET /metrics`: kore-board's own metrics in the Prometheus text format (lib/telemetry/registry.ts). */
export function telemetryRoutes(exposition: TelemetryExposition): Hono {
  const app = new Hono();
  app.get('/metrics', async (c) => c.body(await exposition.metrics(), 200, { 'content-type': exposition.contentType }));
  return app;
}
