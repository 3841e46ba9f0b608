import { AppError } from '../shared/errors';
import { systemTimers, type TimerHandle, type Timers } from '../shared/timers';

/** Stable codes of provider failures (STT, LLM, TTS, tools). */
export type ProviderErrorCode =
  | 'provider_timeout'
  | 'provider_status'
  | 'provider_connection'
  | 'provider_bad_response'
  | 'provider_aborted'
  | 'tts_engine_failed';

/**
 * A failed call to an AI provider, split the agents-js way (status / connection / timeout). 5xx,
 * 429, timeouts and connection errors are retryable; other statuses and malformed bodies are not.
 */
export class ProviderError extends AppError {
  constructor(
    readonly provider: 'stt' | 'llm' | 'tts' | 'tool',
    code: ProviderErrorCode,
    message: string,
    options: { status?: number; cause?: unknown } = {},
  ) {
    const retryable =
      code === 'provider_timeout' ||
      code === 'provider_connection' ||
      (code === 'provider_status' && (options.status === 429 || (options.status ?? 0) >= 500));
    super(code, message, {
      retryable,
      cause: options.cause,
      details: { provider, status: options.status },
    });
  }
}

/** Maps a fetch failure to a ProviderError (`timedOut` tells our own timer from the caller's abort). */
export function fetchFailure(provider: ProviderError['provider'], err: unknown, timedOut: boolean): ProviderError {
  if (err instanceof ProviderError) return err;
  if (timedOut) return new ProviderError(provider, 'provider_timeout', `${provider} request timed out`, { cause: err });
  if (err instanceof Error && err.name === 'AbortError')
    return new ProviderError(provider, 'provider_aborted', `${provider} request cancelled`, { cause: err });
  return new ProviderError(
    provider,
    'provider_connection',
    `${provider} request failed: ${err instanceof Error ? err.message : String(err)}`,
    { cause: err },
  );
}

/** An AbortSignal that fires on the caller's signal or after `timeoutMs`; `timedOut()` tells which. */
export function timeoutSignal(
  parent: AbortSignal | undefined,
  timeoutMs: number,
  timers: Timers = systemTimers,
): { signal: AbortSignal; timedOut: () => boolean; clear: () => void; restart: (ms?: number) => void } {
  const ctrl = new AbortController();
  let timedOut = false;
  const onParent = (): void => ctrl.abort(parent?.reason);
  if (parent?.aborted) ctrl.abort(parent.reason);
  else parent?.addEventListener('abort', onParent, { once: true });
  let timer: TimerHandle | undefined;
  const arm = (ms: number): void => {
    if (timer !== undefined) timers.clear(timer);
    timer = timers.set(ms, () => {
      timedOut = true;
      ctrl.abort(new Error('timeout'));
    });
  };
  arm(timeoutMs);
  return {
    signal: ctrl.signal,
    timedOut: () => timedOut,
    clear: () => {
      if (timer !== undefined) timers.clear(timer);
      parent?.removeEventListener('abort', onParent);
    },
    restart: (ms = timeoutMs) => arm(ms),
  };
}
