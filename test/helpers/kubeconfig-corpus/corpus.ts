/**
 * The corpus of KUBECONFIG lists read by kubectl and by kore-board (test/clusters/kubeconfig-vs-kubectl.test.ts): its
 * shape and helpers; the lists are in kubeconfig-corpus-{files,yaml,contexts}.ts. Servers refuse
 * connections (127.0.0.1:1), and plugins and files named only to be looked for do not exist. Certificates
 * and keys are real (both readers parse them) and each starts with a line of its own, so one is known by that
 * line wherever it was read from.
 *
 * A relative token file or exec command must name a missing file (and the token file come without `token`):
 * kubectl shows where it resolved such a path only in the error it gives for it.
 */
import { b64 } from '../b64';

export interface Deviation {
  at: string;
  kubectl: unknown;
  ours: unknown;
  /** Why we read it differently on purpose. */
  reason: string;
}

export interface CorpusSet {
  name: string;
  /** Written under the set's own directory; `{{dir}}` in a text stands for that directory's absolute path. */
  files: Record<string, string>;
  /** Symbolic links written after the files: name → target (relative to the link, as `ln -s` takes it). */
  links?: Record<string, string>;
  /** The KUBECONFIG list, relative to the set's directory; a name not in `files` is a missing file. */
  list: string[];
  /** Where our reading differs from kubectl's on purpose, in the order `differences` reports them. */
  deviations?: Deviation[];
}

export type PemKind = 'ca' | 'cert' | 'key';
export interface Pems {
  ca: string;
  cert: string;
  key: string;
}

/** A certificate or key file's text: `label` on the first line, then the fixture PEM of that kind. */
export const pemFile = (kind: PemKind, label: string) => `{{pem:${kind}:${label}}}`;
/** The same text base64-encoded, for a `*-data` field. */
export const pemData = (kind: PemKind, label: string) => `{{pem-data:${kind}:${label}}}`;

/** A corpus text as written: `{{dir}}` and the PEM placeholders filled in. */
export function expand(text: string, dir: string, pems: Pems): string {
  return text
    .replaceAll('{{dir}}', dir)
    .replace(/\{\{(pem|pem-data):(ca|cert|key):([^}]*)\}\}/g, (_match, form: string, kind: PemKind, label: string) => {
      const pem = `${label}\n${pems[kind]}`;
      return form === 'pem' ? pem : b64(pem);
    });
}

export const SERVER = 'https://127.0.0.1:1';
export const V1 = 'client.authentication.k8s.io/v1';
export const V1BETA1 = 'client.authentication.k8s.io/v1beta1';

export const WHOLE_LIST =
  'kubectl refuses the whole KUBECONFIG list when one value has the wrong type or one file is malformed; we fail ' +
  'only the entries (or the file) at fault, so one bad file does not take every other cluster away';

/** A context of a file we refuse whole: listed, broken, with nothing else read from the file. */
export function refusedFile(
  context: string,
  kubectl: { cluster: string; user: string; server: string },
  reason: string,
): Deviation[] {
  return [
    ...(['cluster', 'user', 'server'] as const).map((field) => ({
      at: `context ${context}: ${field}`,
      kubectl: kubectl[field],
      ours: '',
      reason,
    })),
    { at: `context ${context}: usable`, kubectl: true, ours: false, reason },
  ];
}

/** A kubeconfig document with a header, from its sections' YAML. */
export const config = (sections: string) => `apiVersion: v1\nkind: Config\n${sections.trim()}\n`;
