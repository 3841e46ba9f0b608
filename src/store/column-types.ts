/**
 * Column conventions that keep SQLite and PostgreSQL identical (tables.ts and its parts):
 * booleans are INTEGER 0/1, timestamps ISO-8601 UTC TEXT with milliseconds, JSON is TEXT.
 */
export type Flag = number;
export type Iso = string;
export type Json = string;
