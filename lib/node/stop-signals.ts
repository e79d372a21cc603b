/**
 * Runs `stop` once, on the first SIGTERM or SIGINT. A terminal's Ctrl-C reaches every process of the
 * group, and a supervisor forwards signals too: later ones are ignored rather than cutting the grace period.
 */
export function onStopSignals(stop: (signal: NodeJS.Signals) => void): void {
  let stopping = false;
  const once = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    stop(signal);
  };
  process.on('SIGTERM', once);
  process.on('SIGINT', once);
}
