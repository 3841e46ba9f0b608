import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, ERROR_CATALOGUE, STATUS_OF_KIND, isErrorCode, type ErrorCode } from '../../shared/errors';
import { DATABASE_UNAVAILABLE } from '../../store/database-errors';
import { collapseUnionErrors } from './union-errors';

interface ValidationItem {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

/** Turns schema-validation failures into DRF-style field messages: `{ "name": ["..."] }`. */
export function validationToFields(items: ValidationItem[]): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const item of items) {
    const path = (item.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
    let field = path;
    let message = item.message ?? 'Invalid value.';
    if (item.keyword === 'required' && typeof item.params?.missingProperty === 'string') {
      field = path ? `${path}.${item.params.missingProperty}` : item.params.missingProperty;
      message = 'This field is required.';
    } else if (item.keyword === 'additionalProperties' && typeof item.params?.additionalProperty === 'string') {
      field = path ? `${path}.${item.params.additionalProperty}` : item.params.additionalProperty;
      message = 'Unknown field.';
    }
    (fields[field || 'non_field_errors'] ??= []).push(message);
  }
  return fields;
}

const routeNotFound = { detail: 'Not found.', code: 'route_not_found' satisfies ErrorCode };

/**
 * The only place errors become HTTP. Body shapes (ThunderPhone, DRF style):
 * `{"detail": "...", "code": "..."}` or field messages `{"field": ["..."]}`.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    if (err instanceof AppError) {
      // The store and the job queue turn a lost database into `database_unavailable` (503): say when to retry.
      if (err.code === DATABASE_UNAVAILABLE) reply.header('retry-after', '1');
      // Any error that knows when to come back (`details.retry_after_s`, e.g. server_draining) says so.
      const retryAfterS = err.details?.retry_after_s;
      if (typeof retryAfterS === 'number') reply.header('retry-after', String(retryAfterS));
      const status = STATUS_OF_KIND[err.kind];
      if (err.fields) return reply.status(status).send(err.fields);
      return reply.status(status).send({ detail: err.message, code: err.code, ...(err.details ?? {}) });
    }
    const fe = err;
    // A path segment that is not a valid id (`/phone-numbers/limits` on `/phone-numbers/:id` for a
    // method the literal route lacks) names no resource: 404, like an unknown route, never a 400.
    if (fe.validation && fe.validationContext === 'params') return reply.status(404).send(routeNotFound);
    if (fe.validation) return reply.status(400).send(validationToFields(collapseUnionErrors(fe.validation)));
    if (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500) {
      const detail =
        fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
          ? 'Request body is empty.'
          : fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? 'Unsupported media type; send application/json.'
            : fe.statusCode === 400
              ? 'Malformed request body.'
              : fe.message;
      // Fastify's own 4xx codes (body parsing) are in the catalogue; any other 4xx is `bad_request`.
      const code = (fe.code ?? '').toLowerCase();
      const known: ErrorCode = isErrorCode(code) && code.startsWith('fst_err_') ? code : 'bad_request';
      return reply.status(fe.statusCode).send({ detail, code: known });
    }
    request.log.error({ err, url: request.url }, 'unhandled error');
    return reply.status(500).send({ detail: 'Internal server error.', code: 'internal_error' satisfies ErrorCode });
  });
  app.setNotFoundHandler((_request, reply) => reply.status(404).send(routeNotFound));
}

/**
 * Errors Node's HTTP parser raises before Fastify has a request (Fastify's `clientErrorHandler`),
 * answered in the same `{"detail","code"}` shape: headers or URL over the limit (16 KB) → 431
 * `request_header_too_large`, a request that took too long → 408 `request_timeout`, anything
 * else malformed → 400 `bad_request`. The connection is closed afterwards.
 */
export function clientErrorHandler(this: FastifyInstance, err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [code, detail]: [ErrorCode, string] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? ['request_header_too_large', 'Request headers (including the URL and query string) exceed 16 KB.']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? ['request_timeout', 'The request was not received in time.']
        : ['bad_request', 'Malformed HTTP request.'];
  const status = STATUS_OF_KIND[ERROR_CATALOGUE[code]];
  this.log.debug({ err }, 'client error');
  if (socket.writable) {
    const body = JSON.stringify({ detail, code });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
