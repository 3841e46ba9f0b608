import { FieldErrors } from '../shared/errors';
import { isValidTimeZone, parseHhMm } from './daily-window';

/**
 * Validation of a campaign's settings (POST /v1/campaigns, PATCH): every field message at once
 * (400, DRF style). `agent` and `agent_id` are the same field (the hosted API's examples send
 * `agent`); ids may come as strings of digits.
 */
export interface CampaignSettings {
  name: string;
  agentId: number;
  fromNumber: string;
  timezone: string;
  windowStart: string;
  windowEnd: string;
  maxAttempts: number;
  retryDelaySeconds: number;
}

export const MAX_ATTEMPTS_LIMIT = 10;
const E164 = /^\+[1-9]\d{7,14}$/;

function intOf(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string' && /^[0-9]{1,15}$/.test(v)) return Number(v);
  return undefined;
}

/** `base` = the current settings (PATCH) or defaults (create: undefined fields are required). */
export function campaignSettingsOf(
  body: Record<string, unknown>,
  base: Partial<CampaignSettings>,
  required: boolean,
): CampaignSettings {
  const errors = new FieldErrors();
  const out: Partial<CampaignSettings> = { ...base };
  const has = (k: string) => body[k] !== undefined;

  if (has('name')) {
    const n = body.name;
    if (typeof n !== 'string' || n.trim() === '' || n.length > 200)
      errors.add('name', 'A name of 1 to 200 characters is required.');
    else out.name = n.trim();
  } else if (required) errors.add('name', 'This field is required.');

  const agentRaw = has('agent') ? body.agent : body.agent_id;
  const agentField = has('agent') ? 'agent' : 'agent_id';
  if (agentRaw !== undefined) {
    const id = intOf(agentRaw);
    if (id === undefined || id < 1) errors.add(agentField, 'An agent id (a positive whole number) is required.');
    else out.agentId = id;
  } else if (required) errors.add('agent', 'This field is required.');

  if (has('from_number')) {
    const f = body.from_number;
    if (typeof f !== 'string' || !E164.test(f))
      errors.add('from_number', 'Use an E.164 number of this organization (+14155550100).');
    else out.fromNumber = f;
  } else if (required) errors.add('from_number', 'This field is required.');

  if (has('timezone')) {
    const z = body.timezone;
    if (typeof z !== 'string' || !isValidTimeZone(z))
      errors.add('timezone', 'Use an IANA time zone name (America/Los_Angeles, Europe/Berlin, UTC).');
    else out.timezone = z;
  } else if (out.timezone === undefined) out.timezone = 'UTC';

  for (const [key, prop, endOfDay] of [
    ['daily_window_start', 'windowStart', false],
    ['daily_window_end', 'windowEnd', true],
  ] as const) {
    if (has(key)) {
      const v = body[key];
      if (typeof v !== 'string' || parseHhMm(v, endOfDay) === null)
        errors.add(key, endOfDay ? 'Use HH:MM (00:00 to 24:00).' : 'Use HH:MM (00:00 to 23:59).');
      else out[prop] = v;
    }
  }
  out.windowStart ??= '09:00';
  out.windowEnd ??= '17:00';
  if (errors.empty && out.windowStart === out.windowEnd)
    errors.add(
      'daily_window_end',
      'The window must not be empty (start = end); use 00:00 to 24:00 for all day. An end before the start is an overnight window.',
    );

  if (has('max_attempts')) {
    const n = intOf(body.max_attempts);
    if (n === undefined || n < 1 || n > MAX_ATTEMPTS_LIMIT)
      errors.add('max_attempts', `A whole number from 1 to ${MAX_ATTEMPTS_LIMIT}.`);
    else out.maxAttempts = n;
  }
  out.maxAttempts ??= 1;
  if (has('retry_delay_seconds')) {
    const n = intOf(body.retry_delay_seconds);
    if (n === undefined || n < 0 || n > 30 * 86_400)
      errors.add('retry_delay_seconds', 'A whole number of seconds from 0 to 2592000 (30 days).');
    else out.retryDelaySeconds = n;
  }
  errors.throwIfAny();
  return out as CampaignSettings;
}
