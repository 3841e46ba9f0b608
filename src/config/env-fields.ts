import { Type } from '@sinclair/typebox';

/** Builders of EnvSchema's fields (schema.ts): literal unions, bounded integers, texts. */

export const BOOLEANS = ['true', 'false'] as const;
export const HTTP_URL = { pattern: '^https?://', errorMessage: 'must be an http(s) URL' };
export const LANGUAGE_TAG = {
  pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$',
  errorMessage: 'must be a BCP-47 tag such as en-US',
};

/** One of `values` (a union of literals, typed as `T[number]`). */
export const literalsOf = <T extends readonly string[]>(
  values: T,
  options: { default?: T[number]; description?: string } = {},
) =>
  Type.Unsafe<T[number]>(
    Type.Union(
      values.map((v) => Type.Literal(v)),
      options,
    ),
  );
export const oneOf = <T extends readonly string[]>(values: T, options: { default: T[number]; description: string }) =>
  literalsOf(values, options);
export const int = (minimum: number, maximum: number, options: { default: number; description: string }) =>
  Type.Integer({ minimum, maximum, ...options });
export type TextOptions = { description: string; pattern?: string; errorMessage?: string };
/** A text variable with a default; `errorMessage` (after the variable's name) explains a `pattern`. */
export const text = (options: TextOptions & { default: string }) => Type.String(options);
/** A text variable without a default: unset (or blank) means not configured, or a derived default. */
export const optionalText = (options: TextOptions) => Type.Optional(Type.String(options));
