import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** Codes thrown as `new AppError('kind', 'code', ...)` or `notFound('What', 'code')`. */
function thrownCodes(): Map<string, string> {
  const codes = new Map<string, string>();
  for (const file of sources(join(ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/new AppError\(\s*'[a-z_]+',\s*'([a-z0-9_]+)'/g)) codes.set(m[1]!, file);
    for (const m of text.matchAll(/notFound\(\s*'[^']*',\s*'([a-z0-9_]+)'\)/g)) codes.set(m[1]!, file);
  }
  return codes;
}

test('docs/errors.md lists every error code the code throws', () => {
  const doc = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8');
  const codes = thrownCodes();
  assert.ok(codes.has('validation_error') && codes.has('agent_not_found'), 'the scan finds codes');
  const missing = [...codes]
    .filter(([code]) => !doc.includes(`\`${code}\``))
    .map(([code, file]) => `${code} (${file.slice(ROOT.length + 1)})`);
  assert.deepEqual(missing, [], 'add these codes to docs/errors.md');
});
