import type { Clock } from '../shared/clock';
import { OutgoingHttpError } from '../net/outgoing-http-error';
import type { OutgoingResponse } from '../net/guarded-http-client';
import type { WebhookHttp } from './webhook-deps';
import type { WebhookTarget } from './webhook-targets';
import { signBody } from './webhook-signature';

/** Header names (documented in the README "Webhooks" section). */
export const HEADERS = {
  signature: 'X-ThunderPhone-Signature',
  previousSignature: 'X-ThunderPhone-Signature-Previous',
  eventId: 'X-ThunderPhone-Event-Id',
  eventType: 'X-ThunderPhone-Event-Type',
  deliveryId: 'X-ThunderPhone-Delivery-Id',
  attempt: 'X-ThunderPhone-Attempt',
} as const;

export interface SendInput {
  target: WebhookTarget;
  body: string;
  eventId: string;
  deliveryId: string;
  attempt: number;
  timeoutMs: number;
  maxResponseBytes?: number;
  /** Blocking events read the answer; other deliveries only need the status. */
  readBody?: boolean;
}

export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  latencyMs: number;
  /** Short, user-facing reason when not ok (`http_500`, `timeout`, `network_error: econnreset`...). */
  error: string | null;
  /** Set when the errored request was stopped by our own rules or deadline. */
  errorCode: string | null;
  response: OutgoingResponse | null;
}

/** POSTs the exact bytes `body`, signed with the target's secret (and previous one in grace). */
export async function sendSigned(http: WebhookHttp, clock: Clock, input: SendInput): Promise<SendResult> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    [HEADERS.signature]: signBody(input.target.secret, input.body),
    [HEADERS.eventId]: input.eventId,
    [HEADERS.eventType]: input.target.eventType,
    [HEADERS.deliveryId]: input.deliveryId,
    [HEADERS.attempt]: String(input.attempt),
  };
  if (input.target.previousSecret !== null)
    headers[HEADERS.previousSignature] = signBody(input.target.previousSecret, input.body);
  const started = clock.monotonicMs();
  try {
    const response = await http.request({
      url: input.target.url,
      method: 'POST',
      headers,
      body: input.body,
      timeoutMs: input.timeoutMs,
      ...(input.maxResponseBytes === undefined ? {} : { maxResponseBytes: input.maxResponseBytes }),
      ...(input.readBody === false ? { readBody: false } : {}),
    });
    const latencyMs = Math.max(0, Math.round(clock.monotonicMs() - started));
    const ok = response.status >= 200 && response.status < 300;
    return {
      ok,
      statusCode: response.status,
      latencyMs,
      error: ok ? null : `http_${response.status}`,
      errorCode: null,
      response,
    };
  } catch (err) {
    const latencyMs = Math.max(0, Math.round(clock.monotonicMs() - started));
    const code = err instanceof OutgoingHttpError ? err.code : 'network_error';
    const detail =
      err instanceof OutgoingHttpError && code === 'network_error' ? `network_error: ${err.message}` : code;
    return { ok: false, statusCode: null, latencyMs, error: detail.slice(0, 300), errorCode: code, response: null };
  }
}
