/** Why one document of a body could not be decoded; the other documents are unaffected. */
export interface DocumentFault {
  message: string;
  /** 1-based position of the fault in the body, when the decoder knows it. */
  line?: number;
  column?: number;
}

/** One document of a body: its value (null for an empty document), or its fault. */
export type DecodedDocument = { value: unknown } | { fault: DocumentFault };

/** `message at line L, column C`, or the message alone when there is no position. */
export function describeFault(fault: DocumentFault): string {
  return fault.line === undefined
    ? fault.message
    : `${fault.message} at line ${fault.line}, column ${fault.column ?? 1}`;
}

/** A decoded mapping (a JSON object, a YAML map): an object, not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
