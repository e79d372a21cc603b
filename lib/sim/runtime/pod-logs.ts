/**
 * Container logs. Every running container "prints" a line every LINE_INTERVAL_MS since it started; those lines
 * are computed on demand from the pod (nothing stored, whatever the cluster size), and lines appended through
 * `append` (tests, the exec shell) are merged in by time. Followers get both as they happen.
 */
import type { Clock } from '../../clock';
import { isObject, type KubeObject } from '../object-meta';
import { hashString } from '../gen/random';

export const LINE_INTERVAL_MS = 10_000;
/** How much synthetic history a container keeps (a container runtime rotates logs too). */
const HISTORY_LINES = 200;
const APPENDED_LIMIT = 1000;

export interface LogLine {
  time: number;
  text: string;
}

type Listener = (line: LogLine) => void;

interface ContainerState {
  startedAt?: number;
  waitingReason?: string;
  crashLooping: boolean;
  image: string;
}

function containerState(pod: KubeObject, container: string): ContainerState {
  const status = isObject(pod.status) ? pod.status : {};
  const statuses = Array.isArray(status.containerStatuses) ? status.containerStatuses.filter(isObject) : [];
  const cs = statuses.find((s) => s.name === container);
  const spec = isObject(pod.spec) ? pod.spec : {};
  const containers = Array.isArray(spec.containers) ? spec.containers.filter(isObject) : [];
  const image = String(containers.find((c) => c.name === container)?.image ?? '');
  const state = isObject(cs?.state) ? cs.state : {};
  const running = isObject(state.running) ? state.running : undefined;
  const waiting = isObject(state.waiting) ? state.waiting : undefined;
  const lastState = isObject(cs?.lastState) ? cs.lastState : {};
  const terminated = isObject(lastState.terminated) ? lastState.terminated : undefined;
  const started = running?.startedAt ?? terminated?.startedAt;
  return {
    ...(typeof started === 'string' ? { startedAt: Date.parse(started) } : {}),
    ...(waiting && typeof waiting.reason === 'string' ? { waitingReason: waiting.reason } : {}),
    crashLooping: waiting?.reason === 'CrashLoopBackOff',
    image,
  };
}

const PATHS = ['/', '/healthz', '/api/v1/items', '/static/app.js', '/login', '/metrics'];

/** The n-th line a container prints, shaped by its image so the demo reads like a real cluster. */
function syntheticLine(pod: KubeObject, container: string, image: string, n: number, time: number): string {
  const h = hashString(`${pod.metadata.name ?? ''}/${container}/${n}`);
  const iso = new Date(time).toISOString();
  if (image.includes('nginx')) {
    const path = PATHS[h % PATHS.length] ?? '/';
    return `10.244.0.${h % 250} - - [${iso}] "GET ${path} HTTP/1.1" ${h % 17 === 0 ? 404 : 200} ${h % 5000} "-" "kube-probe/1.32"`;
  }
  if (image.includes('redis'))
    return `1:M ${iso} * ${h % 3 === 0 ? 'Background saving started' : `DB saved on disk, ${h % 100} keys`}`;
  if (image.includes('busybox')) return `hello from ${pod.metadata.name ?? 'busybox'} #${n}`;
  return `${iso} level=info msg="handled request" worker=${h % 8} duration_ms=${h % 300} seq=${n}`;
}

export class PodLogs {
  private readonly appended = new Map<string, LogLine[]>();
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(private readonly clock: Clock) {}

  private key(namespace: string, pod: string, container: string): string {
    return `${namespace}/${pod}/${container}`;
  }

  /** Adds a line to a container's log (now), delivered to anyone following it. */
  append(namespace: string, pod: string, container: string, text: string): void {
    const key = this.key(namespace, pod, container);
    const line = { time: this.clock.now(), text };
    const lines = this.appended.get(key) ?? [];
    lines.push(line);
    if (lines.length > APPENDED_LIMIT) lines.splice(0, lines.length - APPENDED_LIMIT);
    this.appended.set(key, lines);
    for (const listener of this.listeners.get(key) ?? []) listener(line);
  }

  /** Why a container has no log to show yet (waiting to start), or undefined when it has one. */
  notStarted(pod: KubeObject, container: string): string | undefined {
    const state = containerState(pod, container);
    if (state.startedAt !== undefined || state.crashLooping) return undefined;
    return state.waitingReason ?? 'ContainerCreating';
  }

  /** The lines a container has printed so far (`previous`: those of its last terminated run). */
  lines(pod: KubeObject, container: string, previous = false): LogLine[] {
    const state = containerState(pod, container);
    const now = this.clock.now();
    const out: LogLine[] = [];
    if (state.crashLooping || previous) {
      const base = state.startedAt ?? now - 60_000;
      out.push(
        { time: base, text: 'starting worker' },
        { time: base + 1000, text: 'connecting to database at db:5432' },
        { time: base + 2000, text: 'Error: connect ECONNREFUSED 10.96.0.20:5432' },
        { time: base + 2001, text: 'exiting with status 1' },
      );
      return out;
    }
    if (state.startedAt !== undefined) {
      const total = Math.floor((now - state.startedAt) / LINE_INTERVAL_MS);
      for (let n = Math.max(0, total - HISTORY_LINES + 1); n <= total; n++) {
        const time = state.startedAt + n * LINE_INTERVAL_MS;
        out.push({ time, text: syntheticLine(pod, container, state.image, n, time) });
      }
    }
    const extra = this.appended.get(this.key(pod.metadata.namespace ?? '', pod.metadata.name ?? '', container));
    if (extra) {
      out.push(...extra);
      out.sort((a, b) => a.time - b.time);
    }
    return out;
  }

  /**
   * Delivers every new line of a running container: appended ones at once, the container's own on its
   * schedule. Returns the function that stops following.
   */
  follow(pod: KubeObject, container: string, listener: Listener): () => void {
    const key = this.key(pod.metadata.namespace ?? '', pod.metadata.name ?? '', container);
    const set = this.listeners.get(key) ?? new Set<Listener>();
    set.add(listener);
    this.listeners.set(key, set);

    const state = containerState(pod, container);
    let timer: NodeJS.Timeout | undefined;
    const startedAt = state.startedAt;
    if (startedAt !== undefined && !state.crashLooping) {
      const schedule = () => {
        const now = this.clock.now();
        const n = Math.floor((now - startedAt) / LINE_INTERVAL_MS) + 1;
        const at = startedAt + n * LINE_INTERVAL_MS;
        timer = setTimeout(
          () => {
            listener({ time: at, text: syntheticLine(pod, container, state.image, n, at) });
            schedule();
          },
          Math.max(0, at - now),
        );
        timer.unref();
      };
      schedule();
    }
    return () => {
      if (timer) clearTimeout(timer);
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(key);
    };
  }
}
