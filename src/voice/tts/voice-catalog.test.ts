import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  VoiceCatalog,
  embeddedVoices,
  openAiVoices,
  parseEspeakVoices,
  parseFliteVoices,
  type Voice,
} from './voice-catalog';
import { selectTtsEngine } from './tts-engines';

// The head of a real `espeak-ng --voices` listing: Afrikaans comes first.
const ESPEAK = `Pty Language       Age/Gender VoiceName          File                 Other Languages
 5  af              --/M      Afrikaans          gmw/af
 5  de              --/M      German             gmw/de
 2  en-gb           --/M      English_(Great_Britain) gmw/en               (en 2)
 5  en-gb-x-rp      --/M      English_(Received_Pronunciation) gmw/en-GB-x-rp       (en-gb 4)(en 5)
 2  en-us           --/M      English_(America)  gmw/en-US            (en 3)
 5  en-us           --/F      us-mbrola-1        mb/mb-us1            (en 8)
 5  variant         --/M      Storm              !v/Storm             (en-us 5)
`;
const FLITE = 'Voices available: kal awb_time kal16 awb rms slt \n';
const ids = (voices: Voice[]): string[] => voices.map((v) => v.id);

test('espeak-ng voices get stable <lang>-<Region>-Espeak ids; mbrola and variants are skipped', () => {
  const voices = parseEspeakVoices(ESPEAK);
  assert.deepEqual(
    voices.map((v) => [v.id, v.language, v.engineVoice]),
    [
      ['af-Espeak', 'af', 'af'],
      ['de-Espeak', 'de', 'de'],
      ['en-GB-Espeak', 'en-GB', 'en-gb'],
      ['en-GB-EspeakRp', 'en-GB', 'en-gb-x-rp'],
      ['en-US-Espeak', 'en-US', 'en-us'],
    ],
  );
  assert.equal(voices[0]?.gender, 'male');
});

test('flite voices map to fixed ids; the time-only awb_time voice is left out', () => {
  const voices = parseFliteVoices(FLITE);
  assert.deepEqual(ids(voices), ['en-US-Kal', 'en-US-Kal16', 'en-GB-Awb', 'en-US-Rms', 'en-US-Slt']);
  assert.equal(voices.find((v) => v.id === 'en-US-Slt')?.gender, 'female');
});

test('the default voice is listed first, then the primary language, its base language, the rest, the aliases', () => {
  const all = [...parseEspeakVoices(ESPEAK), ...parseFliteVoices(FLITE), ...embeddedVoices()];
  const espeak = new VoiceCatalog(all, 'espeak-ng');
  assert.deepEqual(ids(espeak.list()), [
    'en-US-Espeak', // the engine default, not Afrikaans
    'en-US-Kal',
    'en-US-Kal16',
    'en-US-Rms',
    'en-US-Slt',
    'en-GB-Espeak',
    'en-GB-EspeakRp',
    'en-GB-Awb',
    'af-Espeak',
    'de-Espeak',
    'en-US-James1',
    'en-US-Standard-Journey-D',
  ]);
  assert.equal(espeak.size, 10, 'aliases are not counted as voices');
  assert.equal(espeak.get('en-US-Kal')?.engine, 'flite', 'the native flite answers the ids it shares with embedded');

  const german = new VoiceCatalog(all, 'espeak-ng', { primaryLanguage: 'de' });
  assert.deepEqual(ids(german.list()).slice(0, 2), ['en-US-Espeak', 'de-Espeak']);
});

test('en-US-James1 and the other hosted ids speak with the default voice of every engine', () => {
  const all = [...parseEspeakVoices(ESPEAK), ...parseFliteVoices(FLITE), ...embeddedVoices(), ...openAiVoices()];
  const cases = [
    ['espeak-ng', 'espeak-ng', 'en-us'],
    ['flite', 'flite', 'kal'],
    ['embedded', 'embedded', 'kal'],
    ['openai', 'openai', 'onyx'],
  ] as const;
  for (const [engine, speaks, engineVoice] of cases) {
    const c = new VoiceCatalog(all, engine);
    for (const alias of ['en-US-James1', 'en-US-Standard-Journey-D']) {
      assert.equal(c.get(alias)?.engine, speaks, `${alias} on ${engine}`);
      assert.equal(c.get(alias)?.engineVoice, engineVoice, `${alias} on ${engine}`);
    }
    assert.equal(c.list()[0]?.id, c.get('en-US-James1')?.aliasOf, `${engine}: the first voice is the default`);
    assert.equal(c.engine, engine);
  }
  assert.equal(new VoiceCatalog([], 'espeak-ng').get('en-US-James1'), undefined);
  assert.equal(new VoiceCatalog(all, 'espeak-ng').get('xx-YY-Nobody'), undefined);
});

