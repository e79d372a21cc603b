/**
 * Kubernetes `Status` errors: the one error shape every route answers with, so kubectl and client
 * libraries print our failures the way they print the API server's.
 */

/** metav1.StatusReason values we emit, with the HTTP code Kubernetes pairs each with. */
export const STATUS_REASONS = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  AlreadyExists: 409,
  Conflict: 409,
  Gone: 410,
  Expired: 410,
  // Kubernetes has no reasons for 408, 414 and 431: Node's parser refuses these before any route runs.
  RequestTimeout: 408,
  RequestEntityTooLarge: 413,
  URITooLong: 414,
  UnsupportedMediaType: 415,
  Invalid: 422,
  TooManyRequests: 429,
  RequestHeaderFieldsTooLarge: 431,
  InternalError: 500,
  // Kubernetes has no reason for 501; a feature this server can run but was not enabled (the terminal's cluster shell).
  NotImplemented: 501,
  // Kubernetes has no reason for 502; proxies conventionally say BadGateway.
  BadGateway: 502,
  ServiceUnavailable: 503,
  Timeout: 504,
} as const;

export type StatusReason = keyof typeof STATUS_REASONS;

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
  /** Position of a document in a multi-document request (apply). */
  index?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never> | { resourceVersion?: string };
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** An error that knows the Status it becomes. Thrown across layers; rendered once, at the edge. */
export class StatusError extends Error {
  readonly code: number;
  readonly reason: StatusReason;
  readonly details: StatusDetails | undefined;

  constructor(
    reason: StatusReason,
    message: string,
    details?: StatusDetails,
    options?: { cause?: unknown; code?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StatusError';
    this.reason = reason;
    this.code = options?.code ?? STATUS_REASONS[reason];
    this.details = details;
  }

  toStatus(): Status {
    return failureStatus(this.code, this.reason, this.message, this.details);
  }
}

export function failureStatus(code: number, reason: string, message: string, details?: StatusDetails): Status {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details !== undefined) status.details = details;
  return status;
}

/** The message of any thrown value: an Error's own message, anything else as a string. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Any thrown value as a StatusError; unknown errors become 500 without leaking their stack. */
export function toStatusError(err: unknown): StatusError {
  if (err instanceof StatusError) return err;
  return new StatusError('InternalError', `internal error: ${errorMessage(err)}`, undefined, { cause: err });
}

export function isStatus(value: unknown): value is Status {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'Status';
}
