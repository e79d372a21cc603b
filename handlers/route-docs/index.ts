import type { RouteDoc } from '../../lib/openapi/document';
import { AUTH_DOCS } from './auth';
import { CONTEXTS_DOCS } from './contexts';
import { METRICS_DOCS } from './metrics';
import { OPS_DOCS } from './ops';
import { RAW_DOCS } from './raw';
import { TERMINAL_DOCS } from './terminal';
import { UI_METRICS_DOCS } from './ui-metrics';
import { VIEWS_DOCS } from './views';

/** Every route of ours as /openapi.json describes it, one file per area next to the sub-apps they describe. */
export const ROUTE_DOCS: readonly RouteDoc[] = [
  ...OPS_DOCS,
  ...AUTH_DOCS,
  ...CONTEXTS_DOCS,
  ...VIEWS_DOCS,
  ...UI_METRICS_DOCS,
  ...TERMINAL_DOCS,
  ...METRICS_DOCS,
  ...RAW_DOCS,
];
