import { parseManifests, type ManifestItem } from '../apply/manifests';
import { validateUpload, type KubeconfigDoc } from '../contexts/own-kubeconfig';
import type { BodyFormat } from './media-type';

/**
 * The request bodies decoded off the main thread where there is a worker: each job's arguments, and the
 * pieces it yields. A worker sends each piece as its own message, so no one message is costly to receive.
 */
export interface DecodeJobs {
  manifests: { args: { body: Uint8Array; format: BodyFormat; allowGenerateName: boolean }; piece: ManifestItem };
  kubeconfigUpload: { args: { body: string; dir: string; allowExec: boolean }; piece: KubeconfigDoc };
}

export type JobName = keyof DecodeJobs;
export type JobArgs<N extends JobName> = DecodeJobs[N]['args'];
export type JobPiece<N extends JobName> = DecodeJobs[N]['piece'];

const JOBS: { [N in JobName]: (args: JobArgs<N>) => Iterable<JobPiece<N>> } = {
  // Bytes, decoded here: a 10 MiB body reaches a worker without a copy, and is turned into text there.
  manifests: ({ body, format, allowGenerateName }) =>
    parseManifests(new TextDecoder().decode(body), format, allowGenerateName),
  kubeconfigUpload: ({ body, dir, allowExec }) => [validateUpload(body, dir, { allowExec })],
};

/** Runs a job where it is called. Throws a StatusError for a body it refuses as a whole. */
export function runJob<N extends JobName>(job: N, args: JobArgs<N>): Iterable<JobPiece<N>> {
  return JOBS[job](args);
}
