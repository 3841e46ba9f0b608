import { canonicalJson } from '../shared/canonical-json';

export { canonicalJson, signBody } from '../shared/canonical-json';

/**
 * The envelope every webhook carries: `{"data":{...},"event_id":"evt_...","type":"..."}` (sorted
 * keys, compact). `event_id` is the event's id — the same on every retry and for every target,
 * like the `X-ThunderPhone-Event-Id` header — so receivers can deduplicate on the body alone.
 */
export function envelopeBytes(type: string, data: unknown, eventId: string): string {
  return canonicalJson({ type, data, event_id: eventId });
}
