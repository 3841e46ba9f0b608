import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from './load';

const KEY = 'a'.repeat(64);

test('defaults follow the self-hosting contract', () => {
  const c = loadConfig({ THUNDERPHONE_SECRET_KEY: KEY });
  assert.equal(c.http.port, 8080);
  assert.equal(c.http.host, '0.0.0.0');
  assert.equal(c.databaseUrl, 'sqlite:./data/thunderphone.db');
  assert.equal(c.sip.port, 5060);
  assert.deepEqual(c.rtp, { portMin: 20000, portMax: 30000 });
  assert.deepEqual(c.rateCentsPerMinute, { spark: 2, bolt: 5, storm: 9 });
  assert.equal(c.allowPrivateTargets, 'loopback');
  assert.equal(c.tts.engine, 'espeak-ng');
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
