import { Type, type TSchema } from '@sinclair/typebox';

/** Shared wire schemas (snake_case lives only in api/wire). */
export const ErrorBody = Type.Object(
  { detail: Type.String(), code: Type.Optional(Type.String()) },
  { additionalProperties: true, $id: 'ErrorBody' },
);

/** DRF-style field messages: `{ "field": ["message"] }`. */
export const FieldErrorsBody = Type.Record(Type.String(), Type.Array(Type.String()));

/**
 * `null` or the schema. Null comes FIRST: with ajv's coerceTypes, a `null` tried against a string
 * or integer branch first would be coerced to "" or 0.
 */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema]);

export const IdParams = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,18}$' }) });
export const UuidParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export const Timestamp = Type.String({ format: 'date-time' });

export const Paging = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
});

/** Envelope of paginated lists (calls, billing transactions). */
export const Envelope = <T extends TSchema>(item: T) =>
  Type.Object({
    results: Type.Array(item),
    total: Type.Integer(),
    limit: Type.Integer(),
    offset: Type.Integer(),
  });

/** Standard error responses attached to every route's schema. */
export const errorResponses = {
  400: Type.Union([ErrorBody, FieldErrorsBody]),
  401: ErrorBody,
  404: ErrorBody,
};
