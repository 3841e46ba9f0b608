import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signRecordingUrl, verifyRecordingSignature, recordingUrlMaker } from './recording-url';
import { FakeClock } from '../shared/clock';

const config = {
  secretKey: Buffer.alloc(32, 7),
  http: { port: 8080, host: '0.0.0.0', publicBaseUrl: 'https://tp.example.com' },
  recordings: { dir: '/tmp', urlTtlMs: 3_600_000 },
};
const NOW = Date.parse('2026-05-01T12:00:00.000Z');

test('signed recording links verify for their call until they expire', () => {
  const { url, expiresAt } = signRecordingUrl(config, 42, NOW);
  const u = new URL(url);
  assert.equal(`${u.origin}${u.pathname}`, 'https://tp.example.com/recordings/42.wav');
  assert.equal(expiresAt, '2026-05-01T13:00:00.000Z');
  const exp = u.searchParams.get('expires') ?? '';
  const sig = u.searchParams.get('signature') ?? '';
  assert.equal(verifyRecordingSignature(config, 42, exp, sig, NOW + 3_599_000), true);
  assert.equal(verifyRecordingSignature(config, 42, exp, sig, NOW + 3_600_000), false, 'expired');
  assert.equal(verifyRecordingSignature(config, 43, exp, sig, NOW), false, 'other call');
  assert.equal(verifyRecordingSignature(config, 42, String(Number(exp) + 60), sig, NOW), false, 'extended expiry');
  assert.equal(
    verifyRecordingSignature({ secretKey: Buffer.alloc(32, 8) }, 42, exp, sig, NOW),
    false,
    'other server key',
  );
  assert.equal(verifyRecordingSignature(config, 42, 'soon', sig, NOW), false);
  assert.equal(sig.includes(config.secretKey.toString('hex')), false);
});

test('recordingUrlMaker gives a link only for calls with a recording', () => {
  const make = recordingUrlMaker(config, new FakeClock('2026-05-01T12:00:00.000Z'));
  assert.equal(make({ id: 5, recording_path: null }), null);
  assert.match(
    make({ id: 5, recording_path: '/data/recordings/5.wav' }) ?? '',
    /^https:\/\/tp\.example\.com\/recordings\/5\.wav\?expires=\d+&signature=/,
  );
});
