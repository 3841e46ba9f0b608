import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { ConfigError, loadConfig } from './load';
import { ConfigSchema, DEFAULT_RATE_CENTS_PER_MINUTE, EnvSchema } from './schema';

const KEY = 'a'.repeat(64);

test('defaults follow the self-hosting contract', () => {
  const c = loadConfig({ THUNDERPHONE_SECRET_KEY: KEY });
  assert.equal(c.http.port, 8080);
  assert.equal(c.http.host, '0.0.0.0');
  assert.equal(c.databaseUrl, 'sqlite:./data/thunderphone.db');
  assert.equal(c.sip.port, 5060);
  assert.deepEqual(c.rtp, {
    portMin: 20000,
    portMax: 30000,
    mediaWorkers: availableParallelism(),
    mediaWorkerPriority: 'high',
  });
  assert.equal(loadConfig({ THUNDERPHONE_SECRET_KEY: KEY, MEDIA_WORKERS: '0' }).rtp.mediaWorkers, 0);
  assert.throws(
    () => loadConfig({ THUNDERPHONE_SECRET_KEY: KEY, MEDIA_WORKERS: 'many' }),
    /MEDIA_WORKERS must be auto/,
  );
  assert.deepEqual(c.rateCentsPerMinute, { spark: 2, bolt: 5, storm: 9 });
  assert.equal(c.allowPrivateTargets, 'loopback');
  assert.equal(c.tts.engine, 'auto');
  assert.equal(c.tts.primaryLanguage, 'en-US');
  assert.equal(c.http.publicBaseUrl, 'http://localhost:8080');
  assert.equal(c.adminToken, undefined);
  assert.ok(Object.isFrozen(c));
});

test('every problem is reported at once', () => {
  try {
    loadConfig({
      THUNDERPHONE_SECRET_KEY: 'short',
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x',
      RTP_PORT_MIN: '30000',
      RTP_PORT_MAX: '20000',
      DEMO_NUMBERS: '+15551230001,12345',
      TTS_ENGINE: 'festival',
      RATE_CENTS_PER_MINUTE: 'spark=2.5',
      ALLOW_PRIVATE_TARGETS: 'everything',
      LLM_BASE_URL: 'http://127.0.0.1:1/v1',
    });
    assert.fail('expected a ConfigError');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    const text = err.message;
    for (const name of [
      'PORT',
      'DATABASE_URL',
      'RTP_PORT_MIN',
      'DEMO_NUMBERS',
      'TTS_ENGINE',
      'RATE_CENTS_PER_MINUTE',
      'ALLOW_PRIVATE_TARGETS',
      'LLM_MODEL',
      'THUNDERPHONE_SECRET_KEY',
    ]) {
      assert.match(text, new RegExp(name), `message names ${name}`);
    }
    assert.ok(err.problems.length >= 9);
  }
});

test('rates and per-product models are parsed', () => {
  const c = loadConfig({
    THUNDERPHONE_SECRET_KEY: KEY,
    RATE_CENTS_PER_MINUTE: 'spark=3,storm=12',
    LLM_BASE_URL: 'http://127.0.0.1:9/v1/',
    LLM_MODEL: 'base-model',
    LLM_MODEL_STORM_EXTRA: 'big-model',
    DEMO_NUMBERS: '+15551230001, +15551230002',
  });
  assert.deepEqual(c.rateCentsPerMinute, { spark: 3, bolt: 5, storm: 12 });
  assert.equal(c.llm?.baseUrl, 'http://127.0.0.1:9/v1');
  assert.equal(c.llm?.modelByProduct['storm-extra'], 'big-model');
  assert.deepEqual(c.demoNumbers, ['+15551230001', '+15551230002']);
});

test('the loaded configuration matches ConfigSchema, the source of the Config type', () => {
  const c = loadConfig({
    THUNDERPHONE_SECRET_KEY: KEY,
    LLM_BASE_URL: 'http://127.0.0.1:9/v1',
    LLM_MODEL: 'm',
    STT_BASE_URL: 'http://127.0.0.1:9/v1',
    TTS_ENGINE: 'openai',
    TTS_BASE_URL: 'http://127.0.0.1:9/v1',
  });
  assert.deepEqual([...Value.Errors(ConfigSchema, c)], []);
  assert.deepEqual([c.stt?.model, c.tts.openai?.model], ['whisper-1', 'tts-1']);
  assert.deepEqual(c.rateCentsPerMinute, DEFAULT_RATE_CENTS_PER_MINUTE);
});

