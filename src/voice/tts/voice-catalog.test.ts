import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VoiceCatalog, openAiVoices, parseEspeakVoices, parseFliteVoices } from './voice-catalog';

const ESPEAK = `Pty Language       Age/Gender VoiceName          File                 Other Languages
 5  de              --/M      German             gmw/de
 2  en-gb           --/M      English_(Great_Britain) gmw/en               (en 2)
 5  en-gb-x-rp      --/M      English_(Received_Pronunciation) gmw/en-GB-x-rp       (en-gb 4)(en 5)
 2  en-us           --/M      English_(America)  gmw/en-US            (en 3)
 5  en-us           --/F      us-mbrola-1        mb/mb-us1            (en 8)
 5  variant         --/M      Storm              !v/Storm             (en-us 5)
`;

test('espeak-ng voices get stable <lang>-<Region>-Espeak ids; mbrola and variants are skipped', () => {
  const voices = parseEspeakVoices(ESPEAK);
  assert.deepEqual(
    voices.map((v) => [v.id, v.language, v.engineVoice]),
    [
      ['de-Espeak', 'de', 'de'],
      ['en-GB-Espeak', 'en-GB', 'en-gb'],
      ['en-GB-EspeakRp', 'en-GB', 'en-gb-x-rp'],
      ['en-US-Espeak', 'en-US', 'en-us'],
    ],
  );
  assert.equal(voices[0]?.gender, 'male');
});

test('flite voices map to fixed ids; the time-only awb_time voice is left out', () => {
  const voices = parseFliteVoices('Voices available: kal awb_time kal16 awb rms slt \n');
  assert.deepEqual(
    voices.map((v) => v.id),
    ['en-US-Kal', 'en-US-Kal16', 'en-GB-Awb', 'en-US-Rms', 'en-US-Slt'],
  );
  assert.equal(voices.find((v) => v.id === 'en-US-Slt')?.gender, 'female');
});

test('the configured engine is listed first and en-US-James1 resolves to its default voice', () => {
  const all = [...parseEspeakVoices(ESPEAK), ...parseFliteVoices('Voices available: kal slt')];
  const flite = new VoiceCatalog(all, 'flite');
  assert.equal(flite.list()[0]?.engine, 'flite');
  assert.equal(flite.get('en-US-James1')?.engineVoice, 'kal');
  assert.equal(flite.get('en-US-James1')?.aliasOf, 'en-US-Kal');
  assert.ok(flite.get('en-US-Espeak'), 'voices of the other installed engine stay usable');
  const espeak = new VoiceCatalog(all, 'espeak-ng');
  assert.equal(espeak.get('en-US-James1')?.engineVoice, 'en-us');
  assert.equal(espeak.get('xx-YY-Nobody'), undefined);
});

test('openai voices are a fixed list; with no engine present there is no alias', () => {
  const c = new VoiceCatalog(openAiVoices(), 'openai');
  assert.deepEqual(
    c
      .list()
      .slice(0, 6)
      .map((v) => v.engineVoice),
    ['alloy', 'echo', 'fable', 'onyx', 'nova', 'shimmer'],
  );
  assert.equal(c.get('en-US-James1')?.engineVoice, 'onyx');
  assert.equal(new VoiceCatalog([], 'espeak-ng').get('en-US-James1'), undefined);
});

test('detect() finds the engines installed on this machine, once per process', () => {
  const a = VoiceCatalog.detect({ tts: { engine: 'espeak-ng', openai: undefined } });
  const b = VoiceCatalog.detect({ tts: { engine: 'espeak-ng', openai: undefined } });
  assert.equal(a, b);
  assert.ok(a.get('en-US-Espeak'), 'espeak-ng is installed here');
  assert.ok(a.get('en-US-Slt'), 'flite is installed here');
});
