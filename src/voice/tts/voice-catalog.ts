import { spawnSync } from 'node:child_process';
import type { Config, TtsEngineName } from '../../config/config';
import { fliteWasmPath } from './flite-wasm';
import { TTS_ENGINE_PREFERENCE, selectTtsEngine, type TtsEngineSelection } from './tts-engines';

export type { TtsEngineSelection } from './tts-engines';
export { TTS_ENGINE_INFO } from './tts-engines';

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
  /** The engine's own voice name (`slt`, `en-us`, `alloy`). */
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

/** Default voice of each engine (TTS_VOICE overrides it): listed first, and what the hosted-id aliases speak with. */
export const DEFAULT_VOICE_ID: Record<TtsEngineName, string> = {
  'espeak-ng': 'en-US-Espeak',
  flite: 'en-US-Kal',
  embedded: 'en-US-Kal',
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

/**
 * The embedded engine's voices: flite's, compiled into its WebAssembly module. They keep the ids
 * of the native flite voices, so an agent saved with `en-US-Slt` speaks the same voice whether
 * flite is installed or not (with both present, the one of the preferred engine answers).
 */
export function embeddedVoices(): Voice[] {
  return Object.entries(FLITE_VOICES).map(([engineVoice, v]) => ({ ...v, engine: 'embedded' as const, engineVoice }));
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

export interface VoiceCatalogOptions {
  /** TTS_VOICE: the voice listed first and spoken by the hosted-id aliases (default: the engine's). */
  defaultVoiceId?: string | undefined;
  /** TTS_PRIMARY_LANGUAGE: its voices come right after the default voice (default en-US). */
  primaryLanguage?: string;
  /** How the engine was chosen (VoiceCatalog.detect); reported by the start banner and /v1/healthz. */
  selection?: TtsEngineSelection;
}

let detected: { key: string; catalog: VoiceCatalog } | undefined;

/**
 * The voices this server can really speak with. Voices of every engine present are usable
 * whatever TTS_ENGINE says; when two engines have the same voice id (flite and the embedded
 * flite), the preferred engine's answers. `list()` order, which GET /v1/voices documents:
 *   1. the default voice (TTS_VOICE, else the engine's: espeak-ng en-US-Espeak, flite and
 *      embedded en-US-Kal, openai en-US-Onyx),
 *   2. voices of the primary language (TTS_PRIMARY_LANGUAGE, default en-US), then of its base
 *      language (en-GB, en...),
 *   3. the others; within each group the chosen engine first, then openai, espeak-ng, flite,
 *      embedded, each in the engine's own order,
 *   4. the hosted-id aliases (en-US-James1, en-US-Standard-Journey-D) of the default voice.
 * Built once; `get` is a map lookup.
 */
export class VoiceCatalog {
  readonly #voices: Voice[];
  readonly #byId = new Map<string, Voice>();
  readonly #engine: TtsEngineName | undefined;
  readonly #default: Voice | undefined;
  /** The engine that speaks by default (undefined: no engine present at all). */
  readonly selection: TtsEngineSelection | undefined;
  /** Set when TTS_VOICE names no voice of this server (the engine default is used). */
  readonly defaultVoiceProblem: string | undefined;

  /** `voices` in each engine's own order; `engine` is the chosen engine (its voices rank first). */
  constructor(voices: Voice[], engine: TtsEngineName | undefined, options: VoiceCatalogOptions = {}) {
    this.selection = options.selection;
    const rank = (e: TtsEngineName): number => (e === engine ? -1 : TTS_ENGINE_PREFERENCE.indexOf(e));
    const unique: Voice[] = [];
    for (const v of [...voices].sort((a, b) => rank(a.engine) - rank(b.engine))) {
      if (this.#byId.has(v.id) || HOSTED_VOICE_ALIASES.some((a) => a.id === v.id)) continue;
      this.#byId.set(v.id, v);
      unique.push(v);
    }
    this.#engine = engine !== undefined && unique.some((v) => v.engine === engine) ? engine : unique[0]?.engine;
    const wanted = options.defaultVoiceId;
    if (wanted !== undefined && !this.#byId.has(wanted))
      this.defaultVoiceProblem = `TTS_VOICE=${wanted} is not a voice of this server (see GET /v1/voices)`;
    this.#default =
      (wanted !== undefined ? this.#byId.get(wanted) : undefined) ??
      (this.#engine ? this.#byId.get(DEFAULT_VOICE_ID[this.#engine]) : undefined) ??
      unique.find((v) => v.engine === this.#engine);

    const primary = options.primaryLanguage ?? 'en-US';
    const base = primary.split('-')[0]!.toLowerCase();
    const group = (v: Voice): number =>
      v === this.#default ? 0 : v.language === primary ? 1 : v.language.split('-')[0]!.toLowerCase() === base ? 2 : 3;
    this.#voices = unique
      .map((v, i) => ({ v, i }))
      .sort((a, b) => group(a.v) - group(b.v) || a.i - b.i)
      .map(({ v }) => v);
    if (this.#default) {
      for (const alias of HOSTED_VOICE_ALIASES) {
        const v: Voice = {
          ...this.#default,
          id: alias.id,
          name: alias.name,
          gender: alias.gender,
          aliasOf: this.#default.id,
        };
        this.#byId.set(v.id, v);
        this.#voices.push(v);
      }
    }
  }

  /**
   * Finds the engines of this machine once per process (cached per TTS configuration): spawns
   * `espeak-ng --voices` and `flite -lv` (a missing program is simply not installed), looks for
   * the embedded engine's module, and chooses the engine (tts-engines.ts).
   */
  static detect(config: Pick<Config, 'tts'>): VoiceCatalog {
    const key = JSON.stringify([config.tts.engine, !!config.tts.openai, config.tts.voice, config.tts.primaryLanguage]);
    if (detected?.key === key) return detected.catalog;
    const espeak = run('espeak-ng', ['--voices']);
    const flite = run('flite', ['-lv']);
    const embedded = fliteWasmPath() !== undefined;
    const selection = selectTtsEngine(config.tts.engine, {
      openai: config.tts.openai !== undefined,
      'espeak-ng': espeak !== undefined,
      flite: flite !== undefined,
      embedded,
    });
    const voices: Voice[] = [
      ...(config.tts.openai ? openAiVoices() : []),
      ...(espeak !== undefined ? parseEspeakVoices(espeak) : []),
      ...(flite !== undefined ? parseFliteVoices(flite) : []),
      ...(embedded ? embeddedVoices() : []),
    ];
    const catalog = new VoiceCatalog(voices, selection.engine, {
      defaultVoiceId: config.tts.voice,
      primaryLanguage: config.tts.primaryLanguage,
      selection,
    });
    detected = { key, catalog };
    return catalog;
  }

  /** The engine that speaks by default (the default voice's), if any engine is present. */
  get engine(): TtsEngineName | undefined {
    return this.#default?.engine ?? this.#engine;
  }

  /** Every voice in the documented order, aliases last. */
  list(): Voice[] {
    return [...this.#voices];
  }

  /** Real voices only (no aliases). */
  get size(): number {
    return this.#voices.filter((v) => v.aliasOf === undefined).length;
  }

  get(id: string): Voice | undefined {
    return this.#byId.get(id);
  }

  /** The default voice (listed first; what the hosted-id aliases speak with), if any engine is present. */
  defaultVoice(): Voice | undefined {
    return this.#default;
  }
}
