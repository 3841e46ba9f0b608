import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, ERROR_CATALOGUE, STATUS_OF_KIND, fieldsError, notFound, type ErrorCode } from './errors';

const DOC = readFileSync(join(import.meta.dirname, '../../docs/errors.md'), 'utf8');

/** Every table row of docs/errors.md that names codes: code → its status column. */
function documentedCodes(): Map<string, string> {
  const codes = new Map<string, string>();
  for (const line of DOC.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 4 || !cells[1]!.startsWith('`')) continue;
    for (const m of cells[1]!.matchAll(/`([a-z0-9_]+)`/g)) {
      assert.ok(!codes.has(m[1]!), `${m[1]} is listed twice`);
      codes.set(m[1]!, cells[2]!);
    }
  }
  return codes;
}

test('docs/errors.md lists every code of the catalogue, with the status of its kind', () => {
  const documented = documentedCodes();
  const missing = Object.keys(ERROR_CATALOGUE).filter((code) => !documented.has(code));
  assert.deepEqual(missing, [], 'add these codes to docs/errors.md');
  for (const [code, kind] of Object.entries(ERROR_CATALOGUE))
    assert.equal(documented.get(code), String(STATUS_OF_KIND[kind]), `status of ${code} (${kind})`);
});

test('every code docs/errors.md lists is in the catalogue', () => {
  const unknown = [...documentedCodes().keys()].filter((code) => !Object.hasOwn(ERROR_CATALOGUE, code));
  assert.deepEqual(unknown, [], 'add these codes to src/shared/error-catalogue.ts, or remove them from the page');
  assert.ok(documentedCodes().size >= 50, 'the page was parsed');
});

test('an AppError takes its kind from the catalogue', () => {
  const err = new AppError('insufficient_balance', 'Insufficient balance', { details: { balance_cents: 0 } });
  assert.deepEqual(
    [err.code, err.kind, err.message, err.details],
    ['insufficient_balance', 'payment_required', 'Insufficient balance', { balance_cents: 0 }],
  );

  const missing = notFound('Call', 'call_not_found');
  assert.deepEqual([missing.message, missing.kind], ['Call not found', 'not_found']);
  const fields = fieldsError({ name: ['This field is required.'] });
  assert.deepEqual(
    [fields.code, fields.kind, fields.fields],
    ['validation_error', 'invalid', { name: ['This field is required.'] }],
  );
  // @ts-expect-error an unknown code does not compile
  const unknown: ErrorCode = 'no_such_code';
  assert.equal(Object.hasOwn(ERROR_CATALOGUE, unknown), false);
});
