import { spawnSync } from 'node:child_process';
import type { Config, TtsEngineName } from '../../config/config';

export type VoiceGender = 'male' | 'female' | 'neutral';

/** One voice the platform can really speak with. `id` is the public ThunderPhone-style id. */
export interface Voice {
  /** `<lang>-<Region>-<Name>`, e.g. `en-US-Slt`; stable across restarts. */
  id: string;
  name: string;
  /** BCP-47 tag, e.g. `en-US`. */
  language: string;
  gender: VoiceGender;
  engine: TtsEngineName;
  /** The engine's own voice name (`slt`, `gmw/en-US`, `alloy`). */
  engineVoice: string;
  /** Set on alias entries (`en-US-James1`): the id of the voice that really speaks. */
  aliasOf?: string;
}

/**
 * Ids of the hosted ThunderPhone docs that agents written for the hosted API use. They resolve
 * to the default voice of the configured engine so those agents work unchanged.
 */
export const HOSTED_VOICE_ALIASES: readonly { id: string; name: string; gender: VoiceGender }[] = [
  { id: 'en-US-James1', name: 'James', gender: 'male' },
  { id: 'en-US-Standard-Journey-D', name: 'Journey D', gender: 'male' },
];

/** flite ships these voices in Debian; awb_time is a limited-domain (time only) voice and is skipped. */
const FLITE_VOICES: Record<string, { id: string; name: string; language: string; gender: VoiceGender }> = {
  kal: { id: 'en-US-Kal', name: 'Kal', language: 'en-US', gender: 'male' },
  kal16: { id: 'en-US-Kal16', name: 'Kal (16 kHz)', language: 'en-US', gender: 'male' },
  awb: { id: 'en-GB-Awb', name: 'Awb (Scottish English)', language: 'en-GB', gender: 'male' },
  rms: { id: 'en-US-Rms', name: 'Rms', language: 'en-US', gender: 'male' },
  slt: { id: 'en-US-Slt', name: 'Slt', language: 'en-US', gender: 'female' },
};

const OPENAI_VOICES: readonly [string, VoiceGender][] = [
  ['alloy', 'neutral'],
  ['echo', 'male'],
  ['fable', 'neutral'],
  ['onyx', 'male'],
  ['nova', 'female'],
  ['shimmer', 'female'],
];

/** Default voice of each engine, used by the hosted-id aliases. */
const DEFAULT_VOICE_ID: Record<TtsEngineName, string> = {
  'espeak-ng': 'en-US-Espeak',
  flite: 'en-US-Kal',
  openai: 'en-US-Onyx',
};

const capitalize = (s: string): string => (s === '' ? s : s[0]!.toUpperCase() + s.slice(1).toLowerCase());

/** `en-gb-x-rp` → `{ language: 'en-GB', suffix: 'Rp' }`; `de` → `{ language: 'de', suffix: '' }`. */
function splitEspeakLanguage(tag: string): { language: string; suffix: string } {
  const parts = tag.split('-').filter((p) => p !== '' && p !== 'x');
  const lang = (parts.shift() ?? '').toLowerCase();
  let region = '';
  if (parts[0] !== undefined && /^([a-z]{2}|[0-9]{3})$/i.test(parts[0])) region = parts.shift()!.toUpperCase();
  return { language: region ? `${lang}-${region}` : lang, suffix: parts.map(capitalize).join('') };
}

/** Parses `espeak-ng --voices` output into voices (mbrola voices and variants are skipped). */
export function parseEspeakVoices(output: string): Voice[] {
  const voices: Voice[] = [];
  for (const line of output.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    const [, tag, ageGender, voiceName, file] = cols;
    if (tag === undefined || ageGender === undefined || voiceName === undefined || file === undefined) continue;
    if (tag === 'variant' || file.startsWith('mb/') || file.startsWith('!v/')) continue;
    const { language, suffix } = splitEspeakLanguage(tag);
    if (!/^[a-z]{2,3}(-[A-Z0-9]{2,3})?$/.test(language)) continue;
    const gender: VoiceGender = ageGender.endsWith('/F') ? 'female' : ageGender.endsWith('/M') ? 'male' : 'neutral';
    voices.push({
      id: `${language}-Espeak${suffix}`,
      name: `${voiceName.replace(/_/g, ' ')} (eSpeak NG)`,
      language,
      gender,
      engine: 'espeak-ng',
      engineVoice: tag,
    });
  }
  return voices;
}