test('a base URL that is not http(s) is reported, for every endpoint', () => {
  assert.throws(
    () => loadConfig({ THUNDERPHONE_SECRET_KEY: KEY, STT_BASE_URL: 'ftp://x', TTS_BASE_URL: 'x', LLM_BASE_URL: 'y' }),
    (err: ConfigError) =>
      ['LLM', 'STT', 'TTS'].every((p) => err.problems.includes(`${p}_BASE_URL must be an http(s) URL`)),
  );
});

test('README documents exactly the variables of EnvSchema, with the same defaults', () => {
  const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('| variable | default | meaning |'));
  const rows = section.slice(0, section.indexOf('\n\n')).split('\n').slice(2);
  const documented = new Map<string, string>();
  for (const row of rows) {
    const [names = '', defaults = ''] = row.split('|').slice(1, 3);
    const list = [...names.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]!);
    for (const name of list) documented.set(name, list.length === 1 ? defaults.trim() : '');
  }
  assert.deepEqual([...documented.keys()].sort(), Object.keys(EnvSchema.properties).sort());
  for (const [name, schema] of Object.entries(EnvSchema.properties)) {
    const cell = documented.get(name);
    if (cell && typeof schema.default === 'string' && schema.default !== '')
      assert.equal(cell, `\`${schema.default}\``, name);
    if (cell && typeof schema.default === 'number') assert.equal(cell, `\`${schema.default}\``, name);
  }
});

test('CORS_ALLOWED_ORIGINS: origins as browsers send them, * for any, empty for none; paths are refused', () => {
  assert.deepEqual(loadConfig({ THUNDERPHONE_SECRET_KEY: KEY }).cors, { any: false, origins: [] });
  assert.deepEqual(
    loadConfig({
      THUNDERPHONE_SECRET_KEY: KEY,
      CORS_ALLOWED_ORIGINS: 'https://App.Example.com/, http://localhost:5173',
    }).cors,
    { any: false, origins: ['https://app.example.com', 'http://localhost:5173'] },
  );
  assert.equal(loadConfig({ THUNDERPHONE_SECRET_KEY: KEY, CORS_ALLOWED_ORIGINS: '*' }).cors.any, true);
  assert.throws(
    () =>
      loadConfig({
        THUNDERPHONE_SECRET_KEY: KEY,
        CORS_ALLOWED_ORIGINS: 'https://ok.example,https://x.example/app,ftp://y',
      }),
    (err: ConfigError) =>
      err.problems.length === 2 &&
      err.problems.every((p) => p.startsWith('CORS_ALLOWED_ORIGINS: "')) &&
      err.problems[0]!.includes('https://x.example/app'),
  );
});

test('AGENT_DEPLOY_MODE: auto by default, manual on request, anything else is a problem', () => {
  assert.equal(loadConfig({ THUNDERPHONE_SECRET_KEY: KEY }).agents.defaultDeployMode, 'auto');
  assert.equal(
    loadConfig({ THUNDERPHONE_SECRET_KEY: KEY, AGENT_DEPLOY_MODE: 'manual' }).agents.defaultDeployMode,
    'manual',
  );
  assert.throws(
    () => loadConfig({ THUNDERPHONE_SECRET_KEY: KEY, AGENT_DEPLOY_MODE: 'draft' }),
    (err: ConfigError) => err.problems.some((p) => p.startsWith('AGENT_DEPLOY_MODE must be one of auto, manual')),
  );
});

test('SIP_DEMO_ALLOWED_SOURCES: loopback by default, IPv4/IPv6 CIDRs, anything else is a problem; SIP source rate limits', () => {
  const d = loadConfig({ THUNDERPHONE_SECRET_KEY: KEY }).sip;
  assert.deepEqual(d.demoAllowedSources, ['127.0.0.0/8', '::1']);
  assert.deepEqual([d.sourceRatePerSecond, d.sourceBurst], [20, 100]);
  const c = loadConfig({
    THUNDERPHONE_SECRET_KEY: KEY,
    SIP_DEMO_ALLOWED_SOURCES: '203.0.113.0/24, 2001:db8::/32,198.51.100.7',
    SIP_SOURCE_RATE_PER_SECOND: '0',
  }).sip;
  assert.deepEqual(c.demoAllowedSources, ['203.0.113.0/24', '2001:db8::/32', '198.51.100.7']);
  assert.equal(c.sourceRatePerSecond, 0);
  assert.throws(
    () => loadConfig({ THUNDERPHONE_SECRET_KEY: KEY, SIP_DEMO_ALLOWED_SOURCES: '10.0.0.0/33,pbx.example.com' }),
    (err: ConfigError) =>
      err.problems.filter((p) => p.startsWith('SIP_DEMO_ALLOWED_SOURCES: "')).length === 2 &&
      err.problems.some((p) => p.includes('pbx.example.com')),
  );
});
