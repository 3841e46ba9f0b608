import type { FastifyRequest } from 'fastify';

/**
 * preValidation hook for routes whose body is optional: a POST without a body (curl -X POST)
 * is validated as `{}` instead of failing the object schema.
 */
export async function emptyBodyAsObject(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {};
}
