import { ERROR_CATALOGUE, type ErrorCode, type ErrorKind } from './error-catalogue';

export { ERROR_CATALOGUE, STATUS_OF_KIND, isErrorCode, type ErrorCode, type ErrorKind } from './error-catalogue';

export interface AppErrorOptions {
  /** Field-level messages, DRF style: `{ field: ["msg"] }`. */
  fields?: Record<string, string[]>;
  details?: Record<string, unknown>;
  retryable?: boolean;
  cause?: unknown;
}

/**
 * One base error with a stable code from ERROR_CATALOGUE (which also gives its kind, and so its HTTP
 * status); only api/plugins/error-handler.ts turns an AppError into HTTP.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly fields: Record<string, string[]> | undefined;
  readonly details: Record<string, unknown> | undefined;
  readonly retryable: boolean;

  /** The kind (and so the HTTP status) comes from ERROR_CATALOGUE. */
  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.kind = ERROR_CATALOGUE[code];
    this.fields = options.fields;
    this.details = options.details;
    this.retryable = options.retryable ?? false;
  }
}

/** The 400 with field messages (`{"field": ["msg"]}`; internal code `validation_error`). */
export const fieldsError = (fields: Record<string, string[]>): AppError =>
  new AppError('validation_error', 'Invalid request', { fields });

/** Collects field errors and throws one 400 with all of them. */
export class FieldErrors {
  readonly #fields: Record<string, string[]> = {};

  add(field: string, message: string): void {
    (this.#fields[field] ??= []).push(message);
  }

  get empty(): boolean {
    return Object.keys(this.#fields).length === 0;
  }

  throwIfAny(): void {
    if (!this.empty) throw fieldsError(this.#fields);
  }
}

export const notFound = (what: string, code: ErrorCode): AppError => new AppError(code, `${what} not found`);