/** Parses `flite -lv` output (`Voices available: kal awb ...`). */
export function parseFliteVoices(output: string): Voice[] {
  const m = /Voices available:(.*)/.exec(output);
  if (!m?.[1]) return [];
  return m[1]
    .trim()
    .split(/\s+/)
    .flatMap((name) => {
      const known = FLITE_VOICES[name];
      return known ? [{ ...known, engine: 'flite' as const, engineVoice: name }] : [];
    });
}

export function openAiVoices(): Voice[] {
  return OPENAI_VOICES.map(([name, gender]) => ({
    id: `en-US-${capitalize(name)}`,
    name: capitalize(name),
    language: 'en-US',
    gender,
    engine: 'openai' as const,
    engineVoice: name,
  }));
}

function run(cmd: string, args: string[]): string | undefined {
  const res = spawnSync(cmd, args, { encoding: 'utf8', timeout: 5000 });
  if (res.error || res.status !== 0) return undefined;
  return `${res.stdout}\n${res.stderr}`;
}

let detected: { key: string; catalog: VoiceCatalog } | undefined;

/**
 * The voices the configured TTS engines really have. Order: the configured engine first, then
 * the other local engines that are installed (a voice of an installed engine is usable whatever
 * TTS_ENGINE says), then the hosted-id aliases. Built once; `get` is a map lookup.
 */
export class VoiceCatalog {
  readonly #voices: Voice[];
  readonly #byId = new Map<string, Voice>();
  readonly #defaultEngine: TtsEngineName;

  /** `voices` in display order; aliases are added for `defaultEngine` (or the first engine present). */
  constructor(voices: Voice[], defaultEngine: TtsEngineName) {
    const ordered = [
      ...voices.filter((v) => v.engine === defaultEngine),
      ...voices.filter((v) => v.engine !== defaultEngine),
    ];
    this.#voices = [];
    for (const v of ordered) {
      if (this.#byId.has(v.id)) continue;
      this.#byId.set(v.id, v);
      this.#voices.push(v);
    }
    const first = this.#voices[0];
    this.#defaultEngine = first && !this.#voices.some((v) => v.engine === defaultEngine) ? first.engine : defaultEngine;
    const target =
      this.#byId.get(DEFAULT_VOICE_ID[this.#defaultEngine]) ??
      this.#voices.find((v) => v.engine === this.#defaultEngine);
    if (target) {
      for (const alias of HOSTED_VOICE_ALIASES) {
        if (this.#byId.has(alias.id)) continue;
        const v: Voice = { ...target, id: alias.id, name: alias.name, gender: alias.gender, aliasOf: target.id };
        this.#byId.set(v.id, v);
        this.#voices.push(v);
      }
    }
  }

  /** Spawns `espeak-ng --voices` and `flite -lv` once per process (cached per engine config). */
  static detect(config: Pick<Config, 'tts'>): VoiceCatalog {
    const engine = config.tts.engine;
    const key = `${engine}:${config.tts.openai ? 'openai' : ''}`;
    if (detected?.key === key) return detected.catalog;
    const voices: Voice[] = [];
    if (engine === 'openai' && config.tts.openai) voices.push(...openAiVoices());
    const espeak = run('espeak-ng', ['--voices']);
    if (espeak !== undefined) voices.push(...parseEspeakVoices(espeak));
    const flite = run('flite', ['-lv']);
    if (flite !== undefined) voices.push(...parseFliteVoices(flite));
    const catalog = new VoiceCatalog(voices, engine);
    detected = { key, catalog };
    return catalog;
  }

  list(): Voice[] {
    return [...this.#voices];
  }

  get(id: string): Voice | undefined {
    return this.#byId.get(id);
  }

  /** The voice the hosted-id aliases resolve to, if any engine is present. */
  defaultVoice(): Voice | undefined {
    const alias = this.#byId.get('en-US-James1');
    return alias?.aliasOf === undefined ? this.#voices[0] : this.#byId.get(alias.aliasOf);
  }
}
