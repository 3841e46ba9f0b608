import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createApiHarness, type ApiHarness } from '../../../test/support/api-harness';
import { parseWavHeader } from '../../audio/wav';
import { CONSOLE_DIST_DIR } from './console-static';

describe('the console at / and voice previews [sqlite: no dialect involved]', () => {
  let h: ApiHarness;
  before(async () => {
    const built = spawnSync(process.execPath, ['scripts/build-console.mjs'], { encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
    h = await createApiHarness('sqlite');
  });
  after(async () => h?.close());

  test('/ and client routes serve the app with a strict CSP; API paths stay JSON 404s', async () => {
    for (const path of ['/', '/calls/12', '/agents/new', '/numbers/trunk']) {
      const res = await h.request('GET', path);
      assert.equal(res.status, 200, path);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.match(res.text, /<div id="root"><\/div>/);
      assert.match(String(res.headers['content-security-policy']), /script-src 'self';/);
      assert.equal(res.headers['x-frame-options'], 'DENY');
    }
    for (const path of ['/v1/nope', '/admin/v1/nope', '/console/nope', '/favicon.ico', '/assets/missing.js']) {
      const res = await h.request('GET', path);
      assert.equal(res.status, 404, path);
      assert.equal(res.body.code, 'route_not_found', path);
    }
    assert.equal((await h.request('GET', '/v1/healthz')).status, 200);
  });

  test('hashed assets are served from web/dist, cached for a year, nothing from a CDN', async () => {
    const files = readdirSync(join(CONSOLE_DIST_DIR, 'assets'));
    const js = files.find((f) => f.endsWith('.js'));
    assert.ok(js);
    const res = await h.request('GET', `/assets/${js}`);
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /javascript/);
    assert.match(String(res.headers['cache-control']), /immutable/);
    const index = await h.request('GET', '/');
    assert.doesNotMatch(index.text, /(src|href)="(https?:)?\/\//, 'no external script or style');
  });

  test('GET /v1/voices/{id}/preview speaks the voice as 8 kHz WAV; unknown voice 404', async () => {
    const org = await h.createOrg();
    const res = await h.app.inject({
      method: 'GET',
      url: '/v1/voices/en-US-James1/preview',
      headers: { authorization: `Bearer ${org.apiKey}` },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-type'], 'audio/wav');
    const wav = res.rawPayload;
    const header = parseWavHeader(wav);
    assert.equal(header?.sampleRateHz, 8000);
    const samples = new Int16Array(wav.buffer, wav.byteOffset + 44, (wav.length - 44) >> 1);
    assert.ok(samples.length > 8000 * 0.5, 'at least half a second of audio');
    assert.ok(
      samples.some((s) => Math.abs(s) > 2000),
      'real speech, not silence',
    );
    const missing = await h.request('GET', '/v1/voices/xx-XX-Nobody/preview', { key: org.apiKey });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'voice_not_found');
    const anon = await h.request('GET', '/v1/voices/en-US-James1/preview');
    assert.equal(anon.status, 401);
  });
});
