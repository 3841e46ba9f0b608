/**
 * The event catalogue (thunderphone-api.md §5.3). Endpoints subscribe to these names (`[]` = all).
 * The legacy single URL receives every event, with the legacy names `call.incoming` and
 * `call.complete` for the phone and web variants of incoming/complete.
 */
export const EVENT_TYPES = [
  'telephony.incoming',
  'telephony.complete',
  'telephony.tool',
  'web.incoming',
  'web.complete',
  'web.tool',
  'call.graded',
  'issue.reported',
  'test-call.completed',
] as const;

export type WebhookEventType = (typeof EVENT_TYPES)[number];

export function isEventType(value: unknown): value is WebhookEventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}

/** Name under which an event reaches the legacy single URL. */
export function legacyEventName(type: string): string {
  if (type === 'telephony.complete' || type === 'web.complete') return 'call.complete';
  if (type === 'telephony.incoming' || type === 'web.incoming') return 'call.incoming';
  return type;
}

/** Whether an endpoint subscribed to `events` (parsed JSON array) receives `type`. */
export function endpointWants(events: readonly string[], type: string): boolean {
  return events.length === 0 || events.includes(type);
}
