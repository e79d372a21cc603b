/** The samples of a Prometheus text exposition at `url`, `name{labels}` → value. */
export async function metricSamples(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(url)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(\S+\{[^}]*\}|\S+) (\S+)$/.exec(line);
    if (match !== null && !line.startsWith('#')) out.set(match[1]!, Number(match[2]));
  }
  return out;
}
