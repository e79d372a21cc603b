/**
 * Prometheus's HTTP API as the Prometheus metrics source asks it: `query_range` and instant `query`, POSTed (a query
 * naming hundreds of pods outgrows a URL), each within a bounded time that Prometheus is told too. Failures are
 * StatusErrors naming Prometheus by its address (never its credentials or query string): 503 when it cannot be
 * reached or does not answer in time, 502 when it answers with an error or with something that is not its API.
 */
import { Agent, request } from '../kube/undici';
import * as v from 'valibot';
import { errorMessage, StatusError } from '../errors';

/** One result series: its labels and its samples, `[epoch ms, value]`, NaN and infinities left out. */
export interface ResultSeries {
  labels: Record<string, string>;
  samples: [number, number][];
}

export interface PrometheusApi {
  /** Where Prometheus is, as errors name it: scheme, host, port and path only. */
  readonly address: string;
  queryRange(query: string, range: { startMs: number; endMs: number; stepMs: number }): Promise<ResultSeries[]>;
  /** An instant query at `timeMs`. */
  query(query: string, timeMs: number): Promise<ResultSeries[]>;
  close(): Promise<void>;
}

const Labels = v.record(v.string(), v.string());
const Sample = v.tuple([v.number(), v.string()]);
const Answer = v.variant('status', [
  v.object({
    status: v.literal('success'),
    data: v.variant('resultType', [
      v.object({
        resultType: v.literal('matrix'),
        result: v.array(v.object({ metric: Labels, values: v.array(Sample) })),
      }),
      v.object({ resultType: v.literal('vector'), result: v.array(v.object({ metric: Labels, value: Sample })) }),
      v.object({ resultType: v.literal('scalar'), result: Sample }),
    ]),
  }),
  v.object({ status: v.literal('error'), errorType: v.optional(v.string()), error: v.optional(v.string()) }),
]);

/** The base URL without credentials, query or fragment: safe to put in an error a caller reads. */
function addressOf(base: URL): string {
  return `${base.protocol}//${base.host}${base.pathname}`.replace(/\/$/, '');
}

function samplesOf(values: readonly (readonly [number, string])[]): [number, number][] {
  return values.flatMap(([seconds, text]): [number, number][] => {
    const value = Number(text);
    return Number.isFinite(value) ? [[Math.round(seconds * 1000), value]] : [];
  });
}

/** `baseUrl`: Prometheus's root (`http://prometheus:9090`, or under a path prefix); `timeoutMs` bounds each request. */
export function prometheusApi(baseUrl: string, timeoutMs: number): PrometheusApi {
  const base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  const address = addressOf(base);
  const agent = new Agent({ keepAliveTimeout: 30_000 });

  const ask = async (endpoint: string, form: Record<string, string>): Promise<ResultSeries[]> => {
    // Prometheus stops evaluating at its own timeout; ours also covers connecting and reading the answer.
    const body = new URLSearchParams({ ...form, timeout: `${Math.max(1, Math.ceil(timeoutMs / 1000))}s` }).toString();
    const signal = AbortSignal.timeout(timeoutMs);
    let status: number;
    let text: string;
    try {
      const res = await request(new URL(`api/v1/${endpoint}`, base), {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal,
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      if (signal.aborted)
        throw new StatusError('ServiceUnavailable', `Prometheus at ${address} did not answer within ${timeoutMs} ms`);
      throw new StatusError('ServiceUnavailable', `Prometheus at ${address} is unreachable: ${errorMessage(err)}`);
    }
    let parsed: v.InferOutput<typeof Answer> | undefined;
    try {
      const result = v.safeParse(Answer, JSON.parse(text));
      if (result.success) parsed = result.output;
    } catch {
      // not JSON: reported below with the HTTP status
    }
    if (parsed === undefined)
      throw new StatusError('BadGateway', `Prometheus at ${address} answered HTTP ${status} without its API's JSON`);
    if (parsed.status === 'error')
      throw new StatusError(
        'BadGateway',
        `Prometheus at ${address} answered HTTP ${status}: ${parsed.errorType ?? 'error'}: ${parsed.error ?? ''}`,
      );
    const { data } = parsed;
    if (data.resultType === 'matrix')
      return data.result.map((s) => ({ labels: s.metric, samples: samplesOf(s.values) }));
    if (data.resultType === 'vector')
      return data.result.map((s) => ({ labels: s.metric, samples: samplesOf([s.value]) }));
    return [{ labels: {}, samples: samplesOf([data.result]) }];
  };

  return {
    address,
    queryRange: (query, { startMs, endMs, stepMs }) =>
      ask('query_range', {
        query,
        start: String(startMs / 1000),
        end: String(endMs / 1000),
        step: String(stepMs / 1000),
      }),
    query: (query, timeMs) => ask('query', { query, time: String(timeMs / 1000) }),
    close: () => agent.close(),
  };
}
