import { BOOLEANS, HTTP_URL, int, LANGUAGE_TAG, oneOf, optionalText, text } from './env-fields';

/** `auto`: openai when TTS_BASE_URL is set, else espeak-ng, else flite (when installed), else the embedded engine. */
export const TTS_ENGINES = ['auto', 'espeak-ng', 'flite', 'embedded', 'openai'] as const;
/** Streaming speech-to-text over a WebSocket: none (uploads only), Deepgram live, OpenAI Realtime transcription. */
export const STT_STREAMING_PROVIDERS = ['none', 'deepgram', 'openai-realtime'] as const;
export const STT_STREAMING_ENCODINGS = ['mulaw', 'linear16'] as const;

/** EnvSchema's voice agent variables: LLM, speech to text, turn taking and barge-in, text to speech. */
export const VOICE_ENV = {
  LLM_BASE_URL: optionalText({ ...HTTP_URL, description: 'OpenAI-compatible chat completions endpoint' }),
  LLM_API_KEY: optionalText({ description: 'API key of LLM_BASE_URL' }),
  LLM_MODEL: optionalText({ description: 'model; required with LLM_BASE_URL' }),
  LLM_MODEL_SPARK: optionalText({ description: 'model of the spark product (default LLM_MODEL)' }),
  LLM_MODEL_BOLT: optionalText({ description: 'model of the bolt product (default LLM_MODEL)' }),
  LLM_MODEL_STORM_BASE: optionalText({ description: 'model of storm-base (default LLM_MODEL)' }),
  LLM_MODEL_STORM_EXTRA: optionalText({ description: 'model of storm-extra (default LLM_MODEL)' }),
  STT_BASE_URL: optionalText({ ...HTTP_URL, description: 'OpenAI-compatible /audio/transcriptions endpoint' }),
  STT_API_KEY: optionalText({ description: 'API key of STT_BASE_URL' }),
  STT_MODEL: text({ default: 'whisper-1', description: 'speech-to-text model' }),
  STT_STREAMING_PROVIDER: oneOf(STT_STREAMING_PROVIDERS, {
    default: 'none',
    description:
      'streaming speech to text over a WebSocket while the caller talks (deepgram = Deepgram live /v1/listen, openai-realtime = /v1/realtime?intent=transcription); the STT_BASE_URL upload stays the fallback',
  }),
  STT_STREAMING_URL: optionalText({
    pattern: '^(ws|wss|http|https)://',
    errorMessage: 'must be a ws(s) or http(s) URL',
    description:
      'WebSocket endpoint; default wss://api.deepgram.com/v1/listen (deepgram) or wss://api.openai.com/v1/realtime (openai-realtime)',
  }),
  STT_STREAMING_API_KEY: optionalText({ description: 'API key of the streaming STT; default STT_API_KEY' }),
  STT_STREAMING_MODEL: optionalText({
    description: 'streaming STT model; default nova-3 (deepgram) or gpt-4o-transcribe (openai-realtime)',
  }),
  STT_STREAMING_ENCODING: oneOf(STT_STREAMING_ENCODINGS, {
    default: 'mulaw',
    description: 'audio sent to Deepgram: mulaw (8 kHz μ-law, half the bytes) or linear16',
  }),
  STT_ENDPOINTING_MS: int(10, 10_000, {
    default: 300,
    description: "Deepgram's own endpointing (speech_final after this much silence)",
  }),
  STT_UTTERANCE_END_MS: int(1000, 10_000, { default: 1000, description: "Deepgram's utterance_end_ms" }),
  TURN_PAUSE_MS: int(40, 2000, {
    default: 120,
    description:
      'a pause this long asks the speech to text for final words (Deepgram Finalize, a realtime commit, or an early upload) and starts preparing the reply',
  }),
  TURN_MIN_SILENCE_MS: int(0, 10_000, {
    default: 300,
    description: 'end of turn after this much silence when the words read as a finished sentence or question',
  }),
  TURN_MAX_SILENCE_MS: int(100, 30_000, {
    default: 1500,
    description:
      'end of turn after this much silence when the words read as unfinished ("and", "um", a number being dictated)',
  }),
  TURN_PREPARE_REPLIES: oneOf(BOOLEANS, {
    default: 'true',
    description: 'start the reply during the end-of-turn wait; used when the final words match, never heard otherwise',
  }),
  TURN_PREPARE_AUDIO: oneOf(BOOLEANS, {
    default: 'true',
    description:
      "with TURN_PREPARE_REPLIES, also synthesize the prepared reply's first clause during the wait; played at once when the reply is used, dropped unheard (request aborted) otherwise",
  }),
  BARGE_IN_MIN_SPEECH_MS: int(60, 10_000, {
    default: 700,
    description:
      'while the agent speaks, the caller interrupts it after this much voiced speech (whatever the words); agents may override it',
  }),
  BARGE_IN_MIN_WORDS: int(1, 20, {
    default: 2,
    description:
      'while the agent speaks, the caller interrupts it once the interim words (streaming STT) are this many and not all backchannel words ("uh-huh", "okay"); agents may override it',
  }),
  BARGE_IN_FILTER_BACKCHANNELS: oneOf(BOOLEANS, {
    default: 'true',
    description:
      'false: any caller speech stops the agent at once, backchannels included (the thresholds above are not used); agents may override it',
  }),
  TTS_ENGINE: oneOf(TTS_ENGINES, {
    default: 'auto',
    description: 'speech synthesis engine; auto = openai if TTS_BASE_URL is set, else espeak-ng, flite, embedded',
  }),
  TTS_VOICE: optionalText({
    description:
      'default voice (a GET /v1/voices id; the hosted ids like en-US-James1 resolve to it); default: the engine default',
  }),
  TTS_PRIMARY_LANGUAGE: text({
    default: 'en-US',
    ...LANGUAGE_TAG,
    description: 'GET /v1/voices lists this language right after the default voice',
  }),
  TTS_BASE_URL: optionalText({
    ...HTTP_URL,
    description: 'OpenAI-compatible /audio/speech endpoint (TTS_ENGINE=openai)',
  }),
  TTS_API_KEY: optionalText({ description: 'API key of TTS_BASE_URL' }),
  TTS_MODEL: text({ default: 'tts-1', description: 'text-to-speech model' }),
};
