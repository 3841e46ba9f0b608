/**
 * Text-to-speech. `synthesize` streams 8 kHz mono samples in chunks of any length as soon as the
 * engine produces them; it throws a ProviderError on failure and stops when `signal` aborts.
 * `voice` is the ENGINE's voice name (`slt`, `en-us`, `alloy`); the call layer resolves public
 * voice ids through src/voice/tts/voice-catalog.ts.
 */
export interface TtsProvider {
  readonly name: string;
  synthesize(text: string, options: { voice: string; signal?: AbortSignal | undefined }): AsyncIterable<Int16Array>;
}
