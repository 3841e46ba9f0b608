/** Why an outgoing request did not produce a response. Stable codes, safe to show to users. */
export type OutgoingHttpErrorCode =
  'target_not_allowed' | 'timeout' | 'network_error' | 'response_too_large' | 'invalid_url';

export class OutgoingHttpError extends Error {
  readonly code: OutgoingHttpErrorCode;

  constructor(code: OutgoingHttpErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OutgoingHttpError';
    this.code = code;
  }
}
