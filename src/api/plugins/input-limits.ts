import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../shared/errors';
import { jsonProblems, MAX_JSON_DEPTH } from '../../shared/json-limits';

/**
 * Limits every request meets before schema validation, on every route: no NUL characters in path
 * params, query values, body strings or keys, and JSON nested at most MAX_JSON_DEPTH levels.
 * Violations are a 400 with field messages (`{"name": ["Null characters ..."]}`), nothing changed.
 * Integer ranges are bounded by the validator (boundIntegers in server.ts).
 */
export function registerInputLimits(app: FastifyInstance): void {
  app.addHook('preValidation', async (request: FastifyRequest) => {
    if (request.is404) return;
    const fields: Record<string, string[]> = {};
    for (const part of [request.params, request.query, request.body]) {
      for (const p of jsonProblems(part, MAX_JSON_DEPTH)) (fields[p.path || 'non_field_errors'] ??= []).push(p.message);
    }
    if (Object.keys(fields).length > 0) throw new AppError('validation_error', 'Invalid request', { fields });
  });
}

/** Largest integer a request may carry: ids and cents stay exact in JS and fit int64 columns. */
const SAFE = Number.MAX_SAFE_INTEGER;

/**
 * A copy of a request schema in which every `integer` is bounded to ±(2^53 − 1) (tighter bounds
 * are kept): `agent_id: 1e20` or `offset=99999999999999999999` is a 400 naming the field, never a
 * database error.
 */
export function boundIntegers<T>(schema: T): T {
  if (Array.isArray(schema)) return schema.map((s: unknown) => boundIntegers(s)) as T;
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = boundIntegers(v);
  const type = out.type;
  if (type === 'integer' || (Array.isArray(type) && type.includes('integer'))) {
    out.maximum = typeof out.maximum === 'number' ? Math.min(out.maximum, SAFE) : SAFE;
    out.minimum = typeof out.minimum === 'number' ? Math.max(out.minimum, -SAFE) : -SAFE;
  }
  return out as T;
}
