/**
 * kore-board's own metrics, served in the Prometheus text format at `GET /metrics` (handlers/telemetry.ts): one
 * prom-client registry per kore-board, in which each part registers its collectors (the scrape health of
 * scrape-health.ts; request metrics next). A registry of our own rather than prom-client's global one, so two
 * kore-boards in one process (the tests) keep theirs apart.
 */
import { Registry } from 'prom-client';

/** What the `/metrics` route serves: the text and its media type. */
export interface TelemetryExposition {
  readonly contentType: string;
  metrics(): Promise<string>;
}

export function createTelemetryRegistry(): Registry {
  return new Registry();
}
