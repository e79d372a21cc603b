import type { StatusError } from '../errors';
import type { ResponseSink } from './forward';

/** The upstream pool was closed here, not by the cluster: its context changed in a reload, or the server is stopping. */
function closedHere(error: StatusError): boolean {
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return code === 'UND_ERR_DESTROYED' || code === 'UND_ERR_CLOSED';
}

/**
 * A watch whose upstream kore-board itself closed ends as an API server ends a watch, cleanly, so the client starts
 * a new one (with the new credentials); any other body cut short must still be cut, or it would look complete.
 */
export function endingRetiredWatches(sink: ResponseSink, watch: boolean): ResponseSink {
  if (!watch) return sink;
  let started = false;
  return {
    ...sink,
    start(statusCode, headers) {
      started = true;
      sink.start(statusCode, headers);
    },
    fail(error) {
      if (started && closedHere(error)) sink.end();
      else sink.fail(error);
    },
  };
}
