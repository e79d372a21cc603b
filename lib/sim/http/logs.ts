/**
 * GET pods/<name>/log: a container's log as text/plain, with `container`, `tailLines`, `sinceSeconds`,
 * `sinceTime`, `timestamps`, `limitBytes`, `previous`, and `follow=true`, which keeps the response open and
 * writes lines as they come until the client leaves or the pod goes away.
 */
import { StatusError } from '../../errors';
import { isObject, type KubeObject } from '../object-meta';
import type { LogLine } from '../runtime/pod-logs';
import { boolParam, type HandlerContext } from './context';

function names(list: unknown): string[] {
  return (Array.isArray(list) ? list : []).filter(isObject).map((c) => String(c.name ?? ''));
}

/** The container a log or exec request targets, with the API server's errors when it cannot tell or it is wrong. */
export function resolveContainer(pod: KubeObject, requested: string | null): string {
  const spec = isObject(pod.spec) ? pod.spec : {};
  const containers = names(spec.containers);
  const init = names(spec.initContainers);
  const name = pod.metadata.name ?? '';
  if (requested === null || requested === '') {
    if (containers.length === 1) return containers[0] as string;
    const initPart = init.length > 0 ? ` or one of the init containers: [${init.join(' ')}]` : '';
    throw new StatusError(
      'BadRequest',
      `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]${initPart}`,
    );
  }
  if (!containers.includes(requested) && !init.includes(requested))
    throw new StatusError('BadRequest', `container ${requested} is not valid for pod ${name}`);
  return requested;
}

/** RFC3339 with nanoseconds, as the kubelet prefixes lines with `timestamps=true`. */
function nanoTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

function intParam(ctx: HandlerContext, name: string): number | undefined {
  const raw = ctx.query.get(name);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new StatusError(
      'Invalid',
      `PodLogOptions "" is invalid: ${name}: Invalid value: ${raw}: must be greater than or equal to 0`,
    );
  return n;
}

export async function handleLogs(ctx: HandlerContext): Promise<void> {
  const { store, route, res } = ctx;
  const namespace = route.namespace ?? '';
  const podName = route.name ?? '';
  const pod = store.require(route.res, namespace, podName);
  const container = resolveContainer(pod, ctx.query.get('container'));
  const previous = boolParam(ctx.query, 'previous');
  const follow = boolParam(ctx.query, 'follow');
  const timestamps = boolParam(ctx.query, 'timestamps');
  const tailLines = intParam(ctx, 'tailLines');
  const limitBytes = intParam(ctx, 'limitBytes');
  const sinceSeconds = intParam(ctx, 'sinceSeconds');
  const sinceTimeRaw = ctx.query.get('sinceTime');
  const sinceTime = sinceTimeRaw ? Date.parse(sinceTimeRaw) : undefined;

  const waiting = store.logs.notStarted(pod, container);
  if (waiting !== undefined && !previous) {
    throw new StatusError('BadRequest', `container "${container}" in pod "${podName}" is waiting to start: ${waiting}`);
  }
  const statuses =
    isObject(pod.status) && Array.isArray(pod.status.containerStatuses)
      ? pod.status.containerStatuses.filter(isObject)
      : [];
  const restarts = Number(statuses.find((s) => s.name === container)?.restartCount ?? 0);
  if (previous && restarts === 0)
    throw new StatusError('BadRequest', `previous terminated container "${container}" in pod "${podName}" not found`);

  const cutoff = sinceSeconds !== undefined ? store.clock.now() - sinceSeconds * 1000 : sinceTime;
  let lines = store.logs.lines(pod, container, previous).filter((l) => cutoff === undefined || l.time >= cutoff);
  if (tailLines !== undefined) lines = tailLines === 0 ? [] : lines.slice(-tailLines);

  let budget = limitBytes ?? Infinity;
  const format = (line: LogLine): string => `${timestamps ? `${nanoTimestamp(line.time)} ` : ''}${line.text}\n`;
  const emit = (line: LogLine): boolean => {
    if (budget <= 0) return false;
    let text = format(line);
    if (Buffer.byteLength(text) > budget) text = Buffer.from(text).subarray(0, budget).toString('utf8');
    budget -= Buffer.byteLength(text);
    res.write(text);
    return budget > 0;
  };

  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
  for (const line of lines) if (!emit(line)) break;
  if (!follow || previous || budget <= 0) {
    res.end();
    return;
  }
  res.flushHeaders();
  await new Promise<void>((resolve) => {
    let stopFollowing: () => void = () => undefined;
    let stopWatching: () => void = () => undefined;
    const finish = () => {
      stopFollowing();
      stopWatching();
      if (!res.writableEnded) res.end();
      resolve();
    };
    res.once('close', finish);
    stopFollowing = store.logs.follow(pod, container, (line) => {
      if (!emit(line)) finish();
    });
    // The stream ends with the container: here, when the pod is deleted.
    stopWatching = store.subscribe((change) => {
      if (
        change.type === 'DELETED' &&
        change.res.storageKey === route.res.storageKey &&
        change.record.namespace === namespace &&
        change.record.name === podName
      )
        finish();
    });
  });
}