test('with only the embedded engine, the flite voice ids still exist (agents saved elsewhere keep working)', () => {
  const c = new VoiceCatalog(embeddedVoices(), 'embedded');
  assert.deepEqual(ids(c.list()), [
    'en-US-Kal',
    'en-US-Kal16',
    'en-US-Rms',
    'en-US-Slt',
    'en-GB-Awb',
    'en-US-James1',
    'en-US-Standard-Journey-D',
  ]);
  assert.ok(c.list().every((v) => v.engine === 'embedded'));
  assert.equal(c.get('en-US-James1')?.aliasOf, 'en-US-Kal');
});

test('TTS_VOICE picks the default voice (of any engine present); an unknown one is reported and ignored', () => {
  const all = [...parseEspeakVoices(ESPEAK), ...embeddedVoices()];
  const slt = new VoiceCatalog(all, 'espeak-ng', { defaultVoiceId: 'en-US-Slt' });
  assert.equal(slt.list()[0]?.id, 'en-US-Slt');
  assert.equal(slt.get('en-US-James1')?.engineVoice, 'slt');
  assert.equal(slt.engine, 'embedded', 'the engine that speaks by default is the default voice’s');
  assert.equal(slt.defaultVoiceProblem, undefined);
  const wrong = new VoiceCatalog(all, 'espeak-ng', { defaultVoiceId: 'en-US-Nobody' });
  assert.match(wrong.defaultVoiceProblem ?? '', /TTS_VOICE=en-US-Nobody is not a voice/);
  assert.equal(wrong.list()[0]?.id, 'en-US-Espeak');
});

test('engine choice: auto takes openai (configured), espeak-ng, flite, embedded; a missing explicit one says the fix', () => {
  const none = { openai: false, 'espeak-ng': false, flite: false, embedded: false };
  assert.equal(selectTtsEngine('auto', { ...none, embedded: true, flite: true }).engine, 'flite');
  assert.equal(
    selectTtsEngine('auto', { ...none, embedded: true, flite: true, 'espeak-ng': true }).engine,
    'espeak-ng',
  );
  assert.equal(selectTtsEngine('auto', { ...none, embedded: true, 'espeak-ng': true, openai: true }).engine, 'openai');
  const bare = selectTtsEngine('auto', { ...none, embedded: true });
  assert.deepEqual([bare.engine, bare.problem], ['embedded', undefined]);
  const explicit = selectTtsEngine('flite', { ...none, embedded: true, flite: true, 'espeak-ng': true });
  assert.deepEqual([explicit.engine, explicit.problem], ['flite', undefined]);
  const missing = selectTtsEngine('espeak-ng', { ...none, embedded: true });
  assert.equal(missing.engine, 'embedded');
  assert.match(
    missing.problem?.reason ?? '',
    /TTS_ENGINE=espeak-ng but espeak-ng is not installed; speaking with embedded/,
  );
  assert.match(missing.problem?.fix ?? '', /apt-get install espeak-ng/);
  assert.equal(selectTtsEngine('auto', none).engine, undefined);
});

test('detect() finds the engines installed on this machine, once per process', () => {
  const tts = { engine: 'auto' as const, openai: undefined, primaryLanguage: 'en-US' };
  const a = VoiceCatalog.detect({ tts });
  assert.equal(a, VoiceCatalog.detect({ tts: { ...tts } }));
  assert.deepEqual(a.selection?.installed, { openai: false, 'espeak-ng': true, flite: true, embedded: true });
  assert.equal(a.engine, 'espeak-ng', 'auto prefers the installed espeak-ng');
  assert.equal(a.list()[0]?.id, 'en-US-Espeak');
  assert.equal(a.get('en-US-Slt')?.engine, 'flite', 'flite is installed here');
});
