import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { loadConfig } from '../config/load';
import { VoiceCatalog, embeddedVoices, parseEspeakVoices } from '../voice/tts/voice-catalog';
import { selectTtsEngine } from '../voice/tts/tts-engines';
import {
  consoleCheck,
  endpointCheck,
  probeRtpRange,
  rtpCheck,
  sipCheck,
  ttsCheck,
  Readiness,
  READINESS_PARTS,
} from './readiness';

const config = (env: Record<string, string> = {}) =>
  loadConfig({ THUNDERPHONE_SECRET_KEY: 'a'.repeat(64), ...env }, { persistSecretKey: false });
const none = { openai: false, 'espeak-ng': false, flite: false, embedded: false };

test('tts: ok names the engine, its voices and the optional engines not installed, with their fix', () => {
  const selection = selectTtsEngine('auto', { ...none, embedded: true });
  const check = ttsCheck(new VoiceCatalog(embeddedVoices(), selection.engine, { selection }));
  assert.equal(check.status, 'ok');
  assert.equal(check.detail, 'embedded (flite WebAssembly): 5 voices, default en-US-Kal');
  assert.deepEqual(
    (check.optional as { engine: string; fix: string }[]).map((o) => [o.engine, o.fix]),
    [
      ['espeak-ng', 'apt-get install espeak-ng'],
      ['flite', 'apt-get install flite'],
    ],
  );
  assert.deepEqual([check.engine, check.voices, check.default_voice], ['embedded', 5, 'en-US-Kal']);
});

test('tts: a configured engine that is missing is "missing" with the apt-get fix; the next engine speaks', () => {
  const selection = selectTtsEngine('espeak-ng', { ...none, embedded: true });
  const check = ttsCheck(new VoiceCatalog(embeddedVoices(), selection.engine, { selection }));
  assert.equal(check.status, 'missing');
  assert.match(check.reason ?? '', /TTS_ENGINE=espeak-ng but espeak-ng is not installed; speaking with embedded/);
  assert.equal(check.fix, 'apt-get install espeak-ng (or unset TTS_ENGINE)');
  assert.equal(check.engine, 'embedded');

  const nothing = ttsCheck(new VoiceCatalog([], undefined, { selection: selectTtsEngine('auto', none) }));
  assert.deepEqual([nothing.status, nothing.voices], ['missing', 0]);
  assert.match(nothing.fix ?? '', /npm ci/);
});

test('tts: an unknown TTS_VOICE is a warning (the engine default speaks)', () => {
  const selection = selectTtsEngine('auto', { ...none, 'espeak-ng': true, embedded: true });
  const espeak = parseEspeakVoices(' Pty Language\n 2  en-us  --/M  English_(America)  gmw/en-US\n');
  const check = ttsCheck(
    new VoiceCatalog([...espeak, ...embeddedVoices()], selection.engine, { selection, defaultVoiceId: 'en-US-Zed' }),
  );
  assert.equal(check.status, 'warning');
  assert.match(check.reason ?? '', /TTS_VOICE=en-US-Zed is not a voice/);
  assert.deepEqual(
    (check.optional as { engine: string }[]).map((o) => o.engine),
    ['flite'],
    'espeak-ng is installed',
  );
});

test('llm / stt: a warning with the variables to set, never a crash; ok shows the endpoint', () => {
  const missing = endpointCheck('llm', undefined);
  assert.deepEqual([missing.status, missing.fix], ['warning', 'set LLM_BASE_URL and LLM_MODEL (and LLM_API_KEY)']);
  assert.equal(endpointCheck('stt', undefined).fix, 'set STT_BASE_URL (and STT_API_KEY)');
  const set = endpointCheck('stt', { baseUrl: 'http://127.0.0.1:9/v1', model: 'whisper-1' });
  assert.deepEqual([set.status, set.detail, set.reason], ['ok', 'http://127.0.0.1:9/v1 (model whisper-1)', null]);
});

test('sip: missing until the user agent runs; a loopback public address is a warning', () => {
  assert.equal(sipCheck(config(), undefined).status, 'missing');
  assert.equal(sipCheck(config({ SIP_PUBLIC_ADDRESS: '203.0.113.10' }), 5060).status, 'ok');
  const loop = sipCheck(config({ SIP_PUBLIC_ADDRESS: '127.0.0.1' }), 5072);
  assert.deepEqual([loop.status, loop.port], ['warning', 5072]);
  assert.match(loop.fix ?? '', /SIP_PUBLIC_ADDRESS/);
});

/** A UDP socket on an even loopback port (an RTP port as the pool hands them out). */
async function holdEvenPort(): Promise<Socket> {
  for (;;) {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    if (s.address().port % 2 === 0) return s;
    await new Promise<void>((r) => s.close(() => r()));
  }
}

test('rtp: ports that can be bound are ok; a range held by another program is missing with the fix', async () => {
  const held = await holdEvenPort();
  try {
    const port = held.address().port;
    const range = config({ SIP_BIND: '127.0.0.1', RTP_PORT_MIN: String(port), RTP_PORT_MAX: String(port + 1) });
    const check = rtpCheck(range, await probeRtpRange(range));
    assert.equal(check.status, 'missing');
    assert.match(check.reason ?? '', /could be bound: .*EADDRINUSE/);
    assert.match(check.fix ?? '', /RTP_PORT_MIN and RTP_PORT_MAX/);
  } finally {
    held.close();
  }
  const free = config({ SIP_BIND: '127.0.0.1', RTP_PORT_MIN: '40000', RTP_PORT_MAX: '40999' });
  const probe = await probeRtpRange(free);
  assert.equal(probe.tried.length, 8);
  assert.ok(probe.tried.every((p) => p % 2 === 0 && p >= 40000 && p <= 40999));
  assert.ok(probe.free.length > 0);
  const check = rtpCheck(free, probe);
  assert.deepEqual([check.status, check.detail], ['ok', 'ports 40000-40999 (up to 500 calls)']);
});

test('console: missing with the build command until its index.html exists', () => {
  const build = { dir: '/srv/tp/web/dist', fix: 'npm run build:console' };
  const missing = consoleCheck(build, 'http://localhost:8080', () => false);
  assert.deepEqual([missing.status, missing.fix], ['missing', 'npm run build:console']);
  assert.equal(consoleCheck(build, 'http://localhost:8080', (p) => p === '/srv/tp/web/dist/index.html').status, 'ok');
});

test('Readiness reports every part, the SIP port once started', () => {
  const c = config({ SIP_PUBLIC_ADDRESS: '203.0.113.10' });
  const r = new Readiness({ config: c, voices: VoiceCatalog.detect(c) });
  assert.deepEqual(Object.keys(r.checks()), [...READINESS_PARTS]);
  assert.equal(r.checks().sip.status, 'missing');
  r.sipStarted(5090);
  assert.deepEqual([r.checks().sip.status, r.checks().sip.port], ['ok', 5090]);
});
