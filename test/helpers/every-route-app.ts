import type { AppDeps } from '../../handlers/app';
import { systemClock } from '../../lib/clock';
import { silentLogger } from '../../lib/log';
import { createTelemetryRegistry } from '../../lib/telemetry/registry';
import { memoryJtiLedger } from '../../lib/terminal/jti-ledger';
import { terminalTokens } from '../../lib/terminal/token';
import { createViewStore } from '../../lib/views/store';
import { kubeconfigYaml, registryFor } from './raw-stack';

export interface EveryRouteDeps {
  deps: AppDeps;
  close(): Promise<void>;
}

/**
 * The app's dependencies with every optional area on, as the Node entry serves them, over no contexts: which routes
 * exist does not depend on what a metrics source answers or on the terminal's secret, so both are inert here.
 */
export async function everyRouteDeps(): Promise<EveryRouteDeps> {
  const registry = await registryFor(kubeconfigYaml([]));
  const views = createViewStore({ registry, clock: systemClock, log: silentLogger });
  const deps: AppDeps = {
    registry,
    clock: systemClock,
    log: silentLogger,
    security: { allowedHosts: [], allowOrigins: [], authToken: undefined },
    views,
    metrics: {
      kind: 'embedded',
      available: () => undefined,
      status: () => Promise.resolve(undefined),
      series: (_context, keys) => Promise.resolve(keys.map(() => undefined)),
    },
    terminal: {
      tokens: terminalTokens({ secret: new Uint8Array(32), clock: systemClock, ledger: memoryJtiLedger(systemClock) }),
    },
    telemetry: createTelemetryRegistry(),
  };
  return {
    deps,
    close: async () => {
      views.close();
      await registry.close();
    },
  };
}
