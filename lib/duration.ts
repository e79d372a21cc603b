/**
 * Durations as Go's time.ParseDuration writes them (`5s`, `1m`, `1h30m`, `250ms`, `1.5h`), the form kubectl's and
 * Prometheus' flags take. Negative, empty and unit-less values are refused: every duration here is a positive span.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

/** Milliseconds, or undefined when the text is not a positive duration. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let ms = 0;
  for (const [, amount = '0', unit = 's'] of text.matchAll(PART)) ms += Number(amount) * UNIT_MS[unit]!;
  return ms > 0 ? Math.round(ms) : undefined;
}
