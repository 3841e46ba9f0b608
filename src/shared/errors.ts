/**
 * One base error with a stable code. Domains declare their codes in their own errors.ts;
 * only api/plugins/error-handler.ts turns an AppError into HTTP.
 */
export type ErrorKind =
  | 'invalid' // 400
  | 'unauthenticated' // 401
  | 'payment_required' // 402
  | 'forbidden' // 403
  | 'not_found' // 404
  | 'conflict' // 409
  | 'unprocessable' // 422
  | 'unavailable' // 503
  | 'upstream' // 502
  | 'internal'; // 500

export interface AppErrorOptions {
  /** Field-level messages, DRF style: `{ field: ["msg"] }`. */
  fields?: Record<string, string[]>;
  details?: Record<string, unknown>;
  retryable?: boolean;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly fields: Record<string, string[]> | undefined;
  readonly details: Record<string, unknown> | undefined;
  readonly retryable: boolean;

  constructor(kind: ErrorKind, code: string, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.kind = kind;
    this.code = code;
    this.fields = options.fields;
    this.details = options.details;
    this.retryable = options.retryable ?? false;
  }
}

/** Collects field errors and throws one 400 with all of them. */
export class FieldErrors {
  readonly #fields: Record<string, string[]> = {};

  add(field: string, message: string): void {
    (this.#fields[field] ??= []).push(message);
  }

  get empty(): boolean {
    return Object.keys(this.#fields).length === 0;
  }

  throwIfAny(code = 'validation_error'): void {
    if (this.empty) return;
    throw new AppError('invalid', code, 'Invalid request', { fields: this.#fields });
  }
}

export const notFound = (what: string, code = 'not_found'): AppError =>
  new AppError('not_found', code, `${what} not found`);
