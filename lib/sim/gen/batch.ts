/** Jobs: one that completed, one that failed past its backoff limit, and a CronJob with its latest run. */
import type { KubeObject } from '../object-meta';
import { DAY, HOUR, type Ids, MINUTE } from './ids';
import { collect, generatedNames, type Placer, pods } from './placement';
import { ownerRef, type OwnerReference, type PodState } from './pods';
import { container, podTemplates } from './templates';
import { cronJobObject, jobObject } from './workloads';

export function* batchWorkloads(namespace: string, ids: Ids, placer: Placer): Generator<KubeObject> {
  const jobTemplates = (job: string, jobUid: string, image: string, command: string[], shells?: string) => {
    const labels = {
      'batch.kubernetes.io/controller-uid': jobUid,
      'batch.kubernetes.io/job-name': job,
      'controller-uid': jobUid,
      'job-name': job,
    };
    return podTemplates(
      {
        containers: [
          container(job.replace(/-\d+$/, ''), image, {
            command,
            resources: { requests: { cpu: '100m', memory: '128Mi' } },
          }),
        ],
        labels,
        serviceAccount: 'app',
        restartPolicy: 'Never',
        ...(shells === undefined ? {} : { shells }),
      },
      ids,
    );
  };

  function* job(
    name: string,
    image: string,
    command: string[],
    outcome: 'complete' | 'failed',
    ageMs: number,
    owner?: OwnerReference,
  ) {
    const uid = ids.uid();
    const t = jobTemplates(name, uid, image, command, image.startsWith('busybox') ? 'sh' : undefined);
    const jobRef = ownerRef('batch/v1', 'Job', name, uid);
    const states: PodState[] = outcome === 'complete' ? ['succeeded'] : ['failed', 'failed'];
    const podObjects: KubeObject[] = [];
    yield* collect(
      pods({ namespace, owner: jobRef, template: t.pod, ageMs }, generatedNames(name, ids), states, ids, placer),
      podObjects,
    );
    const start = ids.ago(ageMs);
    yield jobObject(
      {
        name,
        namespace,
        uid,
        created: start,
        labels: t.pod.labels,
        ...(owner === undefined ? {} : { owner }),
      },
      t.template,
      outcome === 'complete' ? 6 : 1,
      outcome === 'complete'
        ? { succeeded: 1, failed: 0, startTime: start, completionTime: ids.ago(ageMs - ids.int(20, 300) * 1000) }
        : { succeeded: 0, failed: 2, startTime: start },
    );
    yield* podObjects;
  }

  yield* job('db-migrate', 'ghcr.io/kore-demo/migrate:2.14.1', ['/migrate', 'up'], 'complete', 12 * DAY);
  yield* job('reindex-search', 'ghcr.io/kore-demo/search:0.18.4', ['/reindex', '--all'], 'failed', 5 * HOUR);

  const cronUid = ids.uid();
  const cron = 'nightly-report';
  const lastRun = Math.floor((ids.now - 8 * HOUR) / MINUTE);
  const cronRef = ownerRef('batch/v1', 'CronJob', cron, cronUid);
  const jobTemplate = {
    metadata: {},
    spec: {
      backoffLimit: 2,
      template: {
        metadata: {},
        spec: {
          containers: [
            container('report', 'busybox:1.37', { command: ['sh', '-c', 'echo building report; sleep 30'] }),
          ],
          restartPolicy: 'OnFailure',
        },
      },
    },
  };
  yield cronJobObject(
    { name: cron, namespace, uid: cronUid, created: ids.ago(40 * DAY) },
    '0 2 * * *',
    jobTemplate,
    new Date(lastRun * MINUTE).toISOString().replace('.000Z', 'Z'),
    ids.ago(8 * HOUR - 45_000),
  );
  yield* job(
    `${cron}-${lastRun}`,
    'busybox:1.37',
    ['sh', '-c', 'echo building report; sleep 30'],
    'complete',
    8 * HOUR,
    cronRef,
  );
}
