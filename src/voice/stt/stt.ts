/** Speech-to-text. Per-utterance today; `streaming` providers may later accept frames as they come. */
export interface SttProvider {
  readonly name: string;
  /** Transcribes one utterance of 8 kHz mono audio. Rejects with a ProviderError. */
  transcribe(
    audio: Int16Array,
    options: { sampleRateHz: number; language?: string | undefined; signal?: AbortSignal | undefined },
  ): Promise<string>;
}
