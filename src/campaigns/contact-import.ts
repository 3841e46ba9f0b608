import { parse } from 'csv-parse/sync';
import { AppError } from '../shared/errors';

/**
 * Contacts of `POST /v1/campaigns/{id}/contacts` (sans-IO): JSON `{"contacts": [...]}` or CSV
 * with a header row. `phone_number` is the number (E.164); every other column/key becomes a call
 * variable (string; numbers and booleans are turned into text). Each bad row is rejected with a
 * named error, the good ones are accepted (kept as given: duplicates too, as the hosted API does).
 */
export const MAX_CONTACTS_PER_REQUEST = 5000;
/** Variables per contact (columns other than phone_number). */
export const MAX_VARIABLES_PER_CONTACT = 50;
export const MAX_VARIABLE_CHARS = 1000;
const E164 = /^\+[1-9]\d{7,14}$/;

/** The per-row errors (documented in README "Campaigns"). */
export type ContactError =
  | 'not_an_object'
  | 'missing_phone_number'
  | 'invalid_phone_number'
  | 'too_many_columns'
  | 'invalid_variable_name'
  | 'invalid_variable_value'
  | 'variable_too_long';

export interface ImportedContact {
  phoneNumber: string;
  variables: Record<string, string>;
}

export interface ContactImport {
  accepted: ImportedContact[];
  errors: Array<{ index: number; error: ContactError }>;
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

function checkRow(row: unknown): ImportedContact | ContactError {
  if (row === null || typeof row !== 'object' || Array.isArray(row)) return 'not_an_object';
  const entries = Object.entries(row as Record<string, unknown>);
  const phone = (row as Record<string, unknown>).phone_number;
  if (phone === undefined || phone === null || (typeof phone === 'string' && phone.trim() === ''))
    return 'missing_phone_number';
  if (typeof phone !== 'string' || !E164.test(phone.trim())) return 'invalid_phone_number';
  const variables: Record<string, string> = {};
  let count = 0;
  for (const [key, value] of entries) {
    if (key === 'phone_number') continue;
    if (++count > MAX_VARIABLES_PER_CONTACT) return 'too_many_columns';
    if (!VARIABLE_NAME.test(key)) return 'invalid_variable_name';
    if (value === null || value === undefined) continue;
    if (typeof value === 'object') return 'invalid_variable_value';
    const text = String(value);
    if (text.length > MAX_VARIABLE_CHARS) return 'variable_too_long';
    variables[key] = text;
  }
  return { phoneNumber: phone.trim(), variables };
}

export function importContacts(rows: unknown[]): ContactImport {
  if (rows.length > MAX_CONTACTS_PER_REQUEST)
    throw new AppError(
      'too_many_contacts',
      `At most ${MAX_CONTACTS_PER_REQUEST} contacts per request (got ${rows.length}); send them in several requests.`,
    );
  const out: ContactImport = { accepted: [], errors: [] };
  rows.forEach((row, index) => {
    const r = checkRow(row);
    if (typeof r === 'string') out.errors.push({ index, error: r });
    else out.accepted.push(r);
  });
  return out;
}

/**
 * CSV text → row objects (header row = names). A row with more cells than the header becomes
 * `too_many_columns` (kept as a marker so its index stays right); empty lines are skipped.
 */
export function csvRows(text: string): unknown[] {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true });
  } catch (err) {
    throw new AppError('invalid_contacts_upload', `The CSV could not be read: ${(err as Error).message}`);
  }
  const header = records[0];
  if (header === undefined || !header.includes('phone_number'))
    throw new AppError('invalid_contacts_upload', 'The CSV needs a header row with a phone_number column.');
  return records.slice(1).map((cells) => {
    if (cells.length > header.length) return TOO_MANY_COLUMNS;
    const row: Record<string, string> = {};
    header.forEach((name, i) => {
      if (name !== '' && cells[i] !== undefined && cells[i] !== '') row[name] = cells[i];
    });
    return row;
  });
}

const TOO_MANY_COLUMNS = Symbol('too_many_columns');

/** importContacts over CSV rows: the marker of an over-long row is reported as too_many_columns. */
export function importCsvContacts(text: string): ContactImport {
  const rows = csvRows(text);
  const marked = new Set<number>();
  rows.forEach((r, i) => r === TOO_MANY_COLUMNS && marked.add(i));
  const result = importContacts(rows.map((r) => (r === TOO_MANY_COLUMNS ? {} : r)));
  result.errors = result.errors.map((e) => (marked.has(e.index) ? { index: e.index, error: 'too_many_columns' } : e));
  return result;
}
