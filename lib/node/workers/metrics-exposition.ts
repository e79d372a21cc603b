import { AggregatorRegistry, type Registry } from 'prom-client';
import { errorMessage, StatusError } from '../../errors';
import type { TelemetryExposition } from '../../telemetry/registry';
import type { Timers } from '../../terminal/timers';
import { isMetricsAnswer, type MetricsAnswer, type MetricsRequest } from './protocol';
import { supervisorRequests, type SupervisorChannel } from './supervisor-requests';
import type { WorkerChannel } from './jti-ledger';

/**
 * `GET /metrics` with `--workers`: a scrape reaches whichever worker holds the connection, and a worker's own counters
 * would make the series jump between workers' values (a counter going back, to Prometheus, is a reset). So a worker
 * asks its supervisor, which gathers every worker's registry through prom-client's cluster support
 * (`AggregatorRegistry`, over the same IPC channel) and answers their sum: counters and histograms add up across the
 * pool, and gauges too unless a gauge says otherwise (the scrape health takes the largest: each worker scrapes the
 * same clusters).
 */

/** A worker's `/metrics`: the pool's, from the supervisor; a 503 Status when it cannot answer. */
export function workerMetricsExposition(
  registry: Registry,
  channel: SupervisorChannel,
  timers: Timers,
): TelemetryExposition {
  // prom-client's worker side answers the supervisor's collection with these registries; an AggregatorRegistry's
  // constructor is what starts it listening (prom-client's lib/cluster.js), so one is made here and not used further.
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry();
  const ask = supervisorRequests(channel, timers, isMetricsAnswer);
  return {
    contentType: registry.contentType,
    async metrics() {
      const answer = await ask({ type: 'kore:metrics-request' });
      if (answer === undefined)
        throw new StatusError('ServiceUnavailable', "the supervising process did not answer with the workers' metrics");
      if ('error' in answer)
        throw new StatusError('ServiceUnavailable', `the workers' metrics could not be gathered: ${answer.error}`);
      return answer.text;
    },
  };
}

/** The supervisor's side: one aggregator for the pool, answering each worker's request with every worker's sum. */
export function poolMetrics(): (worker: WorkerChannel, request: MetricsRequest) => Promise<void> {
  const aggregator = new AggregatorRegistry();
  return async (worker, request) => {
    let answer: MetricsAnswer;
    try {
      answer = { type: 'kore:metrics-answer', id: request.id, text: await aggregator.clusterMetrics() };
    } catch (err) {
      answer = { type: 'kore:metrics-answer', id: request.id, error: errorMessage(err) };
    }
    // A worker that left meanwhile needs no answer: the callback keeps its closed channel from raising an 'error'.
    if (worker.isConnected()) worker.send(answer, undefined, () => undefined);
  };
}
