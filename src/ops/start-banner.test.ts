import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../config/load';
import { formatStartBanner, redactDatabaseUrl } from './start-banner';
import type { ReadinessCheck } from './readiness';

const ok = (detail: string, extra = {}): ReadinessCheck => ({
  status: 'ok',
  detail,
  reason: null,
  fix: null,
  ...extra,
});

test('the banner lists every part with its status, why not and the fix, then the key', () => {
  const config = loadConfig({ THUNDERPHONE_SECRET_KEY: 'a'.repeat(64), SIP_PUBLIC_ADDRESS: '203.0.113.10' });
  const text = formatStartBanner({
    config,
    dialect: 'sqlite',
    sipPort: 5060,
    checks: {
      database: ok('sqlite:./data/thunderphone.db (migrated)'),
      tts: ok('embedded (flite WebAssembly): 5 voices, default en-US-Kal', {
        optional: [{ engine: 'espeak-ng', improves: 'voices in 100+ languages', fix: 'apt-get install espeak-ng' }],
      }),
      llm: { status: 'warning', detail: 'no language model', reason: 'not configured', fix: 'set LLM_BASE_URL' },
      console: { status: 'missing', detail: 'no console', reason: 'not built', fix: 'npm run build:console' },
    },
    firstKey: 'sk_live_abc',
  });
  const lines = text.split('\n');
  assert.ok(lines.includes('Checks (1 missing, 1 warning; GET /v1/healthz reports the same):'), text);
  assert.ok(lines.includes('  ok       database  sqlite:./data/thunderphone.db (migrated)'), text);
  assert.ok(lines.includes('  ok       tts       embedded (flite WebAssembly): 5 voices, default en-US-Kal'), text);
  assert.ok(
    lines.includes('                     optional: espeak-ng (voices in 100+ languages): apt-get install espeak-ng'),
    text,
  );
  assert.ok(lines.includes('  warning  llm       not configured'), text);
  assert.ok(lines.includes('                     fix: set LLM_BASE_URL'), text);
  assert.ok(lines.includes('  missing  console   not built'), text);
  assert.ok(lines.includes('  SIP:       udp+tcp 0.0.0.0:5060 (public address 203.0.113.10)'), text);
  assert.ok(lines.includes('    sk_live_abc'), text);
});

test('a PostgreSQL password never reaches the banner', () => {
  assert.equal(redactDatabaseUrl('postgres://tp:s3cret@db:5432/tp'), 'postgres://tp:***@db:5432/tp');
  assert.equal(redactDatabaseUrl('sqlite:./data/thunderphone.db'), 'sqlite:./data/thunderphone.db');
});
