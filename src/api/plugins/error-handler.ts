import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, type ErrorKind } from '../../shared/errors';
import { collapseUnionErrors } from './union-errors';

const STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  payment_required: 402,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  internal: 500,
  upstream: 502,
  unavailable: 503,
};

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

/**
 * The only place errors become HTTP. Body shapes (ThunderPhone, DRF style):
 * `{"detail": "...", "code": "..."}` or field messages `{"field": ["..."]}`.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    if (err instanceof AppError) {
      const status = STATUS[err.kind];
      if (err.fields) return reply.status(status).send(err.fields);
      return reply.status(status).send({ detail: err.message, code: err.code, ...(err.details ?? {}) });
    }
    const fe = err;
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
      return reply.status(fe.statusCode).send({ detail, code: (fe.code ?? 'bad_request').toLowerCase() });
    }
    request.log.error({ err, url: request.url }, 'unhandled error');
    return reply.status(500).send({ detail: 'Internal server error.', code: 'internal_error' });
  });
  app.setNotFoundHandler((_request, reply) =>
    reply.status(404).send({ detail: 'Not found.', code: 'route_not_found' }),
  );
}

/**
 * Errors Node's HTTP parser raises before Fastify has a request (Fastify's `clientErrorHandler`),
 * answered in the same `{"detail","code"}` shape: headers or URL over the limit (16 KB) → 431
 * `request_header_too_large`, a request that took too long → 408 `request_timeout`, anything
 * else malformed → 400 `bad_request`. The connection is closed afterwards.
 */
export function clientErrorHandler(this: FastifyInstance, err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, detail] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'request_header_too_large', 'Request headers (including the URL and query string) exceed 16 KB.']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request_timeout', 'The request was not received in time.']
        : [400, 'bad_request', 'Malformed HTTP request.'];
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
